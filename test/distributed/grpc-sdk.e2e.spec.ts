// The official Durable Task JavaScript SDK (@microsoft/durabletask-js, unchanged) against the
// distributed product: its worker connects to the frontend's gRPC port; orchestration and activity
// workers (separate processes, on Kafka and Cosmos DB) hand it the work of names they do not have.
import {
  EntityInstanceId,
  NoOpLogger,
  OrchestrationStatus,
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
