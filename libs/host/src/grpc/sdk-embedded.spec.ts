// The official Durable Task JavaScript SDK (@microsoft/durabletask-js, unchanged) against the
// embedded product's gRPC endpoint: its worker runs orchestrations and activities, its client
// manages them, beside in-process TypeScript registrations.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  HistoryEventType,
  NoOpLogger,
  OrchestrationStatus,
  RetryPolicy,
  TaskHubGrpcClient,
  TaskHubGrpcWorker,
  whenAll,
  whenAny,
  type ActivityContext,
  type OrchestrationContext,
  type Task,
} from '@microsoft/durabletask-js';
import { defineActivity, defineOrchestration, Registry } from '@durable/engine';
import { GrpcFrontend, WorkItemHub } from '@durable/grpc';
import { EmbeddedPlatform } from '../embedded/embedded-platform';

jest.setTimeout(60_000);

const localShout = defineActivity('LocalShout', async (text: string) => text.toUpperCase());
const localGreeting = defineOrchestration('LocalGreeting', async (ctx, name: string) =>
  ctx.callActivity('RemoteHello', name),
);

let dataDir: string;
let platform: EmbeddedPlatform;
let grpc: GrpcFrontend;
let hub: WorkItemHub;
let address: string;
let client: TaskHubGrpcClient;
let worker: TaskHubGrpcWorker;
const failuresBeforeSuccess = new Map<string, number>();

const hello = async (_: ActivityContext, name: string): Promise<string> => `Hello ${name}!`;
const square = async (_: ActivityContext, n: number): Promise<number> => n * n;
const flaky = async (_: ActivityContext, key: string): Promise<string> => {
  const left = failuresBeforeSuccess.get(key) ?? 0;
  if (left > 0) {
    failuresBeforeSuccess.set(key, left - 1);
    throw new Error(`flaky failure, ${left} left`);
  }
  return `ok ${key}`;
};

async function* sequence(ctx: OrchestrationContext): AsyncGenerator<Task<string>, string[], string> {
  const out: string[] = [];
  for (const city of ['Tokyo', 'Seattle', 'London']) out.push(yield ctx.callActivity('RemoteHello', city));
  return out;
}

async function* fanOut(
  ctx: OrchestrationContext,
  n: number,
): AsyncGenerator<Task<number[]>, number, number[]> {
  const tasks = Array.from({ length: n }, (_, i) => ctx.callActivity<number, number>('Square', i + 1));
  const results: number[] = yield whenAll(tasks);
  return results.reduce((a, b) => a + b, 0);
}

async function* timer(ctx: OrchestrationContext): AsyncGenerator<Task<unknown>, string, unknown> {
  const start = ctx.currentUtcDateTime.getTime();
  yield ctx.createTimer(1);
  return ctx.currentUtcDateTime.getTime() - start >= 1000 ? 'fired' : 'early';
}

async function* approval(
  ctx: OrchestrationContext,
  timeoutSeconds: number,
): AsyncGenerator<Task<unknown>, string, unknown> {
  const event = ctx.waitForExternalEvent('Approval');
  const deadline = ctx.createTimer(timeoutSeconds);
  const winner = yield whenAny([event, deadline]);
  return winner === event ? `approved: ${String(event.getResult())}` : 'timed out';
}

async function* parent(ctx: OrchestrationContext): AsyncGenerator<Task<unknown>, unknown, unknown> {
  const child = yield ctx.callSubOrchestrator('Sequence', undefined, {
    instanceId: `${ctx.instanceId}-child`,
  });
  const local = yield ctx.callSubOrchestrator('LocalGreeting', 'from a remote parent');
  return { child, local };
}

async function* retrying(
  ctx: OrchestrationContext,
  key: string,
): AsyncGenerator<Task<string>, string, string> {
  const retry = new RetryPolicy({ maxNumberOfAttempts: 3, firstRetryIntervalInMilliseconds: 100 });
  return yield ctx.callActivity('Flaky', key, { retry });
}

async function* counter(
  ctx: OrchestrationContext,
  n: number,
): AsyncGenerator<Task<unknown>, number, unknown> {
  if (n < 5) {
    yield ctx.createTimer(0);
    ctx.continueAsNew(n + 1, false);
    return n;
  }
  return n;
}

async function* waiter(ctx: OrchestrationContext): AsyncGenerator<Task<unknown>, unknown, unknown> {
  ctx.setCustomStatus('waiting');
  const value = yield ctx.waitForExternalEvent('Go');
  return value;
}

async function* usesLocalActivity(ctx: OrchestrationContext): AsyncGenerator<Task<string>, string, string> {
  return yield ctx.callActivity('LocalShout', 'quiet');
}

async function* handoverFlow(ctx: OrchestrationContext): AsyncGenerator<Task<string>, string, string> {
  return yield ctx.callActivity('Handover', 'x');
}

function newWorker(
  activities: Record<string, (ctx: ActivityContext, input: never) => unknown>,
): TaskHubGrpcWorker {
  const w = new TaskHubGrpcWorker({ hostAddress: address, logger: new NoOpLogger(), shutdownTimeoutMs: 200 });
  for (const [name, fn] of Object.entries(activities)) w.addNamedActivity(name, fn as never);
  return w;
}

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'durable-grpc-'));
  hub = new WorkItemHub({ pingIntervalMs: 1000 });
  const registry = new Registry().add(localShout, localGreeting);
  platform = await EmbeddedPlatform.start({ dataDir, registry, partitions: 4, remote: hub });
  grpc = await GrpcFrontend.start({ client: platform.client, hub, host: '127.0.0.1', port: 0 });
  address = `127.0.0.1:${grpc.port}`;
  client = new TaskHubGrpcClient({ hostAddress: address, logger: new NoOpLogger() });
  worker = newWorker({ RemoteHello: hello, Square: square, Flaky: flaky });
  worker.addNamedOrchestrator('Sequence', sequence);
  worker.addNamedOrchestrator('FanOut', fanOut);
  worker.addNamedOrchestrator('Timer', timer);
  worker.addNamedOrchestrator('Approval', approval);
  worker.addNamedOrchestrator('Parent', parent);
  worker.addNamedOrchestrator('Retrying', retrying);
  worker.addNamedOrchestrator('Counter', counter);
  worker.addNamedOrchestrator('Waiter', waiter);
  worker.addNamedOrchestrator('UsesLocalActivity', usesLocalActivity);
  await worker.start();
});

afterAll(async () => {
  await worker?.stop().catch(() => undefined);
  await client?.stop();
  await grpc?.stop();
  await platform?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

async function run(name: string, input?: unknown, instanceId?: string) {
  const id = await client.scheduleNewOrchestration(name, input, instanceId);
  const state = await client.waitForOrchestrationCompletion(id, true, 60);
  return { id, state };
}

describe('the official JS SDK over gRPC (embedded)', () => {
  it('runs a sequence of activities on the SDK worker', async () => {
    const { state } = await run('Sequence');
    expect(state?.runtimeStatus).toBe(OrchestrationStatus.COMPLETED);
    expect(JSON.parse(state!.serializedOutput!)).toEqual(['Hello Tokyo!', 'Hello Seattle!', 'Hello London!']);
  });

  it('fans out 50 activities and fans in their sum', async () => {
    const { state } = await run('FanOut', 50);
    expect(state?.runtimeStatus).toBe(OrchestrationStatus.COMPLETED);
    expect(JSON.parse(state!.serializedOutput!)).toBe(42925);
  });

  it('waits on a durable timer', async () => {
    const { state } = await run('Timer');
    expect(JSON.parse(state!.serializedOutput!)).toBe('fired');
  });

  it('receives a raised event before its timeout', async () => {
    const id = await client.scheduleNewOrchestration('Approval', 60);
    await client.waitForOrchestrationStart(id);
    await client.raiseOrchestrationEvent(id, 'Approval', 'yes');
    const state = await client.waitForOrchestrationCompletion(id, true, 60);
    expect(JSON.parse(state!.serializedOutput!)).toBe('approved: yes');
  });

  it('times out waiting for an event that never comes', async () => {
    const { state } = await run('Approval', 1);
    expect(JSON.parse(state!.serializedOutput!)).toBe('timed out');
  });

  it('runs sub-orchestrations, remote and in-process', async () => {
    const { state } = await run('Parent');
    expect(JSON.parse(state!.serializedOutput!)).toEqual({
      child: ['Hello Tokyo!', 'Hello Seattle!', 'Hello London!'],
      local: 'Hello from a remote parent!',
    });
  });

  it('calls an in-process activity from a remote orchestration', async () => {
    const { state } = await run('UsesLocalActivity');
    expect(JSON.parse(state!.serializedOutput!)).toBe('QUIET');
  });

  it('retries a failing activity by its retry policy', async () => {
    failuresBeforeSuccess.set('r1', 2);
    const { state } = await run('Retrying', 'r1');
    expect(JSON.parse(state!.serializedOutput!)).toBe('ok r1');
  });

  it('fails the orchestration when retries run out, with the failure details', async () => {
    failuresBeforeSuccess.set('r2', 5);
    const { state } = await run('Retrying', 'r2');
    expect(state?.runtimeStatus).toBe(OrchestrationStatus.FAILED);
    expect(state?.failureDetails?.message).toContain('flaky failure');
  });

  it('continues as new until done', async () => {
    const { state } = await run('Counter', 0);
    expect(JSON.parse(state!.serializedOutput!)).toBe(5);
  });

  it('terminates a running instance', async () => {
    const id = await client.scheduleNewOrchestration('Waiter');
    await client.waitForOrchestrationStart(id);
    await client.terminateOrchestration(id, 'enough');
    const state = await client.waitForOrchestrationCompletion(id, true, 60);
    expect(state?.runtimeStatus).toBe(OrchestrationStatus.TERMINATED);
  });

  it('suspends and resumes an instance', async () => {
    const id = await client.scheduleNewOrchestration('Waiter');
    await client.waitForOrchestrationStart(id);
    await client.suspendOrchestration(id);
    for (;;) {
      const state = await client.getOrchestrationState(id);
      if (state?.runtimeStatus === OrchestrationStatus.SUSPENDED) break;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    await client.raiseOrchestrationEvent(id, 'Go', 42);
    await client.resumeOrchestration(id);
    const state = await client.waitForOrchestrationCompletion(id, true, 60);
    expect(state?.runtimeStatus).toBe(OrchestrationStatus.COMPLETED);
    expect(JSON.parse(state!.serializedOutput!)).toBe(42);
  });

  it('reads the custom status and queries instances', async () => {
    const id = await client.scheduleNewOrchestration('Waiter', undefined, 'query-me');
    for (;;) {
      const state = await client.getOrchestrationState(id);
      if (state?.serializedCustomStatus !== undefined) {
        expect(JSON.parse(state.serializedCustomStatus)).toBe('waiting');
        break;
      }
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const found: string[] = [];
    for await (const state of client.getAllInstances({ instanceIdPrefix: 'query-' }))
      found.push(state.instanceId);
    expect(found).toEqual(['query-me']);
    const page = await client.listInstanceIds({ runtimeStatus: [OrchestrationStatus.RUNNING] });
    expect(page.values).toContain('query-me');
    await client.raiseOrchestrationEvent(id, 'Go', 'done');
    await client.waitForOrchestrationCompletion(id, true, 60);
  });

  it('streams the history, rewinds a failed instance and restarts a finished one', async () => {
    const { id } = await run('Sequence');
    const history = await client.getOrchestrationHistory(id);
    expect(history.filter((e) => e.type === HistoryEventType.TaskCompleted)).toHaveLength(3);

    failuresBeforeSuccess.set('rw', 3);
    const failed = await run('Retrying', 'rw');
    expect(failed.state?.runtimeStatus).toBe(OrchestrationStatus.FAILED);
    await client.rewindInstance(failed.id, 'try again');
    const rewound = await client.waitForOrchestrationCompletion(failed.id, true, 60);
    expect(rewound?.runtimeStatus).toBe(OrchestrationStatus.COMPLETED);
    expect(JSON.parse(rewound!.serializedOutput!)).toBe('ok rw');

    const again = await client.restartOrchestration(id, true);
    expect(again).not.toBe(id);
    const restarted = await client.waitForOrchestrationCompletion(again, true, 60);
    expect(JSON.parse(restarted!.serializedOutput!)).toEqual([
      'Hello Tokyo!',
      'Hello Seattle!',
      'Hello London!',
    ]);
  });

  it('purges a finished instance', async () => {
    const { id } = await run('Sequence');
    const purged = await client.purgeOrchestration(id);
    expect(purged?.deletedInstanceCount).toBe(1);
    expect(await client.getOrchestrationState(id)).toBeUndefined();
  });

  it('starts an in-process orchestration from the SDK client', async () => {
    const { state } = await run('LocalGreeting', 'SDK');
    expect(JSON.parse(state!.serializedOutput!)).toBe('Hello SDK!');
  });

  it('answers NOT_FOUND and ALREADY_EXISTS with their gRPC codes', async () => {
    await expect(client.raiseOrchestrationEvent('no-such-instance', 'x')).rejects.toMatchObject({ code: 5 });
    const id = await client.scheduleNewOrchestration('Waiter', undefined, 'taken');
    await expect(client.scheduleNewOrchestration('Waiter', undefined, 'taken')).rejects.toMatchObject({
      code: 6,
    });
    await client.terminateOrchestration(id);
  });

  it('delivers a work item again when its worker disconnects mid activity', async () => {
    let started!: () => void;
    const activityStarted = new Promise<void>((resolve) => (started = resolve));
    const stuck = newWorker({
      Handover: () => {
        started();
        return new Promise<never>(() => undefined);
      },
    });
    stuck.addNamedOrchestrator('HandoverFlow', handoverFlow);
    // The main worker would also take these; stop it so the stuck one gets them.
    await worker.stop();
    await stuck.start();
    const id = await client.scheduleNewOrchestration('HandoverFlow');
    await activityStarted;
    await stuck.stop();
    const rescuer = newWorker({ Handover: async () => 'rescued' });
    rescuer.addNamedOrchestrator('HandoverFlow', handoverFlow);
    await rescuer.start();
    try {
      const state = await client.waitForOrchestrationCompletion(id, true, 60);
      expect(JSON.parse(state!.serializedOutput!)).toBe('rescued');
    } finally {
      await rescuer.stop();
    }
  });
});
