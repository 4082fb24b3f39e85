// `GET /instances/{id}/waiting` in distributed mode, where the frontend runs no orchestration: the
// events awaited come from what the orchestration worker recorded; whether the instance's partition
// has an owner comes from the Kafka consumer group; an orchestration no connected gRPC worker has
// is parked, and the endpoint says so.
import { join } from 'node:path';
import { NoOpLogger, TaskHubGrpcClient } from '@microsoft/durabletask-js';
import { freePort } from '@durable/tools/net';
import { DistributedCluster } from '@durable/tools/servers';

interface Waiting {
  readonly runtimeStatus: string;
  readonly partition: number;
  readonly partitionOwned: boolean | null;
  readonly events: ReadonlyArray<{ readonly name: string }> | null;
  readonly notes: readonly string[];
}

describe('why an instance waits, in distributed mode', () => {
  let cluster: DistributedCluster;
  let grpcClient: TaskHubGrpcClient;

  beforeAll(async () => {
    const grpcPort = await freePort();
    cluster = await DistributedCluster.start({
      orchestrationWorkers: 1,
      activityWorkers: 1,
      partitions: 2,
      app: join(__dirname, '..', 'fixtures', 'distributed-app.ts'),
      env: { GRPC_PORT: String(grpcPort), DURABLE_GRPC_FRONTEND: `127.0.0.1:${grpcPort}` },
    });
    grpcClient = new TaskHubGrpcClient({ hostAddress: `127.0.0.1:${grpcPort}`, logger: new NoOpLogger() });
  }, 240_000);

  afterAll(async () => {
    await grpcClient?.stop().catch(() => undefined);
    await cluster?.stop();
  }, 120_000);

  const api = (path: string, init?: RequestInit) => fetch(`${cluster.frontend.baseUrl}${path}`, init);
  const waitingOf = async (id: string): Promise<Waiting> => {
    const response = await api(`/instances/${id}/waiting`);
    expect(response.status).toBe(200);
    return (await response.json()) as Waiting;
  };
  const until = async (id: string, ready: (w: Waiting) => boolean, what: string): Promise<Waiting> => {
    const deadline = Date.now() + 90_000;
    for (;;) {
      const waiting = await waitingOf(id);
      if (ready(waiting)) return waiting;
      if (Date.now() > deadline)
        throw new Error(`${id}: ${what} never came; last ${JSON.stringify(waiting)}\n${cluster.logs()}`);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  };

  it('names the awaited event, and says when no orchestration worker owns the partition', async () => {
    const start = await api('/orchestrators/Wait/waits-1', {
      method: 'POST',
      body: '1',
      headers: { 'content-type': 'application/json' },
    });
    expect(start.status).toBe(202);
    const owned = await until('waits-1', (w) => (w.events?.length ?? 0) > 0, 'the awaited event');
    expect(owned).toMatchObject({ runtimeStatus: 'Running', partitionOwned: true, events: [{ name: 'go' }] });
    expect(owned.notes).toEqual([]);

    // The only orchestration worker leaves the group: nobody owns the instance's partition.
    const worker = cluster.orchestrationWorkers[0]!;
    await worker.stop();
    const orphaned = await until('waits-1', (w) => w.partitionOwned === false, 'no owner');
    expect(orphaned.notes).toContain(
      `partition ${orphaned.partition} has no owner: no orchestration worker holds it, so its messages wait in the log until one joins`,
    );
    // What it awaits is a recorded fact: still known with no worker to replay it.
    expect(orphaned.events).toEqual([{ name: 'go', since: expect.any(String) }]);

    await worker.start();
    await until('waits-1', (w) => w.partitionOwned === true && w.notes.length === 0, 'an owner again');
    expect((await api('/instances/waits-1/raiseEvent/go', { method: 'POST', body: '"yes"' })).status).toBe(
      202,
    );
    await until('waits-1', (w) => w.runtimeStatus === 'Completed', 'completion');
  }, 300_000);

  it('says when no connected gRPC worker has the orchestration', async () => {
    // No SDK worker is connected: the orchestration worker parks the episode it cannot hand out.
    await grpcClient.scheduleNewOrchestration('OnlyOnSdkWorkers', 'x', 'sdk-1');
    const parked = await until('sdk-1', (w) => w.notes.some((n) => n.includes('parked')), 'the parked note');
    expect(parked.notes).toEqual([
      "no connected worker runs orchestration 'OnlyOnSdkWorkers': 1 new event(s) are parked until a worker that has it connects",
    ]);
    expect(parked.events).toBeNull();
    expect(parked.partitionOwned).toBe(true);
  }, 180_000);
});
