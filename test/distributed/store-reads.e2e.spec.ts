// What a start costs in Cosmos DB reads, in distributed mode: the frontend creates the instance
// document and appends the start, whose message carries the document's etag, so the orchestration
// worker that owns the partition runs the instance without reading the document back. Reads are
// counted by the Cosmos DB server itself, per container.
import { join } from 'node:path';
import { CosmosServerProcess, DistributedCluster } from '@durable/tools/servers';

interface Status {
  readonly instanceId: string;
  readonly runtimeStatus: string;
  readonly output?: unknown;
}

describe('Cosmos DB reads of a start, in distributed mode', () => {
  let cluster: DistributedCluster;

  beforeAll(async () => {
    cluster = await DistributedCluster.start({
      orchestrationWorkers: 1,
      activityWorkers: 1,
      partitions: 2,
      app: join(__dirname, '..', 'fixtures', 'distributed-app.ts'),
      cosmosProcess: true,
    });
  }, 240_000);

  afterAll(async () => {
    await cluster?.stop();
  }, 120_000);

  const api = (path: string, init?: RequestInit) => fetch(`${cluster.frontend.baseUrl}${path}`, init);
  const post = (path: string, body: string) =>
    api(path, { method: 'POST', body, headers: { 'content-type': 'application/json' } });

  const instanceReads = async (): Promise<number> => {
    const cosmos = cluster.cosmos;
    if (!(cosmos instanceof CosmosServerProcess)) throw new Error('the Cosmos DB server is not metered');
    const { readsByContainer } = await cosmos.usage();
    return Object.entries(readsByContainer)
      .filter(([container]) => container.endsWith('-instances'))
      .reduce((sum, [, reads]) => sum + reads, 0);
  };

  /** Lists (a query, not a read) until every id has the status. */
  const until = async (ids: readonly string[], status: string): Promise<Status[]> => {
    const deadline = Date.now() + 90_000;
    for (;;) {
      const response = await api(`/instances?runtimeStatus=${status}&top=1000`);
      expect(response.status).toBe(200);
      const listed = ((await response.json()) as Status[]).filter((s) => ids.includes(s.instanceId));
      if (listed.length === ids.length) return listed;
      if (Date.now() > deadline)
        throw new Error(`${ids.length - listed.length} instances never became ${status}\n${cluster.logs()}`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  };

  const start = async (n: number): Promise<string> => {
    const response = await post('/orchestrators/Wait', String(n));
    expect(response.status).toBe(202);
    return ((await response.json()) as { id: string }).id;
  };

  it('runs new instances without reading their documents, and they complete as usual', async () => {
    // The worker owns its partitions before the count begins.
    await until([await start(0)], 'Running');

    const before = await instanceReads();
    const ids = await Promise.all(Array.from({ length: 10 }, (_, i) => start(i + 1)));
    await until(ids, 'Running');
    // Reading each document back would be one read per instance: 10.
    expect((await instanceReads()) - before).toBe(0);

    for (const id of ids) expect((await post(`/instances/${id}/raiseEvent/go`, '"yes"')).status).toBe(202);
    const done = await until(ids, 'Completed');
    expect(done.map((s) => s.output).sort()).toEqual(
      Array.from({ length: 10 }, (_, i) => `${i + 1}-got-yes`).sort(),
    );
  }, 180_000);
});
