// Events raised while an orchestration worker is SIGKILLed and the broker restarts: every raise
// acknowledged with 202 is applied. (kafkajs can leave a reader or a group consumer unusable after a
// broker restart; the log replaces them, or partitions would stall.)
import { join } from 'node:path';
import { DistributedCluster } from '@durable/tools/servers';

describe('events raised through a worker kill and a broker restart', () => {
  let cluster: DistributedCluster;
  beforeAll(async () => {
    cluster = await DistributedCluster.start({
      orchestrationWorkers: 2,
      activityWorkers: 1,
      partitions: 8,
      app: join(__dirname, '..', 'fixtures', 'distributed-app.ts'),
    });
  }, 240_000);
  afterAll(async () => {
    await cluster?.stop();
  }, 120_000);

  const post = (path: string, body: string) =>
    fetch(`${cluster.frontend.baseUrl}${path}`, {
      method: 'POST',
      body,
      headers: { 'content-type': 'application/json' },
    });
  const statusOf = async (id: string) =>
    ((await (await fetch(`${cluster.frontend.baseUrl}/instances/${id}`)).json()) as { runtimeStatus: string })
      .runtimeStatus;

  it('applies every acknowledged raise', async () => {
    const ids = Array.from({ length: 60 }, (_, i) => `w-${i}`);
    for (const [i, id] of ids.entries())
      expect((await post(`/orchestrators/Wait/${id}`, String(i))).status).toBe(202);
    for (const id of ids)
      while ((await statusOf(id)) !== 'Running') await new Promise((r) => setTimeout(r, 100));

    const killing = cluster.orchestrationWorkers[0]!.kill();
    const restarting = cluster.broker.restart();
    const acknowledged: string[] = [];
    for (const id of ids) {
      const response = await post(`/instances/${id}/raiseEvent/go`, '"x"').catch(() => undefined);
      if (response?.status === 202) acknowledged.push(id);
      await new Promise((r) => setTimeout(r, 100));
    }
    await killing;
    await restarting;
    expect(acknowledged.length).toBeGreaterThan(0);

    const deadline = Date.now() + 120_000;
    const stuck: string[] = [];
    for (const id of acknowledged) {
      while ((await statusOf(id)) !== 'Completed') {
        if (Date.now() > deadline) {
          stuck.push(id);
          break;
        }
        await new Promise((r) => setTimeout(r, 200));
      }
    }
    if (stuck.length > 0)
      throw new Error(`${stuck.length} acknowledged raises not applied\n${cluster.logs()}`);
  }, 400_000);
});
