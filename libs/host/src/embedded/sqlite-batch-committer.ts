import type { LogRecord } from '@durable/log';
import { SqliteLog } from '@durable/log-sqlite';
import { FaultPoint, type Batch, type BatchCommitter, type FaultHook } from '@durable/runtime';
import type { SqliteDatabase } from '@durable/sqlite';
import type { SqliteStateStore } from '@durable/storage-sqlite';

/**
 * On the embedded default the log and the state live in one SQLite database, so a batch's instance
 * documents, its outbox and its log offset commit in one transaction: nothing is ever left unsent.
 */
export class SqliteBatchCommitter implements BatchCommitter {
  readonly atomic = true;

  constructor(
    private readonly database: SqliteDatabase,
    private readonly store: SqliteStateStore,
    private readonly log: SqliteLog,
  ) {}

  async commit(batch: Batch, faults?: FaultHook): Promise<Map<string, string>> {
    let touched: LogRecord[] = [];
    let etags: Map<string, string>;
    try {
      etags = await this.database.write(() => {
        const result = this.store.commitInTransaction(batch.partition, batch.epoch, batch.writes);
        touched = this.log.appendInTransaction(batch.outbox);
        this.log.commitOffsetInTransaction(batch.group, 'orchestrations', batch.partition, batch.nextOffset);
        return result;
      });
    } catch (error) {
      this.log.forgetOffsets();
      throw error;
    }
    this.log.wake(touched);
    await faults?.(FaultPoint.AfterStateCommit, { partition: batch.partition });
    await faults?.(FaultPoint.AfterOutboxSend, { partition: batch.partition });
    return etags;
  }
}
