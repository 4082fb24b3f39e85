import { readFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
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

  it('adds the indexes of the newer listing orders to an instances container made before them', async () => {
    const databaseId = newDatabase();
    const { database } = await admin.databases.createIfNotExists({ id: databaseId });
    await database.containers.create({
      id: 'durable-instances',
      partitionKey: { paths: ['/id'] },
      indexingPolicy: {
        includedPaths: [{ path: '/*' }],
        compositeIndexes: [
          [
            { path: '/createdAt', order: 'ascending' },
            { path: '/id', order: 'ascending' },
          ],
        ],
      },
    });
    const store = await open(databaseId);
    try {
      await store.putInstance(sampleRecord('late', { updatedAt: 20 }), undefined);
      await store.putInstance(sampleRecord('early', { updatedAt: 10 }), undefined);
      const page = await store.listInstances({
        pageSize: 10,
        orderBy: { by: 'updatedAt', descending: true },
      });
      expect(page.records.map((r) => r.instanceId)).toEqual(['late', 'early']);
    } finally {
      await store.close();
      await admin.database(databaseId).delete();
    }
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
    const listed = await store.listInstances({
      pageSize: 10,
      kind: 'entity',
      instanceIdPrefix: '@counter@a/',
    });
    expect(listed.records.map((r) => r.instanceId)).toEqual([id]);
    expect(await store.deleteInstance(id)).toBe(true);
    await store.close();
  });

  describe('in bulk', () => {
    /** Creates `ids` in one commit, each with one event; returns their etags. */
    const createAll = (store: CosmosStateStore, ids: readonly string[]) =>
      store.commit(
        0,
        1,
        ids.map((id) => ({
          record: sampleRecord(id, { historyLength: 1, customStatus: 'v1' }),
          expectedEtag: undefined,
          history: { executionId: `${id}-e1`, fromIndex: 0, events: events(0, 1) },
        })),
      );
    /** Appends event `index` to each instance, expecting the etag given. */
    const appendAll = (
      store: CosmosStateStore,
      ids: readonly string[],
      index: number,
      etagOf: (id: string) => string | undefined,
    ) =>
      store.commit(
        0,
        1,
        ids.map((id) => ({
          record: sampleRecord(id, { historyLength: index + 1, customStatus: `v${index + 1}` }),
          expectedEtag: etagOf(id),
          history: { executionId: `${id}-e1`, fromIndex: index, events: events(index, 1) },
        })),
      );

    it('lands the writes of a batch whose etags hold and fails exactly the stale ones with ConflictError', async () => {
      const db = newDatabase();
      const store = await open(db);
      const other = await open(db);
      await store.claimPartition(0, 1);
      const ids = range(0, 230, 'b');
      const created = await createAll(store, ids);
      expect(created.size).toBe(230);

      // Another process moves some instances on, so the etags this store holds for them are stale.
      const stale = ids.filter((_, i) => i % 7 === 3);
      await appendAll(other, stale, 1, (id) => created.get(id));
      // And creates one this store is about to create too.
      await createAll(other, ['b-late']);

      const failure = await appendAll(store, [...ids, 'b-late'], 1, (id) => created.get(id)).catch(
        (error: unknown) => error,
      );
      expect(failure).toBeInstanceOf(ConflictError);

      // A fresh process sees: the stale ones as the other process left them, the rest moved on.
      const reader = await open(db);
      const stored = await Promise.all([...ids, 'b-late'].map((id) => reader.getInstance(id)));
      const statusOf = (id: string) => stored[[...ids, 'b-late'].indexOf(id)]?.record.customStatus;
      expect(ids.filter((id) => statusOf(id) === 'v2' && !stale.includes(id))).toHaveLength(
        230 - stale.length,
      );
      for (const id of stale) expect(statusOf(id)).toBe('v2');
      expect(statusOf('b-late')).toBe('v1');
      expect(names(await reader.readHistory('b0', 'b0-e1'))).toEqual(range(0, 2));

      // The store remembers what it wrote: it extends the landed ones from memory, and re-reads the
      // stale ones (their cache entries were dropped), with the etags a reader sees.
      const current = new Map(stored.map((s, i) => [[...ids, 'b-late'][i] as string, s?.etag]));
      const next = await appendAll(store, ids, 2, (id) => current.get(id));
      expect(next.size).toBe(230);
      const histories = await Promise.all(ids.map((id) => reader.readHistory(id, `${id}-e1`)));
      for (const history of histories) expect(names(history)).toEqual(range(0, 3));
      await Promise.all([store.close(), other.close(), reader.close()]);
    });

    it('reads the instances asked for in one turn together, each with its own document and etag', async () => {
      const db = newDatabase();
      const store = await open(db);
      await store.claimPartition(0, 1);
      const ids = range(0, 180, 'r');
      const etags = await createAll(store, ids);
      const reader = await open(db);
      const asked = [...ids, 'missing-1', ids[5] as string, 'missing-2'];
      const read = await Promise.all(asked.map((id) => reader.getInstance(id)));
      asked.forEach((id, i) => {
        if (id.startsWith('missing')) expect(read[i]).toBeUndefined();
        else
          expect(read[i]).toEqual({
            record: expect.objectContaining({ instanceId: id }),
            etag: etags.get(id),
          });
      });
      // What was read is remembered: the next commit extends it without reading again.
      await appendAll(reader, ids, 1, (id) => etags.get(id));
      expect(names(await reader.readHistory('r7', 'r7-e1'))).toEqual(range(0, 2));
      await Promise.all([store.close(), reader.close()]);
    });

    it('writes the puts asked for in one turn together, failing only those that conflict', async () => {
      const store = await open(newDatabase());
      const first = await store.putInstance(sampleRecord('p0'), undefined);
      await store.putInstance(sampleRecord('p1'), undefined);
      const results = await Promise.allSettled([
        store.putInstance(sampleRecord('p0', { customStatus: 'moved' }), first),
        store.putInstance(sampleRecord('p1', { customStatus: 'moved' }), 'stale-etag'),
        store.putInstance(sampleRecord('p1'), undefined),
        ...range(2, 5, 'p').map((id) => store.putInstance(sampleRecord(id), undefined)),
      ]);
      expect(results.map((r) => r.status)).toEqual([
        'fulfilled',
        'rejected',
        'rejected',
        'fulfilled',
        'fulfilled',
        'fulfilled',
        'fulfilled',
        'fulfilled',
      ]);
      expect((results[1] as PromiseRejectedResult).reason).toBeInstanceOf(ConflictError);
      expect((results[2] as PromiseRejectedResult).reason).toBeInstanceOf(ConflictError);
      const p0 = await store.getInstance('p0');
      expect(p0).toEqual({
        record: expect.objectContaining({ customStatus: 'moved' }),
        etag: (results[0] as PromiseFulfilledResult<string>).value,
      });
      expect((await store.getInstance('p1'))?.record.customStatus).toBeUndefined();
      await store.close();
    });

    it('refuses to replace an instance that was deleted since its etag', async () => {
      const store = await open(newDatabase());
      await store.claimPartition(0, 1);
      const etags = await createAll(store, ['gone', 'kept']);
      expect(await store.deleteInstance('gone')).toBe(true);
      await expect(appendAll(store, ['gone', 'kept'], 1, (id) => etags.get(id))).rejects.toBeInstanceOf(
        ConflictError,
      );
      expect(await store.getInstance('gone')).toBeUndefined();
      expect((await store.getInstance('kept'))?.record.customStatus).toBe('v2');
      await store.close();
    });
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

    it('sends a commit of many instances as a few bulk requests, and reads them back in as few', async () => {
      const store = await openBehindProxy(newDatabase(), 5);
      await store.claimPartition(0, 1);
      const ids = range(0, 150, 'c');
      // The first bulk request also reads the container's partition key ranges, once.
      await store.commit(
        0,
        1,
        ['c-a', 'c-b'].map((id) => ({ record: sampleRecord(id), expectedEtag: undefined })),
      );
      const before = proxy.requests;
      const bulkBefore = proxy.bulkRequests;
      const etags = await store.commit(
        0,
        1,
        ids.map((id) => ({ record: sampleRecord(id), expectedEtag: undefined })),
      );
      // The epoch read, then two bulk requests (at most 100 operations each).
      expect(proxy.requests - before).toBe(3);
      expect(proxy.bulkRequests - bulkBefore).toBe(2);
      expect(etags.size).toBe(150);

      const between = proxy.requests;
      const read = await Promise.all(ids.map((id) => store.getInstance(id)));
      expect(proxy.requests - between).toBe(2);
      expect(read.map((r) => r?.etag)).toEqual(ids.map((id) => etags.get(id)));
      await store.close();
    });

    it('sends throttled operations of a bulk request again after the wait asked for', async () => {
      const store = await openBehindProxy(newDatabase(), 5);
      await store.claimPartition(0, 1);
      const ids = range(0, 120, 't');
      proxy.throttleOperations(30, 60);
      const started = performance.now();
      const etags = await store.commit(
        0,
        1,
        ids.map((id) => ({ record: sampleRecord(id), expectedEtag: undefined })),
      );
      expect(performance.now() - started).toBeGreaterThanOrEqual(55);
      expect(proxy.refused).toBe(30);
      expect(etags.size).toBe(120);
      proxy.throttleOperations(10, 20);
      const read = await Promise.all(ids.map((id) => store.getInstance(id)));
      expect(proxy.refused).toBe(40);
      expect(read.map((r) => r?.etag)).toEqual(ids.map((id) => etags.get(id)));
      await store.close();
    });

    it('falls back to single requests when a bulk request as a whole is throttled', async () => {
      const store = await openBehindProxy(newDatabase(), 5);
      await store.claimPartition(0, 1);
      const ids = range(0, 5, 'w');
      proxy.refuseNext(1, 429, 10, true);
      const etags = await store.commit(
        0,
        1,
        ids.map((id) => ({ record: sampleRecord(id), expectedEtag: undefined })),
      );
      expect(proxy.refused).toBe(1);
      expect(etags.size).toBe(5);
      const read = await Promise.all(ids.map((id) => store.getInstance(id)));
      expect(read.map((r) => r?.etag)).toEqual(ids.map((id) => etags.get(id)));
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
  /** Requests that reached the proxy, and those of them that were bulk requests. */
  requests = 0;
  bulkRequests = 0;
  private toRefuse = 0;
  private status = 429;
  private retryAfterMs = 0;
  private onlyBulk = false;
  private operationsToThrottle = 0;
  private operationRetryAfterMs = 0;
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
      proxy.requests++;
      const bulk = req.headers['x-ms-cosmos-is-batch-request'] === 'true';
      if (bulk) proxy.bulkRequests++;
      if (bulk && proxy.operationsToThrottle > 0) {
        proxy.throttleOperationsOf(req, res);
        return;
      }
      if (proxy.toRefuse > 0 && (bulk || !proxy.onlyBulk)) {
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

  /** The next `count` requests (bulk requests only, if so asked) get `status` with `x-ms-retry-after-ms`. */
  refuseNext(count: number, status: number, retryAfterMs: number, onlyBulk = false): void {
    this.toRefuse = count;
    this.status = status;
    this.retryAfterMs = retryAfterMs;
    this.onlyBulk = onlyBulk;
  }

  /**
   * Throttles single operations of the next bulk requests, as Cosmos DB does when a partition runs
   * out of throughput: the first `count` operations (over all those requests) are not forwarded and
   * are answered 429 with `retryAfterMilliseconds`; the others go to the server.
   */
  throttleOperations(count: number, retryAfterMs: number): void {
    this.operationsToThrottle = count;
    this.operationRetryAfterMs = retryAfterMs;
  }

  private throttleOperationsOf(req: IncomingMessage, res: ServerResponse): void {
    const parts: Buffer[] = [];
    req.on('data', (part: Buffer) => parts.push(part));
    req.on('end', () => {
      const operations = JSON.parse(Buffer.concat(parts).toString('utf8')) as unknown[];
      const throttled = Math.min(this.operationsToThrottle, operations.length);
      this.operationsToThrottle -= throttled;
      this.refused += throttled;
      const answer = (status: number, forwarded: unknown[]) => {
        const results = [
          ...Array.from({ length: throttled }, () => ({
            statusCode: 429,
            requestCharge: 0,
            retryAfterMilliseconds: this.operationRetryAfterMs,
          })),
          ...forwarded,
        ];
        res.writeHead(status === 200 && throttled > 0 ? 207 : status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(results));
      };
      if (throttled === operations.length) {
        answer(207, []);
        return;
      }
      const body = Buffer.from(JSON.stringify(operations.slice(throttled)));
      const forwarded = request(
        {
          host: this.target.hostname,
          port: this.target.port,
          method: req.method,
          path: req.url,
          headers: { ...req.headers, host: this.target.host, 'content-length': String(body.length) },
          agent: this.upstream,
        },
        (upstream) => {
          const chunks: Buffer[] = [];
          upstream.on('data', (chunk: Buffer) => chunks.push(chunk));
          upstream.on('end', () =>
            answer(
              upstream.statusCode ?? 502,
              JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown[],
            ),
          );
        },
      );
      forwarded.on('error', () => res.destroy());
      forwarded.end(body);
    });
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.upstream.destroy();
  }
}
