import { Agent as HttpsAgent } from 'node:https';
import {
  CosmosClient,
  type CompositePath,
  type CosmosClientOptions,
  type Container,
  type IndexingPolicy,
  type JSONObject,
  type SqlQuerySpec,
} from '@azure/cosmos';
import {
  ConflictError,
  InvalidArgumentError,
  OwnershipLostError,
  UnavailableError,
  type HistoryEvent,
} from '@durable/core';
import type {
  InstanceFilter,
  InstanceListQuery,
  InstanceRecord,
  InstanceWrite,
  StateStore,
  StoredInstance,
} from '@durable/storage';
import { createdAscending, decodeListToken, encodeListToken } from '@durable/storage';
import { ReadCoalescer, runBulk, type BulkOperation, type ItemResult } from './bulk';
import { cosmosCall, defaultRetryOptions, isNotFound, type RetryOptions } from './cosmos-errors';
import {
  emptyHistory,
  itemId,
  planHistory,
  rewritesSpilledEvents,
  stitchHistory,
  type ChunkRef,
  type ExecutionHistory,
  type HistoryChunk,
  type HistoryLimits,
  type HistoryPlan,
} from './history-chunks';
import { LruCache } from './lru-cache';

/** An Entra ID credential (`@azure/identity`'s DefaultAzureCredential, a managed identity, ...). */
export type CosmosCredential = NonNullable<CosmosClientOptions['aadCredentials']>;

export type CosmosConnection =
  | ({
      readonly endpoint: string;
      /** Trust a self-signed certificate on this endpoint (a local server or the emulator). */
      readonly allowSelfSignedCertificate?: boolean;
    } & ({ readonly key: string } | { readonly credential: CosmosCredential }))
  | { readonly client: CosmosClient };

export type CosmosStateStoreOptions = CosmosConnection & {
  /** Default 'durable'. */
  readonly databaseId?: string;
  /** Prefix of the container names; default 'durable'. */
  readonly hub?: string;
  /** Record plus inline history above this spills history to chunk items; default 64 KiB. */
  readonly inlineHistoryBytes?: number;
  /** Largest history chunk item; default 1 MB (Cosmos DB accepts up to 2 MB). */
  readonly historyChunkBytes?: number;
  readonly retry?: Partial<RetryOptions>;
  /** Inline history kept in memory so commits need not read documents first; default 64 MiB. */
  readonly cacheBytes?: number;
};

/** The instance document: the record, plus what the store needs to query and to hold history. */
interface InstanceDocument {
  readonly id: string;
  readonly partition: number;
  readonly status: string;
  readonly name: string;
  readonly createdAt: number;
  readonly updatedAt: number;
  readonly hasWork: boolean;
  readonly record: InstanceRecord;
  readonly history: ExecutionHistory;
  readonly _etag?: string;
}

interface ChunkItem extends HistoryChunk {
  readonly instanceId: string;
}

interface PartitionDocument {
  readonly id: string;
  readonly epoch: number;
  readonly _etag?: string;
}

/** The document state a commit extends: valid only while the stored etag is still `etag`. */
interface KnownDocument {
  readonly etag: string;
  readonly history: ExecutionHistory;
}

/** One instance write, planned: the chunks to write first, then the document. */
interface PlannedWrite {
  readonly instanceId: string;
  readonly what: string;
  readonly expectedEtag: string | undefined;
  readonly plan: HistoryPlan;
  readonly doc: InstanceDocument;
}

type WriteResult =
  { readonly ok: true; readonly etag: string } | { readonly ok: false; readonly error: unknown };

const instancesIndexing: IndexingPolicy = {
  indexingMode: 'consistent',
  includedPaths: [{ path: '/*' }],
  // The record and history are read whole, never queried: indexing them would only cost write RUs.
  excludedPaths: [{ path: '/record/*' }, { path: '/history/*' }, { path: '/"_etag"/?' }],
  compositeIndexes: [
    [
      { path: '/createdAt', order: 'ascending' },
      { path: '/id', order: 'ascending' },
    ],
    [
      { path: '/updatedAt', order: 'ascending' },
      { path: '/id', order: 'ascending' },
    ],
    // Cosmos DB could read the ascending ones backwards; the emulator used in tests cannot.
    [
      { path: '/createdAt', order: 'descending' },
      { path: '/id', order: 'descending' },
    ],
    [
      { path: '/updatedAt', order: 'descending' },
      { path: '/id', order: 'descending' },
    ],
  ],
};

const historyIndexing: IndexingPolicy = {
  indexingMode: 'consistent',
  includedPaths: [{ path: '/instanceId/?' }, { path: '/executionId/?' }],
  excludedPaths: [{ path: '/*' }],
};

/**
 * The distributed StateStore on Cosmos DB (NoSQL API). Containers `<hub>-instances` (one document per
 * instance, partitioned by id), `<hub>-history` (spilled history chunks, partitioned by instance id)
 * and `<hub>-partitions` (the owner epoch of each log partition).
 *
 * There are no cross-document transactions: history chunks are written first under fresh ids, then
 * the instance document, written with its etag, lists them and is the single commit point. Small
 * histories live inline in that document, so a commit is usually one write per instance, and the
 * writes of a commit go out together as bulk requests (non-atomic: each operation succeeds or fails
 * on its own, which is all the commit protocol needs). Point reads asked for in the same event-loop
 * turn are coalesced into bulk reads as well.
 */
export class CosmosStateStore implements StateStore {
  private readonly known: LruCache<KnownDocument>;
  private readonly instanceReads: ReadCoalescer;
  private readonly partitionReads: ReadCoalescer;
  private pendingPuts: Array<{
    readonly write: InstanceWrite;
    readonly resolve: (etag: string) => void;
    readonly reject: (error: unknown) => void;
  }> = [];

  private constructor(
    /** Set when this store created the client (and so closes it). */
    private readonly connection: Connection | undefined,
    private readonly instances: Container,
    private readonly history: Container,
    private readonly partitions: Container,
    private readonly limits: HistoryLimits,
    private readonly retry: RetryOptions,
    cacheBytes: number,
  ) {
    this.known = new LruCache(cacheBytes);
    this.instanceReads = new ReadCoalescer(instances, retry);
    this.partitionReads = new ReadCoalescer(partitions, retry);
  }

  /** Connects, and creates the database and containers if they are missing. */
  static async open(options: CosmosStateStoreOptions): Promise<CosmosStateStore> {
    const retry = { ...defaultRetryOptions, ...options.retry };
    let connection: Connection | undefined;
    let client: CosmosClient;
    if ('client' in options) {
      client = options.client;
    } else {
      connection = connect(options);
      client = connection.client;
    }
    try {
      const databaseId = options.databaseId ?? 'durable';
      const hub = options.hub ?? 'durable';
      // createIfNotExists reads, then creates: a process opening the same hub at the same moment can
      // win the create, and then reading again finds it.
      const call = async <T>(what: string, operation: () => Promise<T>): Promise<T> => {
        try {
          return await cosmosCall(what, operation, retry);
        } catch (error) {
          if (!(error instanceof ConflictError)) throw error;
          return cosmosCall(what, operation, retry);
        }
      };
      const { database } = await call(`database '${databaseId}'`, () =>
        client.databases.createIfNotExists({ id: databaseId }),
      );
      const container = async (suffix: string, partitionKey: string, indexingPolicy?: IndexingPolicy) =>
        (
          await call(`container '${hub}-${suffix}'`, () =>
            database.containers.createIfNotExists({
              id: `${hub}-${suffix}`,
              partitionKey: { paths: [partitionKey] },
              ...(indexingPolicy !== undefined ? { indexingPolicy } : {}),
            }),
          )
        ).container;
      const instances = await container('instances', '/id', instancesIndexing);
      await addMissingCompositeIndexes(instances, instancesIndexing, call);
      return new CosmosStateStore(
        connection,
        instances,
        await container('history', '/instanceId', historyIndexing),
        await container('partitions', '/id'),
        {
          inlineBytes: options.inlineHistoryBytes ?? 64 * 1024,
          chunkBytes: options.historyChunkBytes ?? 1_000_000,
        },
        retry,
        options.cacheBytes ?? 64 * 1024 * 1024,
      );
    } catch (error) {
      if (connection !== undefined) dispose(connection);
      throw error;
    }
  }

  async claimPartition(partition: number, epoch: number): Promise<void> {
    const id = String(partition);
    // Read, check, write conditionally; a concurrent claim makes the write fail, so check again.
    for (let attempt = 0; attempt < 10; attempt++) {
      const stored = await this.readPartition(partition);
      if (stored !== undefined && stored.epoch > epoch) {
        throw new OwnershipLostError(`partition ${partition} is owned by epoch ${stored.epoch} > ${epoch}`);
      }
      if (stored?.epoch === epoch) return;
      try {
        await this.call(`partition ${partition}`, () =>
          stored?._etag === undefined
            ? this.partitions.items.create<PartitionDocument>({ id, epoch })
            : this.partitions
                .item(id, id)
                .replace<PartitionDocument>(
                  { id, epoch },
                  { accessCondition: { type: 'IfMatch', condition: stored._etag } },
                ),
        );
        return;
      } catch (error) {
        if (!(error instanceof ConflictError)) throw error;
      }
    }
    throw new ConflictError(`partition ${partition}: the claim kept losing races with other claims`);
  }

  async getInstance(instanceId: string): Promise<StoredInstance | undefined> {
    const doc = await this.readDocument(instanceId);
    return doc === undefined ? undefined : { record: doc.record, etag: doc.etag };
  }

  async readHistory(instanceId: string, executionId: string): Promise<HistoryEvent[]> {
    // A commit racing with this read may delete chunks the document we read still listed: read again.
    for (let attempt = 0; attempt < 3; attempt++) {
      const doc = await this.readDocument(instanceId);
      if (doc === undefined || doc.history.executionId !== executionId) return [];
      const chunks = await this.readChunks(instanceId, doc.history.chunks);
      if (chunks !== undefined) return stitchHistory(doc.history, chunks);
    }
    throw new UnavailableError(`instance '${instanceId}': its history kept changing while it was read`);
  }

  async commit(
    partition: number,
    epoch: number,
    writes: readonly InstanceWrite[],
  ): Promise<Map<string, string>> {
    // Fencing: a zombie finds the newer epoch here and writes nothing. A claim that lands after this
    // check is still safe: the new owner reads documents first, and the etags decide who wins.
    const stored = await this.readPartition(partition);
    if (stored !== undefined && stored.epoch > epoch) {
      throw new OwnershipLostError(
        `partition ${partition} now belongs to epoch ${stored.epoch}, not ${epoch}`,
      );
    }
    const results = await this.writeAll(writes);
    const etags = new Map<string, string>();
    const failures: unknown[] = [];
    results.forEach((result, i) => {
      if (!result.ok) failures.push(result.error);
      else etags.set((writes[i] as InstanceWrite).record.instanceId, result.etag);
    });
    if (failures.length > 0) throw failures.find((f) => f instanceof ConflictError) ?? failures[0];
    return etags;
  }

  async partitionWork(partition: number, outboxFromOffset: number): Promise<StoredInstance[]> {
    const docs = await this.query<InstanceDocument>(`the work of partition ${partition}`, this.instances, {
      query: 'SELECT * FROM c WHERE c.partition = @partition AND c.hasWork = true',
      parameters: [{ name: '@partition', value: partition }],
    });
    return docs
      .filter(({ record }) => {
        const unsent = record.outbox !== undefined && record.outbox.messages.length > 0;
        return (
          record.timers.length > 0 ||
          record.pendingStart !== undefined ||
          (unsent && (record.outbox?.offset ?? -1) >= outboxFromOffset)
        );
      })
      .map((doc) => {
        const etag = this.remember(doc);
        return { record: doc.record, etag };
      });
  }

  putInstance(record: InstanceRecord, expectedEtag: string | undefined): Promise<string> {
    // Puts asked for in the same event-loop turn (a frontend serving many calls) go out together.
    return new Promise((resolve, reject) => {
      if (this.pendingPuts.length === 0) setImmediate(() => void this.flushPuts());
      this.pendingPuts.push({ write: { record, expectedEtag }, resolve, reject });
    });
  }

  private async flushPuts(): Promise<void> {
    const puts = this.pendingPuts;
    this.pendingPuts = [];
    try {
      const results = await this.writeAll(puts.map((put) => put.write));
      puts.forEach((put, i) => {
        const result = results[i];
        if (result?.ok === true) put.resolve(result.etag);
        else put.reject(result?.error);
      });
    } catch (error) {
      for (const put of puts) put.reject(error);
    }
  }

  async listInstances(
    query: InstanceListQuery,
  ): Promise<{ records: InstanceRecord[]; continuationToken?: string }> {
    if (!Number.isInteger(query.pageSize) || query.pageSize < 1) {
      throw new InvalidArgumentError(`page size must be a positive integer, not ${query.pageSize}`);
    }
    const { where, parameters, param } = filterClause(query);
    parameters.push({ name: '@top', value: query.pageSize + 1 });
    const order = query.orderBy ?? createdAscending;
    // Top-level copies of the record's times: the record is not indexed.
    const time = order.by === 'createdAt' ? 'c.createdAt' : 'c.updatedAt';
    const direction = order.descending ? 'DESC' : 'ASC';
    if (query.continuationToken !== undefined) {
      // Keyset paging on (time, id): stable under concurrent inserts, and no OFFSET needed.
      const after = decodeListToken(query.continuationToken, order);
      const t = param('afterTime', after.time);
      const id = param('afterId', after.id);
      const beyond = order.descending ? '<' : '>';
      where.push(`(${time} ${beyond} ${t} OR (${time} = ${t} AND c.id ${beyond} ${id}))`);
    }
    const rows = await this.query<{ id: string; time: number; record: InstanceRecord }>(
      'the instance list',
      this.instances,
      {
        query: `SELECT TOP @top c.id, ${time} AS time, c.record FROM c WHERE ${where.join(' AND ')}
                ORDER BY ${time} ${direction}, c.id ${direction}`,
        parameters,
      },
    );
    const page = rows.slice(0, query.pageSize);
    const last = page[page.length - 1];
    const records = page.map((row) => row.record);
    return rows.length > query.pageSize && last !== undefined
      ? { records, continuationToken: encodeListToken({ time: last.time, id: last.id }, order) }
      : { records };
  }

  async countInstances(filter: InstanceFilter): Promise<number> {
    const { where, parameters } = filterClause(filter);
    const counts = await this.query<number>('the instance count', this.instances, {
      query: `SELECT VALUE COUNT(1) FROM c WHERE ${where.join(' AND ')}`,
      parameters,
    });
    // One count per physical partition when the SDK does not aggregate them: add them up.
    return counts.reduce((sum, n) => sum + n, 0);
  }

  async deleteInstance(instanceId: string, expectedEtag?: string): Promise<boolean> {
    const id = itemId(instanceId);
    let existed = true;
    // The document first: if history deletion then fails, what is left are orphans, never a
    // document listing chunks that are gone.
    try {
      await this.call(`instance '${instanceId}'`, () =>
        this.instances
          .item(id, id)
          .delete(
            expectedEtag !== undefined
              ? { accessCondition: { type: 'IfMatch', condition: expectedEtag } }
              : undefined,
          ),
      );
    } catch (error) {
      if (error instanceof ConflictError && expectedEtag !== undefined) return false;
      if (!isNotFound(error)) throw error;
      existed = false;
    }
    this.known.delete(instanceId);
    const items = await this.query<{ id: string; executionId: string }>(
      `the history of '${instanceId}'`,
      this.history,
      {
        query: 'SELECT c.id, c.executionId FROM c WHERE c.instanceId = @instanceId',
        parameters: [{ name: '@instanceId', value: instanceId }],
      },
      instanceId,
    );
    // An instance started again under the same id in the meantime keeps its (new) execution.
    const current = items.length > 0 ? await this.readDocument(instanceId) : undefined;
    await Promise.all(
      items
        .filter((item) => item.executionId !== current?.history.executionId)
        .map((item) => this.deleteChunk(instanceId, item.id)),
    );
    return existed;
  }

  async close(): Promise<void> {
    if (this.connection !== undefined) dispose(this.connection);
  }

  /**
   * Writes instances, each all-or-nothing: first the new history chunks of all of them, then the
   * documents of those whose chunks landed, conditionally (create, or replace with the etag). Both
   * steps go out as bulk requests. Results are in the order of `writes`.
   */
  private async writeAll(writes: readonly InstanceWrite[]): Promise<WriteResult[]> {
    const results = new Array<WriteResult | undefined>(writes.length);
    const fail = (i: number, error: unknown) => {
      results[i] = { ok: false, error };
      if (error instanceof ConflictError) this.known.delete((writes[i] as InstanceWrite).record.instanceId);
    };
    const planned = await Promise.allSettled(writes.map((write) => this.plan(write)));
    let ready: Array<{ readonly index: number; readonly write: PlannedWrite }> = [];
    planned.forEach((result, index) => {
      if (result.status === 'fulfilled') ready.push({ index, write: result.value });
      else fail(index, result.reason);
    });

    const chunks = ready.flatMap(({ index, write }) =>
      write.plan.chunks.map((chunk) => ({ index, operation: this.chunkUpsert(write.instanceId, chunk) })),
    );
    if (chunks.length > 0) {
      const outcomes = await runBulk(
        this.history,
        chunks.map((c) => c.operation),
        this.retry,
      );
      outcomes.forEach((outcome, k) => {
        const { index } = chunks[k] as (typeof chunks)[number];
        if (!outcome.ok && results[index] === undefined) fail(index, outcome.error);
      });
      // An instance missing a chunk writes no document: what it did write is an unlisted orphan.
      ready = ready.filter(({ index }) => results[index] === undefined);
    }

    const outcomes = await runBulk(
      this.instances,
      ready.map(({ write }) => this.documentWrite(write)),
      this.retry,
    );
    const unreferenced: BulkOperation[] = [];
    ready.forEach(({ index, write }, k) => {
      const outcome = outcomes[k];
      if (outcome === undefined || !outcome.ok) {
        // A replace of a document that is gone: another writer deleted it since the etag.
        const gone = outcome?.statusCode === 404 && write.expectedEtag !== undefined;
        fail(
          index,
          gone
            ? new ConflictError(`${write.what} does not exist any more`, { cause: outcome?.error })
            : outcome?.error,
        );
        return;
      }
      if (outcome.etag === undefined) {
        this.known.delete(write.instanceId);
        fail(index, new Error(`${write.what}: Cosmos DB answered ${outcome.statusCode} without an etag`));
        return;
      }
      this.known.set(
        write.instanceId,
        { etag: outcome.etag, history: write.plan.history },
        weightOf(write.plan.history),
      );
      results[index] = { ok: true, etag: outcome.etag };
      for (const id of write.plan.unreferenced) unreferenced.push(this.chunkDelete(write.instanceId, id));
    });
    // Best effort: a chunk nothing lists is harmless, and deleteInstance removes it in the end.
    if (unreferenced.length > 0) await runBulk(this.history, unreferenced, this.retry);
    return results.map(
      (result) => result ?? { ok: false, error: new Error('instance write without an outcome') },
    );
  }

  /** What one instance write makes of its document, reading what it extends if memory lacks it. */
  private async plan(write: InstanceWrite): Promise<PlannedWrite> {
    const { record, expectedEtag, extendsCreated } = write;
    const previous =
      expectedEtag === undefined
        ? undefined
        : extendsCreated !== undefined
          ? { etag: expectedEtag, history: emptyHistory(extendsCreated.executionId) }
          : await this.documentAt(record.instanceId, expectedEtag);
    const change = {
      previous: previous?.history,
      executionId: record.executionId,
      ...(write.history !== undefined ? { append: write.history } : {}),
      ...(write.dropHistoryOf !== undefined ? { dropHistoryOf: write.dropHistoryOf } : {}),
    };
    const spilled =
      previous !== undefined && rewritesSpilledEvents(change)
        ? await this.readSpilled(record.instanceId, previous.history)
        : undefined;
    const recordBytes = Buffer.byteLength(JSON.stringify(record));
    const plan = planHistory(
      { ...change, recordBytes, ...(spilled !== undefined ? { spilled } : {}) },
      this.limits,
    );
    return {
      instanceId: record.instanceId,
      what: `instance '${record.instanceId}'`,
      expectedEtag,
      plan,
      doc: toDocument(record, plan.history),
    };
  }

  private documentWrite({ doc, expectedEtag, what }: PlannedWrite): BulkOperation {
    const body = doc as unknown as JSONObject;
    return {
      input:
        expectedEtag === undefined
          ? { operationType: 'Create', partitionKey: doc.id, resourceBody: body }
          : {
              operationType: 'Replace',
              id: doc.id,
              partitionKey: doc.id,
              resourceBody: body,
              ifMatch: expectedEtag,
            },
      what,
      single: async () =>
        itemResult(
          expectedEtag === undefined
            ? await this.instances.items.create(doc)
            : await this.instances
                .item(doc.id, doc.id)
                .replace(doc, { accessCondition: { type: 'IfMatch', condition: expectedEtag } }),
        ),
    };
  }

  private chunkUpsert(instanceId: string, chunk: HistoryChunk): BulkOperation {
    const item: ChunkItem = { ...chunk, instanceId };
    return {
      input: {
        operationType: 'Upsert',
        partitionKey: instanceId,
        resourceBody: item as unknown as JSONObject,
      },
      what: `history chunk '${chunk.id}'`,
      single: async () => itemResult(await this.history.items.upsert(item)),
    };
  }

  private chunkDelete(instanceId: string, id: string): BulkOperation {
    return {
      input: { operationType: 'Delete', id, partitionKey: instanceId },
      what: `history chunk '${id}'`,
      single: async () => itemResult(await this.history.item(id, instanceId).delete()),
    };
  }

  /** The document as of `etag`, from memory when this process wrote or read that version. */
  private async documentAt(instanceId: string, etag: string): Promise<KnownDocument> {
    const known = this.known.get(instanceId);
    if (known?.etag === etag) return known;
    const doc = await this.readDocument(instanceId);
    if (doc === undefined) throw new ConflictError(`instance '${instanceId}' does not exist any more`);
    if (doc.etag !== etag) throw new ConflictError(`instance '${instanceId}' changed since etag ${etag}`);
    return doc;
  }

  private async readDocument(
    instanceId: string,
  ): Promise<(InstanceDocument & { readonly etag: string }) | undefined> {
    const id = itemId(instanceId);
    const resource = (await this.instanceReads.read(id, id, `instance '${instanceId}'`)) as
      InstanceDocument | undefined;
    if (resource === undefined) {
      this.known.delete(instanceId);
      return undefined;
    }
    return { ...resource, etag: this.remember(resource) };
  }

  private remember(doc: InstanceDocument): string {
    const etag = doc._etag ?? '';
    this.known.set(doc.record.instanceId, { etag, history: doc.history }, weightOf(doc.history));
    return etag;
  }

  /** The chunks, or undefined if one of them is gone (the document was replaced meanwhile). */
  private async readChunks(
    instanceId: string,
    refs: readonly ChunkRef[],
  ): Promise<HistoryChunk[] | undefined> {
    const chunks = await Promise.all(
      refs.map(
        async (ref) =>
          (
            await this.call(`history chunk '${ref.id}'`, () =>
              this.history.item(ref.id, instanceId).read<ChunkItem>(),
            )
          ).resource,
      ),
    );
    return chunks.every((c) => c !== undefined) ? chunks : undefined;
  }

  /** Events [0, history.fromIndex) of the document a commit extends; a chunk gone means it was replaced. */
  private async readSpilled(instanceId: string, history: ExecutionHistory): Promise<HistoryEvent[]> {
    const chunks = await this.readChunks(instanceId, history.chunks);
    if (chunks === undefined)
      throw new ConflictError(`instance '${instanceId}' changed while it was written`);
    return stitchHistory({ ...history, events: [] }, chunks);
  }

  private async deleteChunk(instanceId: string, id: string): Promise<void> {
    try {
      await this.call(`history chunk '${id}'`, () => this.history.item(id, instanceId).delete());
    } catch (error) {
      if (!isNotFound(error)) throw error;
    }
  }

  private async readPartition(partition: number): Promise<PartitionDocument | undefined> {
    const id = String(partition);
    return (await this.partitionReads.read(id, id, `partition ${partition}`)) as
      PartitionDocument | undefined;
  }

  private async query<T>(
    what: string,
    container: Container,
    spec: SqlQuerySpec,
    partitionKey?: string,
  ): Promise<T[]> {
    // The partition key stays in the WHERE clause too: it keeps the query correct on servers that
    // ignore the option (the test server does).
    const options = partitionKey !== undefined ? { partitionKey } : {};
    return (await this.call(what, () => container.items.query<T>(spec, options).fetchAll())).resources;
  }

  private call<T>(what: string, operation: () => Promise<T>): Promise<T> {
    return cosmosCall(what, operation, this.retry);
  }
}

interface Connection {
  readonly client: CosmosClient;
  readonly agent: HttpsAgent | undefined;
}

function connect(options: Extract<CosmosConnection, { endpoint: string }>): Connection {
  const url = new URL(options.endpoint);
  const local =
    options.allowSelfSignedCertificate === true || ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname);
  // Our own agent, so trusting a self-signed certificate applies to this endpoint only; capping its
  // sockets caps the TLS handshakes when a large batch starts cold. (An http: endpoint needs none.)
  const agent =
    url.protocol === 'https:'
      ? new HttpsAgent({
          keepAlive: true,
          maxSockets: 64,
          rejectUnauthorized: options.allowSelfSignedCertificate !== true,
        })
      : undefined;
  const client = new CosmosClient({
    endpoint: options.endpoint,
    ...('key' in options ? { key: options.key } : { aadCredentials: options.credential }),
    ...(agent !== undefined ? { agent } : {}),
    connectionPolicy: {
      // Retrying is cosmosCall's job alone: it also covers 503/408/449, honours the server's
      // retry-after and bounds the wait. SDK throttle retries underneath would multiply it.
      retryOptions: { maxRetryAttemptCount: 0 },
      // A local server or emulator has no other regions to discover.
      enableEndpointDiscovery: !local,
    },
  });
  return { client, agent };
}

function dispose({ client, agent }: Connection): void {
  client.dispose();
  agent?.destroy();
}

function toDocument(record: InstanceRecord, history: ExecutionHistory): InstanceDocument {
  return {
    id: itemId(record.instanceId),
    partition: record.partition,
    status: record.status,
    name: record.name,
    createdAt: record.createdAt,
    updatedAt: record.updatedAt,
    hasWork:
      record.timers.length > 0 ||
      (record.outbox?.messages.length ?? 0) > 0 ||
      record.pendingStart !== undefined,
    record,
    history,
  };
}

function itemResult(response: { statusCode: number; etag: string }): ItemResult {
  return { statusCode: response.statusCode, etag: response.etag };
}

function weightOf(history: ExecutionHistory): number {
  return history.bytes + 256 + history.chunks.length * 64;
}

/**
 * A container made by an earlier version lacks the composite indexes of newer listing orders (an
 * ORDER BY without one fails): add them to its policy. Cosmos DB builds them online.
 */
async function addMissingCompositeIndexes(
  container: Container,
  wanted: IndexingPolicy,
  call: <T>(what: string, operation: () => Promise<T>) => Promise<T>,
): Promise<void> {
  const what = `container '${container.id}'`;
  const { resource } = await call(what, () => container.read());
  if (resource === undefined) return;
  const key = (index: readonly CompositePath[]): string =>
    JSON.stringify(index.map((p) => [p.path, p.order ?? 'ascending']));
  const present = resource.indexingPolicy?.compositeIndexes ?? [];
  const have = new Set(present.map(key));
  const missing = (wanted.compositeIndexes ?? []).filter((index) => !have.has(key(index)));
  if (missing.length === 0) return;
  const indexingPolicy = { ...resource.indexingPolicy, compositeIndexes: [...present, ...missing] };
  await call(what, () => container.replace({ ...resource, indexingPolicy }));
}

/** The WHERE terms and parameters of a filter; always at least one term (the kind). */
function filterClause(filter: InstanceFilter): {
  where: string[];
  parameters: Array<{ name: string; value: string | number }>;
  param: (name: string, value: string | number) => string;
} {
  const where: string[] = [];
  const parameters: Array<{ name: string; value: string | number }> = [];
  const param = (name: string, value: string | number): string => {
    parameters.push({ name: `@${name}`, value });
    return `@${name}`;
  };
  // Entity documents are the instances '@name@key'; orchestration ids cannot start with '@'.
  where.push(`${filter.kind === 'entity' ? '' : 'NOT '}STARTSWITH(c.id, ${param('entityMark', '@')})`);
  if (filter.updatedFrom !== undefined)
    where.push(`c.updatedAt >= ${param('updatedFrom', filter.updatedFrom)}`);
  if (filter.updatedTo !== undefined) where.push(`c.updatedAt <= ${param('updatedTo', filter.updatedTo)}`);
  if (filter.statuses !== undefined && filter.statuses.length > 0) {
    where.push(`c.status IN (${filter.statuses.map((s, i) => param(`s${i}`, s)).join(', ')})`);
  }
  if (filter.name !== undefined) where.push(`c.name = ${param('name', filter.name)}`);
  if (filter.createdFrom !== undefined) where.push(`c.createdAt >= ${param('from', filter.createdFrom)}`);
  if (filter.createdTo !== undefined) where.push(`c.createdAt <= ${param('to', filter.createdTo)}`);
  if (filter.instanceIdPrefix !== undefined && filter.instanceIdPrefix !== '') {
    where.push(`STARTSWITH(c.id, ${param('prefix', itemId(filter.instanceIdPrefix))})`);
  }
  if (filter.instanceIdContains !== undefined && filter.instanceIdContains !== '') {
    where.push(`CONTAINS(c.id, ${param('contains', itemId(filter.instanceIdContains))})`);
  }
  return { where, parameters, param };
}
