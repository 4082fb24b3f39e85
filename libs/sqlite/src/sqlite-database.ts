import Database from 'better-sqlite3';

const busyBatchSize = 8;
const busyLingerMs = 2;

export interface SqliteDatabaseOptions {
  /** FULL survives power loss; NORMAL (default) survives process crashes and is much faster. */
  readonly synchronous?: 'NORMAL' | 'FULL';
}

/**
 * One SQLite connection in WAL mode with group commit: every write queued during one event-loop
 * turn runs in a single transaction, each in its own savepoint so that one failing write rolls
 * back alone. Adapters that share a database share its commits.
 */
export class SqliteDatabase {
  readonly db: Database.Database;
  private queued: Array<{
    run: () => unknown;
    savepoint: boolean;
    resolve: (value: never) => void;
    reject: (error: unknown) => void;
  }> = [];
  private flushScheduled = false;
  /** Writes in the last commit: a load signal. */
  private lastBatchSize = 0;

  constructor(file: string, options: SqliteDatabaseOptions = {}) {
    this.db = new Database(file);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma(`synchronous = ${options.synchronous ?? 'NORMAL'}`);
    this.db.pragma('busy_timeout = 5000');
    // Fewer, larger checkpoints and a bigger page cache: commits are the hot path.
    this.db.pragma('wal_autocheckpoint = 10000');
    this.db.pragma('cache_size = -65536');
    this.db.pragma('temp_store = MEMORY');
  }

  get isOpen(): boolean {
    return this.db.open;
  }

  /**
   * Runs `write` in the next group commit; resolves with its result once the commit is done.
   * `savepoint: false` is for writes that check everything before changing anything, so they
   * cannot fail halfway and need no rollback of their own.
   */
  write<T>(write: () => T, options: { savepoint?: boolean } = {}): Promise<T> {
    if (!this.db.open) return Promise.reject(new Error('the database is closed'));
    return new Promise<T>((resolve, reject) => {
      this.queued.push({
        run: write,
        savepoint: options.savepoint ?? true,
        resolve: resolve as (value: never) => void,
        reject,
      });
      if (!this.flushScheduled) {
        this.flushScheduled = true;
        // Under load, wait a moment so that more writes share the commit: a commit costs per page
        // written, and pages that many writes touch (log tails, hot rows) are then written once.
        // When idle, commit at once to keep latency low.
        if (this.lastBatchSize >= busyBatchSize) setTimeout(() => this.flush(), busyLingerMs);
        else setImmediate(() => this.flush());
      }
    });
  }

  /** Runs `write` at once in its own transaction. */
  writeNow<T>(write: () => T): T {
    return this.db.transaction(write)();
  }

  flush(): void {
    this.flushScheduled = false;
    const batch = this.queued;
    this.queued = [];
    this.lastBatchSize = batch.length;
    if (batch.length === 0 || !this.db.open) return;
    const outcomes: Array<() => void> = [];
    try {
      this.db.transaction(() => {
        for (const entry of batch) {
          try {
            const result = entry.savepoint ? this.db.transaction(entry.run)() : entry.run();
            outcomes.push(() => entry.resolve(result as never));
          } catch (error) {
            outcomes.push(() => entry.reject(error));
          }
        }
      })();
    } catch (error) {
      for (const entry of batch) entry.reject(error);
      return;
    }
    for (const settle of outcomes) settle();
  }

  close(): void {
    if (!this.db.open) return;
    this.flush();
    this.db.close();
  }
}
