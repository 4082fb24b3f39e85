import { SqliteDatabase } from '@durable/sqlite';
import { InvalidArgumentError } from '@durable/core';
import {
  Stream,
  type AppendRecord,
  type LogRecord,
  type Membership,
  type OwnershipListener,
  type PartitionedLog,
  type ReadOptions,
} from '@durable/log';

/** Records kept in memory per partition for readers that follow the writer. */
const tailLength = 500;

export interface SqliteLogOptions {
  readonly partitions: number;
}

interface Member {
  readonly listener: OwnershipListener;
  owned: number[];
}

/**
 * The embedded PartitionedLog: one SQLite table, appends grouped into one transaction per event-loop
 * turn, readers woken in-process. Consumer groups share partitions among the members that joined in
 * this process; each assignment gets a new persisted epoch for fencing.
 */
export class SqliteLog implements PartitionedLog {
  private readonly database: SqliteDatabase;
  private readonly db: SqliteDatabase['db'];
  private readonly statements;
  private readonly nextOffsets = new Map<string, number>();
  private readonly waiters = new Map<string, Set<() => void>>();
  private readonly groups = new Map<string, Member[]>();
  private readonly lastTruncated = new Map<string, number>();
  /** The latest committed records of each partition, contiguous by offset. */
  private readonly tails = new Map<string, LogRecord[]>();
  private closed = false;

  /** Opens `file`, or shares an open database (and its group commits) with other adapters. */
  constructor(
    database: SqliteDatabase | string,
    private readonly options: SqliteLogOptions,
  ) {
    if (!Number.isInteger(options.partitions) || options.partitions < 1) {
      throw new InvalidArgumentError('partitions must be a positive integer');
    }
    this.database = typeof database === 'string' ? new SqliteDatabase(database) : database;
    this.db = this.database.db;
    this.db.exec(`
      CREATE TABLE IF NOT EXISTS log (
        id INTEGER PRIMARY KEY,
        stream TEXT NOT NULL, partition INTEGER NOT NULL, offset INTEGER NOT NULL, key TEXT NOT NULL, value TEXT NOT NULL
      );
      CREATE UNIQUE INDEX IF NOT EXISTS log_position ON log(stream, partition, offset);
      CREATE TABLE IF NOT EXISTS offsets (
        grp TEXT NOT NULL, stream TEXT NOT NULL, partition INTEGER NOT NULL, next_offset INTEGER NOT NULL,
        PRIMARY KEY (grp, stream, partition)
      ) WITHOUT ROWID;
      CREATE TABLE IF NOT EXISTS log_settings (name TEXT PRIMARY KEY, value INTEGER NOT NULL);
      CREATE TABLE IF NOT EXISTS epochs (
        grp TEXT NOT NULL, stream TEXT NOT NULL, partition INTEGER NOT NULL, epoch INTEGER NOT NULL,
        PRIMARY KEY (grp, stream, partition)
      ) WITHOUT ROWID;
    `);
    // Instances are routed by partition count: changing it would strand messages and instances.
    const stored = this.db
      .prepare<[], { value: number }>("SELECT value FROM log_settings WHERE name = 'partitions'")
      .get()?.value;
    if (stored === undefined) {
      this.db
        .prepare("INSERT INTO log_settings (name, value) VALUES ('partitions', ?)")
        .run(options.partitions);
    } else if (stored !== options.partitions) {
      throw new InvalidArgumentError(
        `this data was created with ${stored} partitions; it cannot be opened with ${options.partitions} (keep PARTITION_COUNT=${stored} or use a new data directory)`,
      );
    }
    this.statements = {
      insert: this.db.prepare(
        'INSERT INTO log (stream, partition, offset, key, value) VALUES (?, ?, ?, ?, ?)',
      ),
      maxOffset: this.db.prepare<[string, number], { max: number | null }>(
        'SELECT MAX(offset) AS max FROM log WHERE stream = ? AND partition = ?',
      ),
      read: this.db.prepare<[string, number, number, number], { offset: number; key: string; value: string }>(
        'SELECT offset, key, value FROM log WHERE stream = ? AND partition = ? AND offset >= ? ORDER BY offset LIMIT ?',
      ),
      committed: this.db.prepare<[string, string, number], { next_offset: number }>(
        'SELECT next_offset FROM offsets WHERE grp = ? AND stream = ? AND partition = ?',
      ),
      commit: this.db.prepare(
        `INSERT INTO offsets (grp, stream, partition, next_offset) VALUES (?, ?, ?, ?)
         ON CONFLICT (grp, stream, partition) DO UPDATE SET next_offset = MAX(next_offset, excluded.next_offset)`,
      ),
      maxCommitted: this.db.prepare<[string, number], { max: number | null }>(
        'SELECT MAX(next_offset) AS max FROM offsets WHERE stream = ? AND partition = ?',
      ),
      minCommitted: this.db.prepare<[string, number], { min: number | null }>(
        'SELECT MIN(next_offset) AS min FROM offsets WHERE stream = ? AND partition = ?',
      ),
      truncate: this.db.prepare('DELETE FROM log WHERE stream = ? AND partition = ? AND offset < ?'),
      bumpEpoch: this.db.prepare<[string, string, number], { epoch: number }>(
        `INSERT INTO epochs (grp, stream, partition, epoch) VALUES (?, ?, ?, 1)
         ON CONFLICT (grp, stream, partition) DO UPDATE SET epoch = epoch + 1 RETURNING epoch`,
      ),
    };
  }

  partitionCount(_stream: Stream): number {
    return this.options.partitions;
  }

  append(records: readonly AppendRecord[]): Promise<void> {
    if (this.closed) return Promise.reject(new Error('the log is closed'));
    try {
      for (const record of records) this.checkPartition(record.partition);
    } catch (error) {
      return Promise.reject(error);
    }
    if (records.length === 0) return Promise.resolve();
    return this.enqueue(records);
  }

  /** Appends and offset commits made in one event-loop turn share one transaction (group commit). */
  private enqueue(
    records: readonly AppendRecord[],
    offset?: { group: string; stream: Stream; partition: number; nextOffset: number },
  ): Promise<void> {
    let touched: LogRecord[] = [];
    const written = this.database.write(
      () => {
        if (offset !== undefined)
          this.commitOffsetInTransaction(offset.group, offset.stream, offset.partition, offset.nextOffset);
        touched = this.appendInTransaction(records);
      },
      { savepoint: false },
    );
    return written.then(
      () => this.wake(touched),
      (error: unknown) => {
        this.forgetOffsets();
        throw error;
      },
    );
  }

  /**
   * For writers sharing this database: appends inside the caller's transaction and returns the
   * records to pass to `wake` once it committed (or call `forgetOffsets` if it rolled back).
   */
  appendInTransaction(records: readonly AppendRecord[]): LogRecord[] {
    const written: LogRecord[] = [];
    for (const record of records) {
      this.checkPartition(record.partition);
      const key = `${record.stream}\u0000${record.partition}`;
      const offset = this.nextOffset(record.stream, record.partition, key);
      this.statements.insert.run(record.stream, record.partition, offset, record.key, record.value);
      this.nextOffsets.set(key, offset + 1);
      written.push({ ...record, offset });
    }
    return written;
  }

  /** For writers sharing this database: commits a group's offset inside the caller's transaction. */
  commitOffsetInTransaction(group: string, stream: Stream, partition: number, nextOffset: number): void {
    this.statements.commit.run(group, stream, partition, nextOffset);
    // Records every group has consumed are not needed any more; deleting them now and then is enough.
    const key = `${stream}\u0000${partition}`;
    const now = Date.now();
    if (now - (this.lastTruncated.get(key) ?? 0) < 1000) return;
    this.lastTruncated.set(key, now);
    const min = this.statements.minCommitted.get(stream, partition)?.min;
    if (min !== null && min !== undefined) this.statements.truncate.run(stream, partition, min);
  }

  /** After a rolled-back transaction the cached next offsets may be ahead of the table. */
  forgetOffsets(): void {
    this.nextOffsets.clear();
    this.tails.clear();
  }

  async read(
    stream: Stream,
    partition: number,
    fromOffset: number,
    options: ReadOptions,
  ): Promise<LogRecord[]> {
    this.checkPartition(partition);
    const fetch = (): LogRecord[] => {
      // Readers usually follow right behind the writer: serve them from the records kept in memory.
      const tail = this.tails.get(`${stream}\u0000${partition}`);
      const first = tail?.[0];
      if (tail !== undefined && first !== undefined && first.offset <= fromOffset) {
        const start = fromOffset - first.offset;
        return tail.slice(start, start + options.maxRecords);
      }
      return this.statements.read
        .all(stream, partition, fromOffset, options.maxRecords)
        .map((row) => ({ stream, partition, offset: row.offset, key: row.key, value: row.value }));
    };
    let records = fetch();
    if (records.length > 0 || options.waitMs <= 0 || this.closed) return records;
    await this.waitForAppend(stream, partition, options.waitMs, options.signal);
    if (this.closed) return [];
    records = fetch();
    return records;
  }

  async endOffset(stream: Stream, partition: number): Promise<number> {
    this.checkPartition(partition);
    return this.nextOffset(stream, partition, `${stream}\u0000${partition}`);
  }

  async committedOffset(group: string, stream: Stream, partition: number): Promise<number> {
    return this.statements.committed.get(group, stream, partition)?.next_offset ?? 0;
  }

  commitOffset(group: string, stream: Stream, partition: number, nextOffset: number): Promise<void> {
    if (this.closed) return Promise.reject(new Error('the log is closed'));
    return this.enqueue([], { group, stream, partition, nextOffset });
  }

  async join(group: string, stream: Stream, listener: OwnershipListener): Promise<Membership> {
    const key = `${group}\u0000${stream}`;
    const members = this.groups.get(key) ?? [];
    this.groups.set(key, members);
    const member: Member = { listener, owned: [] };
    members.push(member);
    await this.rebalance(group, stream, members);
    return {
      leave: async () => {
        const index = members.indexOf(member);
        if (index < 0) return;
        members.splice(index, 1);
        if (member.owned.length > 0) await listener.revoked(member.owned);
        member.owned = [];
        await this.rebalance(group, stream, members);
      },
    };
  }

  async assignedPartitions(group: string, stream: Stream): Promise<ReadonlySet<number>> {
    // Groups are coordinated in this process: its members are all there is.
    return new Set((this.groups.get(`${group}\u0000${stream}`) ?? []).flatMap((member) => member.owned));
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.database.flush();
    for (const set of this.waiters.values()) for (const wake of set) wake();
    this.waiters.clear();
    this.database.close();
  }

  /** After a commit: keeps the records for readers and wakes those waiting on their partitions. */
  wake(records: readonly LogRecord[]): void {
    const keys = new Set<string>();
    for (const record of records) {
      const key = `${record.stream}\u0000${record.partition}`;
      let tail = this.tails.get(key);
      const last = tail?.[tail.length - 1];
      // Offsets in a tail are contiguous; anything else starts it afresh.
      if (tail === undefined || (last !== undefined && last.offset + 1 !== record.offset)) {
        tail = [];
        this.tails.set(key, tail);
      }
      tail.push(record);
      if (tail.length > 2 * tailLength) tail.splice(0, tail.length - tailLength);
      keys.add(key);
    }
    for (const key of keys) {
      const set = this.waiters.get(key);
      if (set === undefined) continue;
      this.waiters.delete(key);
      for (const wake of set) wake();
    }
  }

  private nextOffset(stream: string, partition: number, key: string): number {
    const cached = this.nextOffsets.get(key);
    if (cached !== undefined) return cached;
    // Consumed records may have been truncated away; committed offsets still remember how far the log got.
    const max = this.statements.maxOffset.get(stream, partition)?.max ?? -1;
    const committed = this.statements.maxCommitted.get(stream, partition)?.max ?? 0;
    return Math.max(max + 1, committed);
  }

  private waitForAppend(
    stream: Stream,
    partition: number,
    waitMs: number,
    signal?: AbortSignal,
  ): Promise<void> {
    return new Promise((resolve) => {
      if (signal?.aborted === true) {
        resolve();
        return;
      }
      const key = `${stream}\u0000${partition}`;
      const set = this.waiters.get(key) ?? new Set();
      this.waiters.set(key, set);
      const done = (): void => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', done);
        set.delete(done);
        resolve();
      };
      const timer = setTimeout(done, waitMs);
      signal?.addEventListener('abort', done, { once: true });
      set.add(done);
    });
  }

  private async rebalance(group: string, stream: Stream, members: Member[]): Promise<void> {
    const partitions = this.options.partitions;
    const target = members.map((_, i) => range(partitions).filter((p) => p % members.length === i));
    // Revoke first, so no partition ever has two owners.
    for (const [i, member] of members.entries()) {
      const keep = new Set(target[i]);
      const lost = member.owned.filter((p) => !keep.has(p));
      if (lost.length > 0) {
        member.owned = member.owned.filter((p) => keep.has(p));
        await member.listener.revoked(lost);
      }
    }
    for (const [i, member] of members.entries()) {
      const gained = (target[i] ?? []).filter((p) => !member.owned.includes(p));
      if (gained.length === 0) continue;
      const withEpochs = this.database.writeNow(() =>
        gained.map((partition) => ({
          partition,
          epoch: this.statements.bumpEpoch.get(group, stream, partition)?.epoch ?? 1,
        })),
      );
      member.owned.push(...gained);
      await member.listener.assigned(withEpochs);
    }
  }

  private checkPartition(partition: number): void {
    if (!Number.isInteger(partition) || partition < 0 || partition >= this.options.partitions) {
      throw new InvalidArgumentError(`partition ${partition} is outside 0..${this.options.partitions - 1}`);
    }
  }
}

function range(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i);
}
