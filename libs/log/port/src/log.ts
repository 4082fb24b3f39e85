/** The two streams of a task hub: instance messages, and activity work items. */
export const Stream = {
  Orchestrations: 'orchestrations',
  Activities: 'activities',
} as const;
export type Stream = (typeof Stream)[keyof typeof Stream];

export interface AppendRecord {
  readonly stream: Stream;
  readonly partition: number;
  /** The instance id the record is about (Kafka: the message key). */
  readonly key: string;
  readonly value: string;
}

export interface LogRecord extends AppendRecord {
  /** Position within the partition; increasing, not necessarily contiguous. */
  readonly offset: number;
}

export interface ReadOptions {
  readonly maxRecords: number;
  /** How long to wait for a first record when none is there yet. */
  readonly waitMs: number;
  readonly signal?: AbortSignal;
}

/** Callbacks of a group member: partitions it gains, each with a fencing epoch, and loses. */
export interface OwnershipListener {
  assigned(
    partitions: ReadonlyArray<{ readonly partition: number; readonly epoch: number }>,
  ): void | Promise<void>;
  revoked(partitions: readonly number[]): void | Promise<void>;
}

export interface Membership {
  /** Leaves the group; the member's partitions are revoked first. */
  leave(): Promise<void>;
  /**
   * For a partition this member still holds whose owner was fenced by a claim that raced ahead of
   * its own (a stale member's delayed claim): claims a newer epoch and hands the partition to the
   * listener again (`revoked`, then `assigned`). Does nothing for a partition the member lost.
   * Logs whose groups cannot race (in-process ones) leave it out.
   */
  renew?(partition: number): Promise<void>;
}

/**
 * An ordered, partitioned, durable log (Kafka in production, SQLite embedded).
 *
 * Errors: append/read/commit throw UnavailableError (retriable) when the log is briefly
 * unreachable; OwnershipLostError when committing for a partition the member no longer owns.
 */
export interface PartitionedLog {
  partitionCount(stream: Stream): number;
  /** Resolves once every record is durably stored; order within one partition is kept. */
  append(records: readonly AppendRecord[]): Promise<void>;
  /** Up to `maxRecords` records from `fromOffset` on; waits up to `waitMs` for the first. */
  read(stream: Stream, partition: number, fromOffset: number, options: ReadOptions): Promise<LogRecord[]>;
  /**
   * The offset the next record appended to the partition gets (Kafka: the high watermark). Less a
   * reader's position, it is that reader's backlog.
   */
  endOffset(stream: Stream, partition: number): Promise<number>;
  /** The next offset the group should read (0 when it never committed). */
  committedOffset(group: string, stream: Stream, partition: number): Promise<number>;
  /** Records that the group has processed everything before `nextOffset`. */
  commitOffset(group: string, stream: Stream, partition: number, nextOffset: number): Promise<void>;
  /** Joins a consumer group; partitions of `stream` are shared among its members. */
  join(group: string, stream: Stream, listener: OwnershipListener): Promise<Membership>;
  /**
   * The partitions of `stream` that members of `group` hold now, as the group's coordinator sees it
   * (any process can ask); undefined while the group rebalances, when nobody can say. For
   * diagnostics only: ownership for writes is what the epochs fence.
   */
  assignedPartitions(group: string, stream: Stream): Promise<ReadonlySet<number> | undefined>;
  close(): Promise<void>;
}

/** Partition of an instance: a stable hash of its id (FNV-1a), so every process agrees. */
export function partitionOf(instanceId: string, partitions: number): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < instanceId.length; i++) {
    hash ^= instanceId.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0) % partitions;
}
