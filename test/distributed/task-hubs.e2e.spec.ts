// Two task hubs served by one distributed deployment (TASK_HUBS), on the real Kafka broker and the
// Cosmos DB protocol server: the workers serve both hubs, each on its own topics and containers; an
// instance of one hub is invisible from the other, even under the same id; the official JS SDK's
// worker connected for one hub runs that hub's work, relayed by the worker processes.
import { randomUUID } from 'node:crypto';
import * as grpc from '@grpc/grpc-js';
import {
  NoOpLogger,
  OrchestrationStatus,
  TaskHubGrpcClient,
  TaskHubGrpcWorker,
  type ActivityContext,
  type OrchestrationContext,
  type Task,
} from '@microsoft/durabletask-js';
import { Kafka, logLevel } from 'kafkajs';
import { freePort } from '@durable/tools/net';
import { DistributedCluster } from '@durable/tools/servers';
import { join } from 'node:path';
import { waitForOutput } from '../support/durable-process';

const suffix = randomUUID().slice(0, 8);
const alpha = `alpha-${suffix}`;
const beta = `beta-${suffix}`;

describe('two task hubs in distributed mode', () => {
  let cluster: DistributedCluster;
  let grpcPort: number;

  beforeAll(async () => {
    grpcPort = await freePort();
    cluster = await DistributedCluster.start({
      orchestrationWorkers: 1,
      activityWorkers: 1,
      partitions: 2,
      app: join(__dirname, '..', 'fixtures', 'distributed-app.ts'),
      env: {
        TASK_HUB: alpha,
        TASK_HUBS: `${alpha},${beta}`,
        GRPC_PORT: String(grpcPort),
        DURABLE_GRPC_FRONTEND: `127.0.0.1:${grpcPort}`,
      },
    });
  }, 240_000);

  afterAll(async () => {
    await cluster?.stop();
  }, 120_000);

  const api = (path: string) => `${cluster.frontend.baseUrl}${path}`;
  const start = (hub: string | undefined, id: string, input: number) =>
    fetch(api(`/orchestrators/Seq/${id}${hub === undefined ? '' : `?taskHub=${hub}`}`), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(input),
    });

  it('runs the same instance id in both hubs apart, each seeing only its own', async () => {
    expect((await start(undefined, 'same-id', 1)).status).toBe(202);
    const inBeta = await start(beta, 'same-id', 2);
    expect(inBeta.status).toBe(202);
    const { statusQueryGetUri } = (await inBeta.json()) as { statusQueryGetUri: string };
    expect(statusQueryGetUri).toContain(`taskHub=${beta}`);

    const ofAlpha = await waitForOutput(api('/instances/same-id'), 90_000);
    const ofBeta = await waitForOutput(statusQueryGetUri, 90_000);
    expect(ofAlpha).toMatchObject({ status: 200, body: { output: ['1-0', '1-1', '1-2'] } });
    expect(ofBeta).toMatchObject({ status: 200, body: { output: ['2-0', '2-1', '2-2'] } });

    expect((await start(beta, 'only-beta', 3)).status).toBe(202);
    expect((await waitForOutput(api(`/instances/only-beta?taskHub=${beta}`), 90_000)).status).toBe(200);
    const missing = await fetch(api('/instances/only-beta'));
    expect(missing.status).toBe(404);
    expect((await fetch(api(`/instances/only-beta?taskHub=${alpha}`))).status).toBe(404);
  }, 200_000);

  it('keeps each hub on its own topics', async () => {
    const admin = new Kafka({ brokers: [cluster.broker.brokers], logLevel: logLevel.NOTHING }).admin();
    await admin.connect();
    try {
      const topics = await admin.listTopics();
      for (const hub of [alpha, beta])
        expect(topics).toEqual(expect.arrayContaining([`${hub}.partitions`, `${hub}.activities`]));
      const groups = (await admin.listGroups()).groups.map((g) => g.groupId);
      for (const hub of [alpha, beta])
        expect(groups).toEqual(
          expect.arrayContaining([`${hub}.orchestration-workers`, `${hub}.activity-workers`]),
        );
    } finally {
      await admin.disconnect();
    }
  });

  it('answers 404 with the reason for a hub it does not serve', async () => {
    const response = await fetch(api('/instances?taskHub=gamma'));
    expect(response.status).toBe(404);
    expect(await response.json()).toEqual({
      error: 'TaskHubNotFoundError',
      message: `task hub 'gamma' is not served here (served: ${alpha}, ${beta})`,
    });
  });

  it("runs an SDK worker's orchestration in the hub it connected for, relayed by the worker processes", async () => {
    const address = `127.0.0.1:${grpcPort}`;
    const inHub = (hub: string) => () => {
      const metadata = new grpc.Metadata();
      metadata.set('taskhub', hub);
      return Promise.resolve(metadata);
    };
    const worker = new TaskHubGrpcWorker({
      hostAddress: address,
      metadataGenerator: inHub(beta),
      logger: new NoOpLogger(),
      shutdownTimeoutMs: 200,
    });
    worker.addNamedActivity(
      'BetaHello',
      async (_: ActivityContext, name: string) => `Hello ${name} from beta!`,
    );
    worker.addNamedOrchestrator(
      'BetaFlow',
      async function* (
        ctx: OrchestrationContext,
        name: string,
      ): AsyncGenerator<Task<string>, string, string> {
        return yield ctx.callActivity('BetaHello', name);
      },
    );
    await worker.start();
    const betaClient = new TaskHubGrpcClient({
      hostAddress: address,
      metadataGenerator: inHub(beta),
      logger: new NoOpLogger(),
    });
    const alphaClient = new TaskHubGrpcClient({
      hostAddress: address,
      metadataGenerator: inHub(alpha),
      logger: new NoOpLogger(),
    });
    try {
      const id = await betaClient.scheduleNewOrchestration('BetaFlow', 'Ada');
      const state = await betaClient.waitForOrchestrationCompletion(id, true, 110);
      expect(state?.runtimeStatus).toBe(OrchestrationStatus.COMPLETED);
      expect(state?.serializedOutput).toBe(JSON.stringify('Hello Ada from beta!'));
      expect(await alphaClient.getOrchestrationState(id)).toBeUndefined();
    } finally {
      await betaClient.stop();
      await alphaClient.stop();
      await worker.stop().catch(() => undefined);
    }
  }, 150_000);
});
