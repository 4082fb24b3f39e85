// Durable entities through the official JS SDK (@microsoft/durabletask-js 0.4.0, unchanged) on the
// embedded product's gRPC endpoint: entities its worker serves, the client's entity calls, and
// orchestrations that signal, call and lock entities, remote and in-process alike.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  EntityInstanceId,
  NoOpLogger,
  OrchestrationStatus,
  TaskEntity,
  TaskHubGrpcClient,
  TaskHubGrpcWorker,
  type OrchestrationContext,
  type Task,
} from '@microsoft/durabletask-js';
import { defineEntity, defineOrchestration, Registry, type EntityContext } from '@durable/engine';
import { GrpcFrontend, WorkItemHub } from '@durable/grpc';
import { EmbeddedPlatform } from '../embedded/embedded-platform';

jest.setTimeout(60_000);

class RemoteCounter extends TaskEntity<number> {
  protected override initializeState(): number {
    return 0;
  }
  add(amount: number): number {
    this.state += amount;
    return this.state;
  }
  get(): number {
    return this.state;
  }
  fail(): never {
    throw new Error('counter says no');
  }
  // Signals another entity and starts an orchestration: actions of a remote entity.
  relay(key: string): void {
    this.context?.signalEntity(new EntityInstanceId('LocalCounter', key), 'add', this.state);
    this.context?.scheduleNewOrchestration('Echo', this.state, { instanceId: `echo-${key}` });
  }
}

const localCounter = defineEntity('LocalCounter', (ctx: EntityContext<number>) => {
  const value = ctx.getState(() => 0) ?? 0;
  if (ctx.operationName === 'add') ctx.setState(value + ctx.getInput<number>());
  return ctx.getState();
});
// An in-process orchestration that calls an entity only the SDK worker has.
const localCallsRemote = defineOrchestration('LocalCallsRemote', async (ctx, key: string) => {
  await ctx.callEntity({ name: 'RemoteCounter', key }, 'add', 2);
  return ctx.callEntity({ name: 'RemoteCounter', key }, 'get');
});

async function* usesEntities(
  ctx: OrchestrationContext,
  key: string,
): AsyncGenerator<Task<unknown>, unknown, unknown> {
  const remote = new EntityInstanceId('RemoteCounter', key);
  const local = new EntityInstanceId('LocalCounter', key);
  ctx.entities.signalEntity(remote, 'add', 5);
  const afterAdd = yield ctx.entities.callEntity(remote, 'add', 1);
  const lock = (yield ctx.entities.lockEntities(remote, local)) as { release(): void };
  const inSection = ctx.entities.isInCriticalSection().inSection;
  const localValue = yield ctx.entities.callEntity(local, 'add', 10);
  lock.release();
  let failure = '';
  try {
    yield ctx.entities.callEntity(remote, 'fail');
  } catch (error) {
    failure = error instanceof Error ? error.message : String(error);
  }
  return { afterAdd, inSection, localValue, failed: failure.includes('counter says no') };
}

async function* echo(
  _ctx: OrchestrationContext,
  input: unknown,
): AsyncGenerator<Task<unknown>, unknown, unknown> {
  return input;
}

let dataDir: string;
let platform: EmbeddedPlatform;
let grpc: GrpcFrontend;
let client: TaskHubGrpcClient;
let worker: TaskHubGrpcWorker;

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'durable-grpc-entities-'));
  const hub = new WorkItemHub({ pingIntervalMs: 1000 });
  const registry = new Registry().add(localCounter, localCallsRemote);
  platform = await EmbeddedPlatform.start({ dataDir, registry, partitions: 4, remote: hub });
  grpc = await GrpcFrontend.start({ client: platform.client, hub, host: '127.0.0.1', port: 0 });
  const address = `127.0.0.1:${grpc.port}`;
  client = new TaskHubGrpcClient({ hostAddress: address, logger: new NoOpLogger() });
  worker = new TaskHubGrpcWorker({ hostAddress: address, logger: new NoOpLogger(), shutdownTimeoutMs: 200 });
  worker.addNamedEntity('RemoteCounter', () => new RemoteCounter());
  worker.addNamedOrchestrator('UsesEntities', usesEntities);
  worker.addNamedOrchestrator('Echo', echo);
  await worker.start();
});

afterAll(async () => {
  await worker?.stop().catch(() => undefined);
  await client?.stop();
  await grpc?.stop();
  await platform?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

async function stateOf(id: EntityInstanceId, expected: unknown): Promise<unknown> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const entity = await client.getEntity<unknown>(id);
    if (entity?.state !== undefined && JSON.stringify(entity.state) === JSON.stringify(expected))
      return entity.state;
    if (Date.now() > deadline) return entity?.state;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('durable entities through the official JS SDK (embedded)', () => {
  it('signals an entity the SDK worker serves, and reads it with getEntity', async () => {
    const id = new EntityInstanceId('RemoteCounter', 'signalled');
    await client.signalEntity(id, 'add', 5);
    await client.signalEntity(id, 'add', 7);
    expect(await stateOf(id, 12)).toBe(12);
    const withoutState = await client.getEntity(id, false);
    expect(withoutState?.id.toString()).toBe('@remotecounter@signalled');
    expect(withoutState?.includesState).toBe(false);
    expect(await client.getEntity(new EntityInstanceId('RemoteCounter', 'never'))).toBeUndefined();
  });

  it('delivers a scheduled signal no earlier than its time', async () => {
    const id = new EntityInstanceId('RemoteCounter', 'later');
    const at = new Date(Date.now() + 1000);
    await client.signalEntity(id, 'add', 1, { signalTime: at });
    expect(await stateOf(id, 1)).toBe(1);
    expect(Date.now()).toBeGreaterThanOrEqual(at.getTime());
  });

  it('queries entities by instance id prefix, with and without state', async () => {
    for (const key of ['q-1', 'q-2'])
      await client.signalEntity(new EntityInstanceId('RemoteCounter', key), 'add', 3);
    await stateOf(new EntityInstanceId('RemoteCounter', 'q-2'), 3);
    await stateOf(new EntityInstanceId('RemoteCounter', 'q-1'), 3);
    const found: Array<{ id: string; state: unknown }> = [];
    for await (const entity of client.getEntities<number>({
      instanceIdStartsWith: '@RemoteCounter@q-',
      includeState: true,
    }))
      found.push({ id: entity.id.toString(), state: entity.state });
    expect(found).toEqual([
      { id: '@remotecounter@q-1', state: 3 },
      { id: '@remotecounter@q-2', state: 3 },
    ]);
    // 0.4.0 types this `byPage()`, but ships it as `asPages()`.
    const pageable = client.getEntities({
      instanceIdStartsWith: 'remotecounter',
      pageSize: 1,
    }) as unknown as {
      asPages(): AsyncIterable<{ values: unknown[] }>;
    };
    const pages: number[] = [];
    for await (const page of pageable.asPages()) pages.push(page.values.length);
    expect(pages.length).toBeGreaterThanOrEqual(4);
  });

  it('runs an SDK orchestration that signals, calls and locks entities, remote and in-process', async () => {
    const id = await client.scheduleNewOrchestration('UsesEntities', 'o1');
    const state = await client.waitForOrchestrationCompletion(id, true, 60);
    expect(state?.runtimeStatus).toBe(OrchestrationStatus.COMPLETED);
    expect(JSON.parse(state!.serializedOutput!)).toEqual({
      afterAdd: 6,
      inSection: true,
      localValue: 10,
      failed: true,
    });
  });

  it('calls an SDK entity from an in-process orchestration', async () => {
    const id = await client.scheduleNewOrchestration('LocalCallsRemote', 'from-local');
    const state = await client.waitForOrchestrationCompletion(id, true, 60);
    expect(JSON.parse(state!.serializedOutput!)).toBe(2);
  });

  it('carries out the signals and orchestration starts of an SDK entity', async () => {
    const id = new EntityInstanceId('RemoteCounter', 'relay');
    await client.signalEntity(id, 'add', 4);
    await client.signalEntity(id, 'relay', 'relay');
    expect(await stateOf(new EntityInstanceId('LocalCounter', 'relay'), 4)).toBe(4);
    const echoed = await client.waitForOrchestrationCompletion('echo-relay', true, 60);
    expect(JSON.parse(echoed!.serializedOutput!)).toBe(4);
  });

  it('cleans entity storage', async () => {
    const result = await client.cleanEntityStorage();
    expect(result).toMatchObject({ emptyEntitiesRemoved: expect.any(Number), orphanedLocksReleased: 0 });
  });
});
