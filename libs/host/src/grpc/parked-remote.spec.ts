// An orchestration or entity routed to remote workers while none can run it is parked: its partition
// keeps serving every other instance, and the parked one runs once a worker connects, across restarts.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  NoOpLogger,
  TaskEntity,
  TaskHubGrpcWorker,
  type OrchestrationContext,
  type Task,
} from '@microsoft/durabletask-js';
import {
  defineActivity,
  defineEntity,
  defineOrchestration,
  Registry,
  type EntityContext,
} from '@durable/engine';
import { GrpcFrontend, WorkItemHub } from '@durable/grpc';
import { EmbeddedPlatform } from '../embedded/embedded-platform';

jest.setTimeout(60_000);

const shout = defineActivity('LocalShout', async (text: string) => text.toUpperCase());
const localFlow = defineOrchestration('LocalFlow', async (ctx, text: string) =>
  ctx.callActivity('LocalShout', text),
);
const localCounter = defineEntity('LocalCounter', (ctx: EntityContext<number>) => {
  ctx.setState((ctx.getState(() => 0) ?? 0) + ctx.getInput<number>());
});
const registry = new Registry().add(shout, localFlow, localCounter);

class RemoteCounter extends TaskEntity<number> {
  protected override initializeState(): number {
    return 0;
  }
  add(amount: number): void {
    this.state += amount;
  }
}

async function* remoteFlow(
  ctx: OrchestrationContext,
  name: string,
): AsyncGenerator<Task<string>, string, string> {
  return yield ctx.callActivity('RemoteHello', name);
}

let dataDir: string;
let platform: EmbeddedPlatform | undefined;
let grpc: GrpcFrontend | undefined;
let hub: WorkItemHub;

async function startProduct(parkedRetryMs: number): Promise<void> {
  hub = new WorkItemHub({ pingIntervalMs: 1000, answerTimeoutMs: 300 });
  // One partition: the parked instance and the in-process ones share it.
  platform = await EmbeddedPlatform.start({ dataDir, registry, partitions: 1, remote: hub, parkedRetryMs });
  grpc = await GrpcFrontend.start({ client: platform.client, hub, host: '127.0.0.1', port: 0 });
}

async function stopProduct(): Promise<void> {
  await grpc?.stop();
  await platform?.stop();
  grpc = undefined;
  platform = undefined;
}

async function until(check: () => Promise<boolean> | boolean, what: string): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

beforeEach(() => {
  dataDir = mkdtempSync(join(tmpdir(), 'durable-parked-'));
});

afterEach(async () => {
  await stopProduct();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('an instance waiting for a remote worker', () => {
  it('is parked while no worker serves it, keeps it through a restart, and runs when one connects', async () => {
    await startProduct(200);
    const client = () => (platform as EmbeddedPlatform).client;
    await client().start('RemoteFlow', { instanceId: 'parked-1', input: '"Ada"', remote: true });
    await until(() => hub.refusedInstances === 1, 'the episode to be refused');

    const local = await client().start('LocalFlow', { input: '"same partition"' });
    const done = await client().waitForCompletion(local.instanceId, { timeoutMs: 20_000 });
    expect(done?.runtimeStatus).toBe('Completed');
    expect(done?.output).toBe('"SAME PARTITION"');
    expect((await client().getStatus('parked-1'))?.runtimeStatus).toBe('Pending');
    const waiting = await client().getWaiting('parked-1');
    expect(waiting?.notes).toEqual([
      "no connected worker runs orchestration 'RemoteFlow': 1 new event(s) are parked until a worker that has it connects",
    ]);
    expect(waiting?.events).toBeNull();
    expect(waiting?.partitionOwned).toBe(true);

    await stopProduct();
    // A long retry: after the restart the stored wake timer runs it once, then only a worker wakes it.
    await startProduct(60_000);
    await until(() => hub.refusedInstances === 1, 'the episode to be refused after the restart');
    expect((await client().getStatus('parked-1'))?.runtimeStatus).toBe('Pending');

    const worker = new TaskHubGrpcWorker({
      hostAddress: `127.0.0.1:${(grpc as GrpcFrontend).port}`,
      logger: new NoOpLogger(),
      shutdownTimeoutMs: 200,
    });
    worker.addNamedOrchestrator('RemoteFlow', remoteFlow);
    worker.addNamedActivity('RemoteHello', async (_ctx, name: string) => `Hello ${name}!`);
    await worker.start();
    try {
      const status = await client().waitForCompletion('parked-1', { timeoutMs: 20_000 });
      expect(status?.runtimeStatus).toBe('Completed');
      expect(status?.output).toBe('"Hello Ada!"');
    } finally {
      await worker.stop();
    }
  });

  it('is taken back from a worker that does not answer, without holding up its partition', async () => {
    await startProduct(200);
    const client = (platform as EmbeddedPlatform).client;
    const silent = hub.connect({ write: () => undefined, end: () => undefined });
    await client.start('RemoteFlow', { instanceId: 'parked-2', input: '"Bo"', remote: true });
    for (let i = 0; i < 3; i++) {
      const local = await client.start('LocalFlow', { input: `"run ${i}"` });
      const done = await client.waitForCompletion(local.instanceId, { timeoutMs: 20_000 });
      expect(done?.runtimeStatus).toBe('Completed');
    }
    silent();
    expect((await client.getStatus('parked-2'))?.runtimeStatus).toBe('Pending');
  });

  it('terminates without a worker', async () => {
    await startProduct(200);
    const client = (platform as EmbeddedPlatform).client;
    await client.start('RemoteFlow', { instanceId: 'parked-3', input: '"Cy"', remote: true });
    await until(() => hub.refusedInstances === 1, 'the episode to be refused');
    await client.terminate('parked-3', 'no worker today');
    const status = await client.waitForCompletion('parked-3', { timeoutMs: 20_000 });
    expect(status?.runtimeStatus).toBe('Terminated');
  });

  it('parks an entity no worker serves, keeps its signals through a restart, and runs them when one connects', async () => {
    await startProduct(200);
    const client = () => (platform as EmbeddedPlatform).client;
    const remote = { name: 'RemoteCounter', key: 'k' };
    await client().signalEntity(remote, 'add', '2', { remote: true });
    await client().signalEntity(remote, 'add', '3', { remote: true });
    await until(() => hub.refusedInstances === 1, 'the entity batch to be refused');
    await client().signalEntity({ name: 'LocalCounter', key: 'k' }, 'add', '1');
    await until(
      async () => (await client().getEntity({ name: 'LocalCounter', key: 'k' }))?.state === '1',
      'the in-process entity',
    );
    expect(await client().getEntity(remote)).toBeUndefined();

    await stopProduct();
    await startProduct(60_000);
    await until(() => hub.refusedInstances === 1, 'the entity batch to be refused after the restart');
    const worker = new TaskHubGrpcWorker({
      hostAddress: `127.0.0.1:${(grpc as GrpcFrontend).port}`,
      logger: new NoOpLogger(),
      shutdownTimeoutMs: 200,
    });
    worker.addNamedEntity('RemoteCounter', () => new RemoteCounter());
    await worker.start();
    try {
      await until(
        async () => (await client().getEntity(remote))?.state === '5',
        'the parked signals to apply',
      );
    } finally {
      await worker.stop();
    }
  });
});
