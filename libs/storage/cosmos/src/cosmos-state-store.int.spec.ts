import { readFileSync } from 'node:fs';
import { createServer, request, Agent, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import { CosmosClient } from '@azure/cosmos';
import {
  ConflictError,
  OwnershipLostError,
  UnavailableError,
  newEvent,
  type HistoryEvent,
} from '@durable/core';
import { describeStateStoreConformance, sampleRecord } from '@durable/storage/testing';
import { freePort } from '@durable/tools/net';
import { CosmosServer, cosmosTestKey } from '@durable/tools/servers';
import { CosmosStateStore } from './cosmos-state-store';

let server: CosmosServer;
let admin: CosmosClient;
let agent: Agent;
let databases = 0;

beforeAll(async () => {
  server = await CosmosServer.start();
  agent = new Agent({ keepAlive: true, rejectUnauthorized: false });
  admin = new CosmosClient({
    endpoint: server.endpoint,
    key: cosmosTestKey,
    agent,
    connectionPolicy: { enableEndpointDiscovery: false },
  });
});

afterAll(async () => {
  admin?.dispose();
  agent?.destroy();
  await server?.stop();
});

const newDatabase = () => `test-${++databases}`;

const open = (databaseId: string, limits: { inlineHistoryBytes?: number; historyChunkBytes?: number } = {}) =>
  CosmosStateStore.open({
    endpoint: server.endpoint,
    key: cosmosTestKey,
    allowSelfSignedCertificate: true,
    databaseId,
    hub: 'durable',
    ...limits,
  });

describeStateStoreConformance('cosmos', async () => {
  const databaseId = newDatabase();
  return {
    open: () => open(databaseId),
    cleanup: async () => {
      await admin.database(databaseId).delete();
    },
  };
});

/** Events of about 250 bytes, so a small inline budget spills after a few. */
const events = (from: number, count: number, tag = ''): HistoryEvent[] =>
  Array.from({ length: count }, (_, i) =>
    newEvent('EventRaised', '2026-01-01T00:00:00.000Z', {
      name: `${tag}${from + i}`,
      input: JSON.stringify('x'.repeat(200)),
    }),
  );

const names = (history: readonly HistoryEvent[]) =>
  history.map((e) => (e.type === 'EventRaised' ? e.name : e.type));

const range = (from: number, count: number, tag = '') =>
  Array.from({ length: count }, (_, i) => `${tag}${from + i}`);

async function historyItems(
  databaseId: string,
  instanceId: string,
): Promise<Array<{ id: string; count: number }>> {
  const { resources } = await admin
    .database(databaseId)
    .container('durable-history')
    .items.query<{ id: string; count: number }>({
      query: 'SELECT c.id, c.count FROM c WHERE c.instanceId = @id',
      parameters: [{ name: '@id', value: instanceId }],
    })
    .fetchAll();
  return resources;
}

describe('CosmosStateStore', () => {
  jest.setTimeout(30_000);
  const small = { inlineHistoryBytes: 1_500, historyChunkBytes: 1_200 };

  it('spills a history larger than the inline budget into chunks and reads it back whole, in order', async () => {
    const db = newDatabase();
    const store = await open(db, small);
    await store.claimPartition(0, 1);
    let etags = await store.commit(0, 1, [
      {
        record: sampleRecord('big', { historyLength: 20 }),
        expectedEtag: undefined,
        history: { executionId: 'big-e1', fromIndex: 0, events: events(0, 20) },
      },
    ]);
    const firstItems = await historyItems(db, 'big');
    expect(firstItems.length).toBeGreaterThan(1);
    expect(firstItems.every((item) => item.count <= 4)).toBe(true);
    expect(names(await store.readHistory('big', 'big-e1'))).toEqual(range(0, 20));

    // Appends, some inline and some spilling again.
    for (let from = 20; from < 35; from += 3) {
      etags = await store.commit(0, 1, [
        {
          record: sampleRecord('big', { historyLength: from + 3 }),
          expectedEtag: etags.get('big'),
          history: { executionId: 'big-e1', fromIndex: from, events: events(from, 3) },
        },
      ]);
    }
    expect(names(await store.readHistory('big', 'big-e1'))).toEqual(range(0, 35));

    // A fresh process has nothing cached and extends the stored document.
    await store.close();
    const reopened = await open(db, small);
    const stored = await reopened.getInstance('big');
    etags = await reopened.commit(0, 1, [
      {
        record: sampleRecord('big', { historyLength: 36 }),
        expectedEtag: stored?.etag,
        history: { executionId: 'big-e1', fromIndex: 35, events: events(35, 1) },
      },
    ]);
    expect(names(await reopened.readHistory('big', 'big-e1'))).toEqual(range(0, 36));

    // Rewriting from an index that was spilled keeps the prefix and replaces the rest.
    etags = await reopened.commit(0, 1, [
      {
        record: sampleRecord('big', { historyLength: 7 }),
        expectedEtag: etags.get('big'),
        history: { executionId: 'big-e1', fromIndex: 5, events: events(5, 2, 'r') },
      },
    ]);
    expect(names(await reopened.readHistory('big', 'big-e1'))).toEqual([...range(0, 5), 'r5', 'r6']);

    // A rewind replaces everything, and the chunks nothing lists any more are deleted.
    await reopened.commit(0, 1, [
      {
        record: sampleRecord('big', { historyLength: 12 }),
        expectedEtag: etags.get('big'),
        history: { executionId: 'big-e1', fromIndex: 0, events: events(0, 12, 'w'), replace: true },
      },
    ]);
    expect(names(await reopened.readHistory('big', 'big-e1'))).toEqual(range(0, 12, 'w'));
    const items = await historyItems(db, 'big');
    expect(items.reduce((sum, item) => sum + item.count, 0)).toBe(12);
    await reopened.close();
  });

  it('ignores the chunks of a commit whose instance write lost the race', async () => {
    const db = newDatabase();
    const writer = await open(db, small);
    const loser = await open(db, small);
    await writer.claimPartition(0, 1);
    const etags = await writer.commit(0, 1, [
      {
        record: sampleRecord('race', { historyLength: 2 }),
        expectedEtag: undefined,
        history: { executionId: 'race-e1', fromIndex: 0, events: events(0, 2) },
      },
    ]);
    const base = await loser.getInstance('race');
    await writer.commit(0, 1, [
      {
        record: sampleRecord('race', { historyLength: 10 }),
        expectedEtag: etags.get('race'),
        history: { executionId: 'race-e1', fromIndex: 2, events: events(2, 8) },
      },
    ]);
    const spilledByWinner = (await historyItems(db, 'race')).length;
    await expect(
      loser.commit(0, 1, [
        {
          record: sampleRecord('race', { historyLength: 12 }),
          expectedEtag: base?.etag,
          history: { executionId: 'race-e1', fromIndex: 2, events: events(2, 10, 'lost') },
        },
      ]),
    ).rejects.toBeInstanceOf(ConflictError);
    expect((await historyItems(db, 'race')).length).toBeGreaterThan(spilledByWinner);
    expect(names(await loser.readHistory('race', 'race-e1'))).toEqual(range(0, 10));

    expect(await writer.deleteInstance('race')).toBe(true);
    expect(await historyItems(db, 'race')).toEqual([]);
    await Promise.all([writer.close(), loser.close()]);
  });

  it('extends the stored history, not its own stale copy, when another process wrote in between', async () => {
    const db = newDatabase();
    const first = await open(db);
    const second = await open(db);
    await first.claimPartition(0, 1);
    const created = await first.commit(0, 1, [
      {
        record: sampleRecord('moved', { historyLength: 2 }),
        expectedEtag: undefined,
        history: { executionId: 'moved-e1', fromIndex: 0, events: events(0, 2) },
      },
    ]);
    await second.claimPartition(0, 2);
    const moved = await second.commit(0, 2, [
      {
        record: sampleRecord('moved', { historyLength: 4 }),
        expectedEtag: created.get('moved'),
        history: { executionId: 'moved-e1', fromIndex: 2, events: events(2, 2) },
      },
    ]);
    await first.claimPartition(0, 3);
    await first.commit(0, 3, [
      {
        record: sampleRecord('moved', { historyLength: 5 }),
        expectedEtag: moved.get('moved'),
        history: { executionId: 'moved-e1', fromIndex: 4, events: events(4, 1) },
      },
    ]);
    expect(names(await second.readHistory('moved', 'moved-e1'))).toEqual(range(0, 5));
    await Promise.all([first.close(), second.close()]);
  });

  it('writes nothing of a zombie batch after a newer owner claimed the partition', async () => {
    const db = newDatabase();
    const zombie = await open(db, small);
    const owner = await open(db, small);
    await zombie.claimPartition(2, 1);
    await owner.claimPartition(2, 2);
    await expect(
      zombie.commit(
        2,
        1,
        ['z1', 'z2'].map((id) => ({
          record: sampleRecord(id, { partition: 2, historyLength: 20 }),
          expectedEtag: undefined,
          history: { executionId: `${id}-e1`, fromIndex: 0, events: events(0, 20) },
        })),
      ),
    ).rejects.toBeInstanceOf(OwnershipLostError);
    expect(await owner.getInstance('z1')).toBeUndefined();
    expect(await owner.getInstance('z2')).toBeUndefined();
    expect(await historyItems(db, 'z1')).toEqual([]);
    expect(await historyItems(db, 'z2')).toEqual([]);
    await Promise.all([zombie.close(), owner.close()]);
  });

  it('stores instance ids with characters Cosmos DB item ids refuse', async () => {
    const store = await open(newDatabase(), small);
    const id = '@counter@a/b?c#d%e\\f';
    await store.claimPartition(0, 1);
    await store.commit(0, 1, [
      {
        record: sampleRecord(id, { executionId: 'x/y', historyLength: 20 }),
        expectedEtag: undefined,
        history: { executionId: 'x/y', fromIndex: 0, events: events(0, 20) },
      },
    ]);
    expect((await store.getInstance(id))?.record.instanceId).toBe(id);
    expect(names(await store.readHistory(id, 'x/y'))).toEqual(range(0, 20));
    const listed = await store.listInstances({ pageSize: 10, instanceIdPrefix: '@counter@a/' });
    expect(listed.records.map((r) => r.instanceId)).toEqual([id]);
    expect(await store.deleteInstance(id)).toBe(true);
    await store.close();
  });

  it('reports an unreachable server as UnavailableError', async () => {
    const port = await freePort();
    await expect(
      CosmosStateStore.open({
        endpoint: `https://127.0.0.1:${port}`,
        key: cosmosTestKey,
        allowSelfSignedCertificate: true,
      }),
    ).rejects.toBeInstanceOf(UnavailableError);
  });

  describe('when Cosmos DB throttles', () => {
    let proxy: ThrottlingProxy;

    beforeEach(async () => {
      proxy = await ThrottlingProxy.start(server.endpoint);
    });

    afterEach(async () => {
      await proxy.stop();
    });

    const openBehindProxy = (databaseId: string, maxRetries: number) =>
      CosmosStateStore.open({
        endpoint: proxy.endpoint,
        key: cosmosTestKey,
        allowSelfSignedCertificate: true,
        databaseId,
        retry: { maxRetries, initialDelayMs: 5, maxDelayMs: 1_000 },
      });

    it('retries 429 and 503 after the wait the server asked for, and commits and reads succeed', async () => {
      const store = await openBehindProxy(newDatabase(), 5);
      await store.claimPartition(0, 1);

      proxy.refuseNext(3, 429, 80);
      const started = performance.now();
      const etags = await store.commit(0, 1, [
        {
          record: sampleRecord('a', { historyLength: 1 }),
          expectedEtag: undefined,
          history: { executionId: 'a-e1', fromIndex: 0, events: events(0, 1) },
        },
      ]);
      expect(performance.now() - started).toBeGreaterThanOrEqual(3 * 80 - 5);
      expect(proxy.refused).toBe(3);
      expect(etags.get('a')).toBeDefined();

      proxy.refuseNext(2, 503, 30);
      expect(names(await store.readHistory('a', 'a-e1'))).toEqual(['0']);
      expect(proxy.refused).toBe(5);
      await store.close();
    });

    it('gives up with a retriable UnavailableError after the retry cap', async () => {
      const store = await openBehindProxy(newDatabase(), 2);
      await store.claimPartition(0, 1);
      proxy.refuseNext(Number.POSITIVE_INFINITY, 429, 20);
      const failure = await store
        .commit(0, 1, [{ record: sampleRecord('a'), expectedEtag: undefined }])
        .catch((error: unknown) => error);
      expect(failure).toBeInstanceOf(UnavailableError);
      expect((failure as UnavailableError).retriable).toBe(true);
      expect((failure as UnavailableError).retryAfterMs).toBe(20);
      expect(proxy.refused).toBe(3);

      proxy.refuseNext(0, 429, 0);
      expect(await store.getInstance('a')).toBeUndefined();
      await store.close();
    });
  });
});

/** An HTTPS proxy in front of the Cosmos server that refuses some requests the way Cosmos DB does. */
class ThrottlingProxy {
  refused = 0;
  private toRefuse = 0;
  private status = 429;
  private retryAfterMs = 0;
  private readonly upstream = new Agent({ keepAlive: true, rejectUnauthorized: false });

  private constructor(
    private readonly server: Server,
    private readonly target: URL,
  ) {}

  get endpoint(): string {
    return `https://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  static async start(target: string): Promise<ThrottlingProxy> {
    const certs = dirname(require.resolve('@vercel/cosmosdb-server/package.json'));
    const server = createServer({
      key: readFileSync(join(certs, 'key.pem')),
      cert: readFileSync(join(certs, 'cert.pem')),
    });
    const proxy = new ThrottlingProxy(server, new URL(target));
    server.on('request', (req, res) => {
      if (proxy.toRefuse > 0) {
        proxy.toRefuse--;
        proxy.refused++;
        req.resume();
        res.writeHead(proxy.status, {
          'content-type': 'application/json',
          'x-ms-retry-after-ms': String(proxy.retryAfterMs),
        });
        res.end(JSON.stringify({ code: String(proxy.status), message: 'Request rate is large' }));
        return;
      }
      const forwarded = request(
        {
          host: proxy.target.hostname,
          port: proxy.target.port,
          method: req.method,
          path: req.url,
          headers: { ...req.headers, host: proxy.target.host },
          agent: proxy.upstream,
        },
        (upstream) => {
          res.writeHead(upstream.statusCode ?? 502, upstream.headers);
          upstream.pipe(res);
        },
      );
      forwarded.on('error', () => res.destroy());
      req.pipe(forwarded);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return proxy;
  }

  /** The next `count` requests get `status` with `x-ms-retry-after-ms: retryAfterMs`. */
  refuseNext(count: number, status: number, retryAfterMs: number): void {
    this.toRefuse = count;
    this.status = status;
    this.retryAfterMs = retryAfterMs;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.upstream.destroy();
  }
}
