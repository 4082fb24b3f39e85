// The official Durable Task JavaScript SDK (@microsoft/durabletask-js, unchanged) against the
// distributed product: its worker connects to the frontend's gRPC port; orchestration and activity
// workers (separate processes, on Kafka and Cosmos DB) hand it the work of names they do not have.
import {
  EntityInstanceId,
  NoOpLogger,
  OrchestrationStatus,
  RetryPolicy,
  TaskEntity,
  TaskHubGrpcClient,
  TaskHubGrpcWorker,
  whenAll,
  whenAny,
  type ActivityContext,
  type OrchestrationContext,
  type Task,
} from '@microsoft/durabletask-js';
import { freePort } from '@durable/tools/net';
import { DistributedCluster } from '@durable/tools/servers';

async function* sequence(ctx: OrchestrationContext): AsyncGenerator<Task<string>, string[], string> {
  const out: string[] = [];
  for (const city of ['Tokyo', 'Seattle', 'London']) out.push(yield ctx.callActivity('SdkHello', city));
  return out;
}

async function* fanOut(
  ctx: OrchestrationContext,
  n: number,
): AsyncGenerator<Task<number[]>, number, number[]> {
  const results: number[] = yield whenAll(
    Array.from({ length: n }, (_, i) => ctx.callActivity<number, number>('SdkSquare', i + 1)),
  );
  return results.reduce((a, b) => a + b, 0);
}

async function* approval(ctx: OrchestrationContext): AsyncGenerator<Task<unknown>, string, unknown> {
  const event = ctx.waitForExternalEvent('Approval');
  const winner = yield whenAny([event, ctx.createTimer(120)]);
  return winner === event ? `approved: ${String(event.getResult())}` : 'timed out';
}

async function* usesSample(ctx: OrchestrationContext): AsyncGenerator<Task<string>, string, string> {
  // SayHello is registered in process, in the sample app the worker processes run.
  return yield ctx.callActivity('SayHello', 'gRPC');
}

async function* timer(ctx: OrchestrationContext): AsyncGenerator<Task<unknown>, string, unknown> {
  const start = ctx.currentUtcDateTime.getTime();
  yield ctx.createTimer(1);
  return ctx.currentUtcDateTime.getTime() - start >= 1000 ? 'fired' : 'early';
}

async function* parent(ctx: OrchestrationContext): AsyncGenerator<Task<unknown>, unknown, unknown> {
  const child = yield ctx.callSubOrchestrator('SdkSequence', undefined, {
    instanceId: `${ctx.instanceId}-child`,
  });
  const local = yield ctx.callSubOrchestrator('HelloSequence');
  return { child, local };
}

const failuresBeforeSuccess = new Map<string, number>();

async function* retrying(
  ctx: OrchestrationContext,
  key: string,
): AsyncGenerator<Task<string>, string, string> {
  const retry = new RetryPolicy({ maxNumberOfAttempts: 3, firstRetryIntervalInMilliseconds: 100 });
  return yield ctx.callActivity('SdkFlaky', key, { retry });
}

async function* eternal(
  ctx: OrchestrationContext,
  n: number,
): AsyncGenerator<Task<unknown>, number, unknown> {
  if (n < 3) {
    yield ctx.createTimer(0);
    ctx.continueAsNew(n + 1, false);
  }
  return n;
}

async function* waiter(ctx: OrchestrationContext): AsyncGenerator<Task<unknown>, unknown, unknown> {
  ctx.setCustomStatus('waiting');
  return yield ctx.waitForExternalEvent('Go');
}

class SdkCounter extends TaskEntity<number> {
  protected override initializeState(): number {
    return 0;
  }
  add(amount: number): number {
    this.state += amount;
    return this.state;
  }
}

async function* countsTwice(
  ctx: OrchestrationContext,
  key: string,
): AsyncGenerator<Task<number>, number, number> {
  const id = new EntityInstanceId('SdkCounter', key);
  ctx.entities.signalEntity(id, 'add', 1);
  return yield ctx.entities.callEntity<number>(id, 'add', 2);
}

describe('the official JS SDK over gRPC (distributed)', () => {
  let cluster: DistributedCluster;
  let client: TaskHubGrpcClient;
  let worker: TaskHubGrpcWorker;

  beforeAll(async () => {
    const grpcPort = await freePort();
    cluster = await DistributedCluster.start({
      orchestrationWorkers: 1,
      activityWorkers: 1,
      partitions: 4,
      env: { GRPC_PORT: String(grpcPort), DURABLE_GRPC_FRONTEND: `127.0.0.1:${grpcPort}` },
    });
    const address = `127.0.0.1:${grpcPort}`;
    client = new TaskHubGrpcClient({ hostAddress: address, logger: new NoOpLogger() });
    worker = new TaskHubGrpcWorker({
      hostAddress: address,
      logger: new NoOpLogger(),
      shutdownTimeoutMs: 200,
    });
    worker.addNamedActivity('SdkHello', async (_: ActivityContext, name: string) => `Hello ${name}!`);
    worker.addNamedActivity('SdkSquare', async (_: ActivityContext, n: number) => n * n);
    worker.addNamedActivity('SdkFlaky', async (_: ActivityContext, key: string) => {
      const left = failuresBeforeSuccess.get(key) ?? 0;
      failuresBeforeSuccess.set(key, left - 1);
      if (left > 0) throw new Error(`flaky failure, ${left} to go`);
      return `ok ${key}`;
    });
    worker.addNamedOrchestrator('SdkTimer', timer);
    worker.addNamedOrchestrator('SdkParent', parent);
    worker.addNamedOrchestrator('SdkRetrying', retrying);
    worker.addNamedOrchestrator('SdkEternal', eternal);
    worker.addNamedOrchestrator('SdkWaiter', waiter);
    worker.addNamedOrchestrator('SdkSequence', sequence);
    worker.addNamedOrchestrator('SdkFanOut', fanOut);
    worker.addNamedOrchestrator('SdkApproval', approval);
    worker.addNamedOrchestrator('SdkUsesSample', usesSample);
    worker.addNamedOrchestrator('SdkCountsTwice', countsTwice);
    worker.addNamedEntity('SdkCounter', () => new SdkCounter());
    await worker.start();
  }, 240_000);

  afterAll(async () => {
    await worker?.stop().catch(() => undefined);
    await client?.stop();
    await cluster?.stop();
  }, 120_000);

  async function run(name: string, input?: unknown) {
    const id = await client.scheduleNewOrchestration(name, input);
    return client.waitForOrchestrationCompletion(id, true, 110);
  }

  it('runs a sequence of SDK activities', async () => {
    const state = await run('SdkSequence');
    expect(state?.runtimeStatus).toBe(OrchestrationStatus.COMPLETED);
    expect(JSON.parse(state!.serializedOutput!)).toEqual(['Hello Tokyo!', 'Hello Seattle!', 'Hello London!']);
  });

  it('fans out and in', async () => {
    const state = await run('SdkFanOut', 20);
    expect(JSON.parse(state!.serializedOutput!)).toBe(2870);
  });

  it('receives a raised event', async () => {
    const id = await client.scheduleNewOrchestration('SdkApproval');
    await client.waitForOrchestrationStart(id);
    await client.raiseOrchestrationEvent(id, 'Approval', 'yes');
    const state = await client.waitForOrchestrationCompletion(id, true, 110);
    expect(JSON.parse(state!.serializedOutput!)).toBe('approved: yes');
  });

  it('calls an in-process activity from an SDK orchestration, and starts an in-process one', async () => {
    expect(JSON.parse((await run('SdkUsesSample'))!.serializedOutput!)).toBe('Hello gRPC!');
    const state = await run('HelloSequence');
    expect(JSON.parse(state!.serializedOutput!)).toEqual(['Hello Tokyo!', 'Hello Seattle!', 'Hello London!']);
  });

  it('waits on a durable timer', async () => {
    expect(JSON.parse((await run('SdkTimer'))!.serializedOutput!)).toBe('fired');
  });

  it('runs sub-orchestrations, remote and in-process', async () => {
    expect(JSON.parse((await run('SdkParent'))!.serializedOutput!)).toEqual({
      child: ['Hello Tokyo!', 'Hello Seattle!', 'Hello London!'],
      local: ['Hello Tokyo!', 'Hello Seattle!', 'Hello London!'],
    });
  });

  it('retries by the retry policy, and fails with the details when retries run out', async () => {
    failuresBeforeSuccess.set('d-r1', 2);
    expect(JSON.parse((await run('SdkRetrying', 'd-r1'))!.serializedOutput!)).toBe('ok d-r1');
    failuresBeforeSuccess.set('d-r2', 5);
    const failed = await run('SdkRetrying', 'd-r2');
    expect(failed?.runtimeStatus).toBe(OrchestrationStatus.FAILED);
    expect(failed?.failureDetails?.message).toContain('flaky failure');
  });

  it('continues as new until done', async () => {
    expect(JSON.parse((await run('SdkEternal', 0))!.serializedOutput!)).toBe(3);
  });

  it('suspends, resumes, terminates, queries and purges', async () => {
    const id = await client.scheduleNewOrchestration('SdkWaiter', undefined, 'd-query-me');
    await client.waitForOrchestrationStart(id);
    await client.suspendOrchestration(id);
    for (;;) {
      const state = await client.getOrchestrationState(id);
      if (state?.runtimeStatus === OrchestrationStatus.SUSPENDED) break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    await client.raiseOrchestrationEvent(id, 'Go', 42);
    await client.resumeOrchestration(id);
    const resumed = await client.waitForOrchestrationCompletion(id, true, 110);
    expect(JSON.parse(resumed!.serializedOutput!)).toBe(42);

    const found: string[] = [];
    for await (const state of client.getAllInstances({ instanceIdPrefix: 'd-query-' }))
      found.push(state.instanceId);
    expect(found).toEqual(['d-query-me']);
    expect((await client.purgeOrchestration(id))?.deletedInstanceCount).toBe(1);
    expect(await client.getOrchestrationState(id)).toBeUndefined();

    const doomed = await client.scheduleNewOrchestration('SdkWaiter');
    await client.waitForOrchestrationStart(doomed);
    await client.terminateOrchestration(doomed, 'enough');
    const ended = await client.waitForOrchestrationCompletion(doomed, true, 110);
    expect(ended?.runtimeStatus).toBe(OrchestrationStatus.TERMINATED);
  });

  it('runs SDK entities: client signals, and an SDK orchestration that signals and calls one', async () => {
    expect(JSON.parse((await run('SdkCountsTwice', 'd1'))!.serializedOutput!)).toBe(3);
    const id = new EntityInstanceId('SdkCounter', 'd1');
    await client.signalEntity(id, 'add', 10);
    const deadline = Date.now() + 60_000;
    while ((await client.getEntity<number>(id))?.state !== 13 && Date.now() < deadline)
      await new Promise((resolve) => setTimeout(resolve, 50));
    expect((await client.getEntity<number>(id))?.state).toBe(13);
  });
});
