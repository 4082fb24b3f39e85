import type {
  FailureDetails,
  HistoryEvent,
  ParentInstanceInfo,
  RuntimeStatus,
  TraceContext,
} from '@durable/core';
import type { EntityRequest, LockRequest, OperationRequest } from '@durable/entities';

/** A message an instance's commit promised to send; sent after the commit, resent after a crash. */
export interface OutboxMessage {
  readonly stream: 'orchestrations' | 'activities';
  readonly partition: number;
  readonly key: string;
  readonly value: string;
}

export interface PendingTimer {
  readonly id: number;
  /** Epoch ms. */
  readonly fireAt: number;
}

/** The instance document: the single commit point of everything that happens to an instance. */
export interface InstanceRecord {
  readonly instanceId: string;
  readonly partition: number;
  readonly name: string;
  readonly version?: string;
  readonly executionId: string;
  readonly status: RuntimeStatus;
  readonly input?: string;
  readonly output?: string;
  readonly customStatus?: string;
  /**
   * The external events the orchestrator awaited after its last episode, oldest wait first (`since`
   * ISO-8601): written by the orchestration worker, which ran the code, so readers need not replay
   * it. Absent when the code ran on a remote worker, which does not say (absent: unknown; empty:
   * none).
   */
  readonly awaitedEvents?: ReadonlyArray<{ readonly name: string; readonly since: string }>;
  readonly failureDetails?: FailureDetails;
  /** Epoch ms. */
  readonly createdAt: number;
  readonly updatedAt: number;
  readonly completedAt?: number;
  readonly scheduledStartAt?: number;
  /** Set for sub-orchestrations: where to report completion. */
  readonly parent?: ParentInstanceInfo;
  readonly tags?: Readonly<Record<string, string>>;
  /** The trace context the execution started under (its ExecutionStarted's parent), carried across continue-as-new. */
  readonly traceContext?: TraceContext;
  /** Events stored for the current execution. */
  readonly historyLength: number;
  /** The last orchestration-log offset applied to this instance (-1: none). */
  readonly appliedOffset: number;
  /** Last `executionId:seq` applied per sending instance, to drop resent messages. */
  readonly receivedFrom?: Readonly<Record<string, string>>;
  readonly timers: readonly PendingTimer[];
  /** Messages to send after this commit; `offset` is the last log offset of the batch. */
  readonly outbox?: { readonly offset: number; readonly messages: readonly OutboxMessage[] };
  /** A start accepted but not yet applied (new, scheduled or continued-as-new): the message to (re)send. */
  readonly pendingStart?: OutboxMessage;
  /** Events that arrived before the pending start; delivered right after it. */
  readonly pendingEvents?: readonly HistoryEvent[];
  /**
   * The new events of an episode that no remote worker could run yet (parked): run again, with
   * whatever arrived since, when the instance is woken (a wake timer, or a worker connecting).
   */
  readonly parkedEvents?: readonly HistoryEvent[];
  /** On entities: the log records (offset and message) of a batch parked like `parkedEvents`. */
  readonly parkedMessages?: ReadonlyArray<{ readonly offset: number; readonly value: string }>;
  /** Set on entity documents. */
  readonly entity?: EntityDocument;
  /** How often the current execution was rewound (its messages then come from a new sender id). */
  readonly rewinds?: number;
  /** The critical section an orchestration requested or holds, released when the execution ends. */
  readonly locks?: {
    readonly criticalSectionId: string;
    readonly lockSet: readonly string[];
    readonly granted: boolean;
  };
}

/** A signal waiting for its scheduled time, with the timer that delivers it. */
export interface ScheduledSignal {
  readonly timerId: number;
  readonly request: OperationRequest;
}

/** What an entity keeps besides the instance fields (its document is an instance `@name@key`). */
export interface EntityDocument {
  /** JSON text; absent when the entity has no state (then it does not exist to queries). */
  readonly state?: string;
  readonly lockedBy?: LockRequest;
  readonly queue: readonly EntityRequest[];
  readonly scheduled: readonly ScheduledSignal[];
  /** Sequence of the last message the entity sent, so receivers drop resent copies. */
  readonly seq: number;
  readonly nextTimerId: number;
}

export interface StoredInstance {
  readonly record: InstanceRecord;
  /** Opaque version for conditional writes. */
  readonly etag: string;
}

export interface HistoryAppend {
  readonly executionId: string;
  /** Index of the first event in the execution's history; the chunk id, so rewrites are idempotent. */
  readonly fromIndex: number;
  readonly events: readonly HistoryEvent[];
  /** These events become the whole history of the execution (rewind); other chunks are dropped. */
  readonly replace?: boolean;
}

export interface InstanceWrite {
  readonly record: InstanceRecord;
  /** The etag the write expects; undefined to create (fails if the instance exists). */
  readonly expectedEtag: string | undefined;
  readonly history?: HistoryAppend;
  /** An execution whose history is no longer needed (the one that continued as new). */
  readonly dropHistoryOf?: string;
  /**
   * Set when the document at `expectedEtag` is the one a start created for this execution, with no
   * history yet: a store that extends the stored history need not read the document first.
   */
  readonly extendsCreated?: { readonly executionId: string };
}

export interface InstanceFilter {
  /** Orchestrations only (the default for callers that do not say), or entities only. */
  readonly kind?: 'orchestration' | 'entity';
  readonly statuses?: readonly RuntimeStatus[];
  readonly name?: string;
  readonly createdFrom?: number;
  readonly createdTo?: number;
  readonly instanceIdPrefix?: string;
  /** Only ids containing this text (case-sensitive). */
  readonly instanceIdContains?: string;
  /** Epoch ms bounds on the last update. */
  readonly updatedFrom?: number;
  readonly updatedTo?: number;
}

/** The order of a listing: by creation or last update time, ties broken by instance id. */
export interface InstanceOrder {
  readonly by: 'createdAt' | 'updatedAt';
  readonly descending: boolean;
}

export interface InstanceListQuery extends InstanceFilter {
  readonly pageSize: number;
  /** Default: oldest created first. A continuation token holds only for the order it was made in. */
  readonly orderBy?: InstanceOrder;
  readonly continuationToken?: string;
}

/**
 * Durable state of a task hub: instance documents, their history, partition epochs.
 *
 * Errors: ConflictError when an etag or create condition fails (another writer won);
 * OwnershipLostError when the partition epoch of a commit is older than the stored one;
 * UnavailableError (retriable) for throttling or brief outages; InvalidArgumentError for a bad
 * continuation token.
 */
export interface StateStore {
  /** Records that `epoch` owns `partition`; throws OwnershipLostError if a newer epoch did. */
  claimPartition(partition: number, epoch: number): Promise<void>;
  getInstance(instanceId: string): Promise<StoredInstance | undefined>;
  readHistory(instanceId: string, executionId: string): Promise<HistoryEvent[]>;
  /**
   * Writes history first (idempotent chunks), then each instance document conditionally. Without
   * transactions a batch may land partially; every write is still all-or-nothing per instance.
   * Returns the new etags by instance id.
   */
  commit(partition: number, epoch: number, writes: readonly InstanceWrite[]): Promise<Map<string, string>>;
  /** Instances of a partition that need attention after a restart: timers, unsent outboxes, pending starts. */
  partitionWork(partition: number, outboxFromOffset: number): Promise<StoredInstance[]>;
  /** Creates or conditionally replaces one instance document outside any partition (frontend writes). */
  putInstance(record: InstanceRecord, expectedEtag: string | undefined): Promise<string>;
  listInstances(query: InstanceListQuery): Promise<{ records: InstanceRecord[]; continuationToken?: string }>;
  /** How many instances match the filter (one query; no paging, no cap). */
  countInstances(filter: InstanceFilter): Promise<number>;
  /**
   * Deletes an instance and all its history; false when there was none, or when `expectedEtag` is
   * given and the document changed since (then nothing is deleted).
   */
  deleteInstance(instanceId: string, expectedEtag?: string): Promise<boolean>;
  close(): Promise<void>;
}
