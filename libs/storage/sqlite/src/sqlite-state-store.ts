import { SqliteDatabase } from '@durable/sqlite';
import { ConflictError, OwnershipLostError, type HistoryEvent } from '@durable/core';
import type {
  InstanceFilter,
  InstanceListQuery,
  InstanceRecord,
  InstanceWrite,
  StateStore,
  StoredInstance,
} from '@durable/storage';
import { createdAscending, decodeListToken, encodeListToken } from '@durable/storage';

const schemaVersion = 3;

interface InstanceRow {
  etag: number;
  doc: string;
}

/** The embedded StateStore: one SQLite file in WAL mode; a commit is one transaction. */
export class SqliteStateStore implements StateStore {
  private readonly database: SqliteDatabase;
  private readonly db: SqliteDatabase['db'];
  private readonly statements;

  /** Opens `file`, or shares an open database (and its group commits) with other adapters. */
  constructor(database: SqliteDatabase | string) {
    this.database = typeof database === 'string' ? new SqliteDatabase(database) : database;
    this.db = this.database.db;
    const version = this.db.pragma('user_version', { simple: true }) as number;
    const hasTables =
      this.db.prepare("SELECT 1 FROM sqlite_master WHERE name = 'instances'").get() !== undefined;
    if (hasTables && version !== schemaVersion) {
      throw new Error(
        `the state database has schema ${version}, this version needs ${schemaVersion}: use a new data directory`,
      );
    }
    // History chunks are appended in commit order (rowid), so their payload fills pages at the end of
    // the table; the small index on (instance rowid, execution, index) finds them. Instance rowids
    // grow with creation time, so the index entries of instances in flight sit together too.
    this.db.exec(`
      CREATE TABLE IF NOT EXISTS instances (
        id INTEGER PRIMARY KEY,
        instance_id TEXT NOT NULL UNIQUE,
        partition INTEGER NOT NULL,
        name TEXT NOT NULL,
        status TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        has_work INTEGER NOT NULL,
        outbox_offset INTEGER,
        etag INTEGER NOT NULL,
        doc TEXT NOT NULL
      );
      CREATE INDEX IF NOT EXISTS instances_work ON instances(partition) WHERE has_work = 1;
      CREATE INDEX IF NOT EXISTS instances_created ON instances(created_at, instance_id);
      CREATE INDEX IF NOT EXISTS instances_updated ON instances(json_extract(doc, '$.updatedAt'), instance_id);
      CREATE INDEX IF NOT EXISTS instances_status ON instances(status, created_at, instance_id);
      CREATE TABLE IF NOT EXISTS history (
        id INTEGER PRIMARY KEY,
        instance INTEGER NOT NULL,
        execution_id TEXT NOT NULL,
        from_index INTEGER NOT NULL,
        events TEXT NOT NULL
      );
      CREATE UNIQUE INDEX IF NOT EXISTS history_chunks ON history(instance, execution_id, from_index);
      CREATE TABLE IF NOT EXISTS partitions (partition INTEGER PRIMARY KEY, epoch INTEGER NOT NULL);
    `);
    this.db.pragma(`user_version = ${schemaVersion}`);
    this.statements = {
      getInstance: this.db.prepare<[string], InstanceRow>(
        'SELECT etag, doc FROM instances WHERE instance_id = ?',
      ),
      insertInstance: this.db.prepare(
        `INSERT INTO instances (instance_id, partition, name, status, created_at, has_work, outbox_offset, etag, doc)
         VALUES (@instanceId, @partition, @name, @status, @createdAt, @hasWork, @outboxOffset, 1, @doc)
         ON CONFLICT (instance_id) DO NOTHING`,
      ),
      updateInstance: this.db.prepare(
        `UPDATE instances SET partition = @partition, name = @name, status = @status, created_at = @createdAt,
           has_work = @hasWork, outbox_offset = @outboxOffset, etag = etag + 1, doc = @doc
         WHERE instance_id = @instanceId AND etag = @expectedEtag`,
      ),
      etagOf: this.db.prepare<[string], { id: number; etag: number }>(
        'SELECT id, etag FROM instances WHERE instance_id = ?',
      ),
      putHistory: this.db.prepare(
        'INSERT OR REPLACE INTO history (instance, execution_id, from_index, events) VALUES (?, ?, ?, ?)',
      ),
      readHistory: this.db.prepare<[string, string], { events: string }>(
        `SELECT events FROM history WHERE instance = (SELECT id FROM instances WHERE instance_id = ?) AND execution_id = ?
         ORDER BY from_index`,
      ),
      epochOf: this.db.prepare<[number], { epoch: number }>(
        'SELECT epoch FROM partitions WHERE partition = ?',
      ),
      setEpoch: this.db.prepare(
        'INSERT INTO partitions (partition, epoch) VALUES (?, ?) ON CONFLICT (partition) DO UPDATE SET epoch = excluded.epoch',
      ),
      partitionWork: this.db.prepare<[number, number], InstanceRow>(
        `SELECT etag, doc FROM instances WHERE partition = ? AND has_work = 1
           AND (outbox_offset IS NULL OR outbox_offset >= ? OR json_extract(doc, '$.timers[0]') IS NOT NULL
                OR json_extract(doc, '$.pendingStart') IS NOT NULL)`,
      ),
      deleteInstance: this.db.prepare('DELETE FROM instances WHERE instance_id = ?'),
      deleteHistory: this.db.prepare(
        'DELETE FROM history WHERE instance = (SELECT id FROM instances WHERE instance_id = ?)',
      ),
      deleteExecutionHistory: this.db.prepare('DELETE FROM history WHERE instance = ? AND execution_id = ?'),
    };
  }

  async claimPartition(partition: number, epoch: number): Promise<void> {
    this.database.writeNow(() => {
      const stored = this.statements.epochOf.get(partition)?.epoch ?? -1;
      if (stored > epoch)
        throw new OwnershipLostError(`partition ${partition} is owned by epoch ${stored} > ${epoch}`);
      this.statements.setEpoch.run(partition, epoch);
    });
  }

  async getInstance(instanceId: string): Promise<StoredInstance | undefined> {
    const row = this.statements.getInstance.get(instanceId);
    return row === undefined ? undefined : toStored(row);
  }

  async readHistory(instanceId: string, executionId: string): Promise<HistoryEvent[]> {
    const chunks = this.statements.readHistory.all(instanceId, executionId);
    const events: HistoryEvent[] = [];
    for (const chunk of chunks)
      for (const event of JSON.parse(chunk.events) as HistoryEvent[]) events.push(event);
    return events;
  }

  /** Commits of every partition made in one event-loop turn share one transaction (group commit). */
  commit(partition: number, epoch: number, writes: readonly InstanceWrite[]): Promise<Map<string, string>> {
    return this.database.write(() => this.commitNow(partition, epoch, writes), { savepoint: false });
  }

  /** For writers sharing this database: `commit` inside the caller's transaction. */
  commitInTransaction(
    partition: number,
    epoch: number,
    writes: readonly InstanceWrite[],
  ): Map<string, string> {
    return this.commitNow(partition, epoch, writes);
  }

  private commitNow(partition: number, epoch: number, writes: readonly InstanceWrite[]): Map<string, string> {
    const stored = this.statements.epochOf.get(partition)?.epoch ?? -1;
    if (stored > epoch)
      throw new OwnershipLostError(`partition ${partition} now belongs to epoch ${stored}, not ${epoch}`);
    // Check every condition before writing anything: a failed commit changes nothing.
    const ids: Array<number | undefined> = [];
    for (const write of writes) {
      const row = this.statements.etagOf.get(write.record.instanceId);
      ids.push(row?.id);
      const current = row?.etag;
      const expected = write.expectedEtag === undefined ? undefined : Number(write.expectedEtag);
      if (current !== expected) {
        throw new ConflictError(
          expected === undefined
            ? `instance '${write.record.instanceId}' already exists`
            : `instance '${write.record.instanceId}' changed since etag ${write.expectedEtag}`,
        );
      }
    }
    const etags = new Map<string, string>();
    writes.forEach((write, i) => {
      etags.set(write.record.instanceId, this.write(write.record, write.expectedEtag));
      const id = ids[i] ?? this.statements.etagOf.get(write.record.instanceId)?.id;
      if (write.dropHistoryOf !== undefined)
        this.statements.deleteExecutionHistory.run(id, write.dropHistoryOf);
      if (write.history !== undefined) {
        const { executionId, fromIndex, events } = write.history;
        if (write.history.replace === true) this.statements.deleteExecutionHistory.run(id, executionId);
        if (events.length > 0)
          this.statements.putHistory.run(id, executionId, fromIndex, JSON.stringify(events));
      }
    });
    return etags;
  }

  async partitionWork(partition: number, outboxFromOffset: number): Promise<StoredInstance[]> {
    return this.statements.partitionWork.all(partition, outboxFromOffset).map(toStored);
  }

  putInstance(record: InstanceRecord, expectedEtag: string | undefined): Promise<string> {
    return this.database.write(() => this.write(record, expectedEtag));
  }

  async listInstances(
    query: InstanceListQuery,
  ): Promise<{ records: InstanceRecord[]; continuationToken?: string }> {
    const { where, params } = filterClause(query);
    params['limit'] = query.pageSize + 1;
    const order = query.orderBy ?? createdAscending;
    const time = order.by === 'createdAt' ? 'created_at' : updatedAtColumn;
    const direction = order.descending ? 'DESC' : 'ASC';
    if (query.continuationToken !== undefined) {
      const after = decodeListToken(query.continuationToken, order);
      const beyond = order.descending ? '<' : '>';
      where.push(
        `(${time} ${beyond} @afterTime OR (${time} = @afterTime AND instance_id ${beyond} @afterId))`,
      );
      params['afterTime'] = after.time;
      params['afterId'] = after.id;
    }
    const sql = `SELECT etag, doc FROM instances WHERE ${where.join(' AND ')}
                 ORDER BY ${time} ${direction}, instance_id ${direction} LIMIT @limit`;
    const rows = this.db.prepare<[Record<string, unknown>], InstanceRow>(sql).all(params);
    const records = rows.slice(0, query.pageSize).map((row) => JSON.parse(row.doc) as InstanceRecord);
    const last = records[records.length - 1];
    if (rows.length <= query.pageSize || last === undefined) return { records };
    const position = {
      time: order.by === 'createdAt' ? last.createdAt : last.updatedAt,
      id: last.instanceId,
    };
    return { records, continuationToken: encodeListToken(position, order) };
  }

  async countInstances(filter: InstanceFilter): Promise<number> {
    const { where, params } = filterClause(filter);
    const sql = `SELECT COUNT(*) AS count FROM instances WHERE ${where.join(' AND ')}`;
    return this.db.prepare<[Record<string, unknown>], { count: number }>(sql).get(params)?.count ?? 0;
  }

  deleteInstance(instanceId: string, expectedEtag?: string): Promise<boolean> {
    return this.database.write(() => {
      if (expectedEtag !== undefined && this.statements.etagOf.get(instanceId)?.etag !== Number(expectedEtag))
        return false;
      this.statements.deleteHistory.run(instanceId);
      return this.statements.deleteInstance.run(instanceId).changes > 0;
    });
  }

  async close(): Promise<void> {
    this.database.close();
  }

  private write(record: InstanceRecord, expectedEtag: string | undefined): string {
    const row = {
      instanceId: record.instanceId,
      partition: record.partition,
      name: record.name,
      status: record.status,
      createdAt: record.createdAt,
      hasWork:
        record.timers.length > 0 ||
        (record.outbox?.messages.length ?? 0) > 0 ||
        record.pendingStart !== undefined
          ? 1
          : 0,
      outboxOffset:
        record.outbox !== undefined && record.outbox.messages.length > 0 ? record.outbox.offset : null,
      doc: JSON.stringify(record),
    };
    if (expectedEtag === undefined) {
      if (this.statements.insertInstance.run(row).changes === 0) {
        throw new ConflictError(`instance '${record.instanceId}' already exists`);
      }
      return '1';
    }
    const result = this.statements.updateInstance.run({ ...row, expectedEtag: Number(expectedEtag) });
    if (result.changes === 0) {
      throw new ConflictError(`instance '${record.instanceId}' changed since etag ${expectedEtag}`);
    }
    return String(Number(expectedEtag) + 1);
  }
}

function toStored(row: InstanceRow): StoredInstance {
  return { record: JSON.parse(row.doc) as InstanceRecord, etag: String(row.etag) };
}

// Indexed as an expression (instances_updated), so the schema and old databases stay as they were.
const updatedAtColumn = "json_extract(doc, '$.updatedAt')";

/** The WHERE terms and parameters of a filter; always at least one term (the kind). */
function filterClause(filter: InstanceFilter): { where: string[]; params: Record<string, unknown> } {
  const where: string[] = [];
  const params: Record<string, unknown> = {};
  // Entity documents are the instances '@name@key'; orchestration ids cannot start with '@'.
  where.push(
    filter.kind === 'entity' ? "substr(instance_id, 1, 1) = '@'" : "substr(instance_id, 1, 1) <> '@'",
  );
  if (filter.updatedFrom !== undefined) {
    where.push(`${updatedAtColumn} >= @updatedFrom`);
    params['updatedFrom'] = filter.updatedFrom;
  }
  if (filter.updatedTo !== undefined) {
    where.push(`${updatedAtColumn} <= @updatedTo`);
    params['updatedTo'] = filter.updatedTo;
  }
  if (filter.statuses !== undefined && filter.statuses.length > 0) {
    where.push(`status IN (${filter.statuses.map((_, i) => `@s${i}`).join(', ')})`);
    filter.statuses.forEach((s, i) => (params[`s${i}`] = s));
  }
  if (filter.name !== undefined) {
    where.push('name = @name');
    params['name'] = filter.name;
  }
  if (filter.createdFrom !== undefined) {
    where.push('created_at >= @createdFrom');
    params['createdFrom'] = filter.createdFrom;
  }
  if (filter.createdTo !== undefined) {
    where.push('created_at <= @createdTo');
    params['createdTo'] = filter.createdTo;
  }
  if (filter.instanceIdPrefix !== undefined && filter.instanceIdPrefix !== '') {
    where.push('substr(instance_id, 1, @prefixLength) = @prefix');
    params['prefix'] = filter.instanceIdPrefix;
    params['prefixLength'] = filter.instanceIdPrefix.length;
  }
  if (filter.instanceIdContains !== undefined && filter.instanceIdContains !== '') {
    // instr is case-sensitive, as Cosmos' CONTAINS is.
    where.push('instr(instance_id, @contains) > 0');
    params['contains'] = filter.instanceIdContains;
  }
  return { where, params };
}
