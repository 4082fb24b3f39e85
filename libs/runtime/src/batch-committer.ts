import { Stream, type PartitionedLog } from '@durable/log';
import type { InstanceWrite, OutboxMessage, StateStore } from '@durable/storage';
import { FaultPoint, type FaultHook } from './faults';

export interface Batch {
  readonly partition: number;
  readonly epoch: number;
  readonly writes: readonly InstanceWrite[];
  readonly outbox: readonly OutboxMessage[];
  /** The consumer group and the offset to commit once the batch is durable. */
  readonly group: string;
  readonly nextOffset: number;
}

/**
 * Makes a processed batch durable: instance documents, then the outbox, then the log offset.
 * `atomic` committers do all three in one transaction, so instance documents need not carry the
 * outbox for a resend after a crash.
 */
export interface BatchCommitter {
  readonly atomic: boolean;
  /** Returns the new etags by instance id. */
  commit(batch: Batch, faults?: FaultHook): Promise<Map<string, string>>;
}

/** The protocol for stores and logs that share no transaction (Cosmos DB and Kafka). */
export class SequentialBatchCommitter implements BatchCommitter {
  readonly atomic = false;

  constructor(
    private readonly store: StateStore,
    private readonly log: PartitionedLog,
  ) {}

  async commit(batch: Batch, faults?: FaultHook): Promise<Map<string, string>> {
    const etags =
      batch.writes.length > 0
        ? await this.store.commit(batch.partition, batch.epoch, batch.writes)
        : new Map<string, string>();
    await faults?.(FaultPoint.AfterStateCommit, { partition: batch.partition });
    if (batch.outbox.length > 0) await this.log.append(batch.outbox);
    await faults?.(FaultPoint.AfterOutboxSend, { partition: batch.partition });
    await this.log.commitOffset(batch.group, Stream.Orchestrations, batch.partition, batch.nextOffset);
    return etags;
  }
}
