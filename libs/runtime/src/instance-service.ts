import type { EntityId } from '@durable/core';
import type { FailureDetails, HistoryEvent, RuntimeStatus, TraceContext } from '@durable/core';
import type { AwaitedEvent, WaitingFacts } from '@durable/engine';
import type { ResetTarget } from './reset';

/** What to do when a start names an instance id that already exists. */
export const ReusePolicy = {
  /** Replace a finished instance (Completed, Failed, Terminated); refuse a live one. Default. */
  ReplaceFinished: 'replaceFinished',
  /** Refuse whenever the id exists. */
  Error: 'error',
  /** Keep the existing instance and report its id without starting anything. */
  Ignore: 'ignore',
} as const;
export type ReusePolicy = (typeof ReusePolicy)[keyof typeof ReusePolicy];

export interface StartOptions {
  /** Defaults to a new random id. */
  readonly instanceId?: string;
  /** The input as JSON text (already validated as JSON by the caller, or undefined for none). */
  readonly input?: string;
  /** Start no earlier than this time. */
  readonly scheduledStartTime?: Date;
  readonly version?: string;
  readonly tags?: Readonly<Record<string, string>>;
  readonly reusePolicy?: ReusePolicy;
  /** Start a name no in-process orchestration has: a remote (gRPC) worker will run it. */
  readonly remote?: boolean;
  /** The caller's W3C trace context (a REST `traceparent`, gRPC `parentTraceContext`, a trigger header). */
  readonly traceContext?: TraceContext;
}

/** A start that also raises an event: the instance id is required, `eventData` is JSON text. */
export interface SignalWithStartOptions extends StartOptions {
  readonly instanceId: string;
  readonly eventData?: string;
}

export interface InstanceStatus {
  readonly instanceId: string;
  readonly name: string;
  readonly version?: string;
  readonly executionId: string;
  readonly runtimeStatus: RuntimeStatus;
  /** JSON text. */
  readonly input?: string;
  /** JSON text. */
  readonly output?: string;
  /** JSON text. */
  readonly customStatus?: string;
  readonly failureDetails?: FailureDetails;
  /** ISO-8601 UTC. */
  readonly createdAt: string;
  /** ISO-8601 UTC. */
  readonly lastUpdatedAt: string;
  readonly completedAt?: string;
  readonly scheduledStartAt?: string;
  readonly parentInstanceId?: string;
  readonly tags?: Readonly<Record<string, string>>;
  /** Only when asked for: the history of the current execution. */
  readonly history?: readonly HistoryEvent[];
}

export interface StatusOptions {
  readonly includeInput?: boolean;
  readonly includeOutput?: boolean;
  readonly includeHistory?: boolean;
}

/** Which instances a listing or a count covers. */
export interface InstanceFilterQuery {
  readonly statuses?: readonly RuntimeStatus[];
  readonly name?: string;
  readonly createdFrom?: Date;
  readonly createdTo?: Date;
  readonly instanceIdPrefix?: string;
  /** Only ids containing this text (case-sensitive). */
  readonly instanceIdContains?: string;
}

export interface InstanceQuery extends InstanceFilterQuery {
  /** Default: oldest created first. */
  readonly orderBy?: { readonly by: 'createdTime' | 'lastUpdatedTime'; readonly descending: boolean };
  /** Page size, 1..1000 (default 100). */
  readonly pageSize?: number;
  readonly continuationToken?: string;
  readonly includeInput?: boolean;
}

/** How many instances match a filter, in all and per runtime status asked for (all when none). */
export interface InstanceCounts {
  readonly count: number;
  readonly byRuntimeStatus: Readonly<Partial<Record<RuntimeStatus, number>>>;
}

export interface InstancePage {
  readonly instances: readonly InstanceStatus[];
  /** Present when more results follow; pass it back to get the next page. */
  readonly continuationToken?: string;
}

export interface PurgeFilter {
  readonly createdFrom?: Date;
  readonly createdTo?: Date;
  /** Only finished statuses can be purged; defaults to all finished statuses. */
  readonly statuses?: readonly RuntimeStatus[];
}

/** What an instance waits on now: `GET /instances/{id}/waiting`. */
export interface InstanceWaiting extends Omit<WaitingFacts, 'events'> {
  readonly instanceId: string;
  readonly name: string;
  readonly runtimeStatus: RuntimeStatus;
  /** The partition of the instance log that holds its messages. */
  readonly partition: number;
  /**
   * Whether an orchestration worker holds that partition now (the log's group assignment); null
   * when unknown (a finished instance, a rebalance, the log unreachable, or no group to ask).
   */
  readonly partitionOwned: boolean | null;
  /**
   * The external events awaited, as the orchestration worker recorded them after the last episode
   * it ran; null when unknown (a remote gRPC worker runs the code and does not say).
   */
  readonly events: readonly AwaitedEvent[] | null;
  /** Plain-language facts that no pending step explains (suspended, pending, no worker). */
  readonly notes: readonly string[];
}

/** An entity as clients see it. */
export interface EntityMetadata {
  readonly entityId: EntityId;
  readonly instanceId: string;
  readonly lastModifiedTime: string;
  /** False for a document kept only for its lock, queue or scheduled signals. */
  readonly exists: boolean;
  /** JSON text, when asked for. */
  readonly state?: string;
  /** The orchestration whose critical section holds the entity. */
  readonly lockedBy?: string;
  /** Operations waiting for the lock to be released. */
  readonly backlogQueueSize: number;
  readonly scheduledSignals: number;
}

export interface EntityQuery {
  /** Only entities of this name (case-insensitive), optionally with keys starting with `keyPrefix`. */
  readonly name?: string;
  readonly keyPrefix?: string;
  /** Only entities whose name starts with this text (case-insensitive); not with `name`. */
  readonly namePrefix?: string;
  readonly lastModifiedFrom?: Date;
  readonly lastModifiedTo?: Date;
  readonly includeState?: boolean;
  /** Also list documents without state (kept for a lock or queue). */
  readonly includeDeleted?: boolean;
  readonly pageSize?: number;
  readonly continuationToken?: string;
}

export interface EntityPage {
  readonly entities: readonly EntityMetadata[];
  readonly continuationToken?: string;
}

export interface CleanEntityStorageResult {
  readonly emptyEntitiesRemoved: number;
  readonly orphanedLocksReleased: number;
}

/**
 * Managing orchestration instances and entities: the one service behind REST and gRPC.
 *
 * Errors (from @durable/core): InvalidArgumentError (bad id, bad input, bad query),
 * PayloadTooLargeError, OrchestratorNotRegisteredError (start of an unknown name),
 * InstanceAlreadyExistsError (start refused by the reuse policy), InstanceNotFoundError,
 * InstanceFinishedError (an operation that needs a live instance on a finished one, or rewind of
 * an instance that has not failed).
 */
export interface InstanceService {
  start(name: string, options?: StartOptions): Promise<{ readonly instanceId: string }>;
  /**
   * Raises an event on the instance, starting it first (with `options`) when it does not exist or
   * has finished, in one step: of concurrent callers, one starts it and every event is delivered.
   */
  signalWithStart(
    name: string,
    eventName: string,
    options: SignalWithStartOptions,
  ): Promise<{ readonly instanceId: string; readonly started: boolean }>;
  getStatus(instanceId: string, options?: StatusOptions): Promise<InstanceStatus | undefined>;
  list(query?: InstanceQuery): Promise<InstancePage>;
  /** Counts on the server (one store query per status), without paging or a cap. */
  count(query?: InstanceFilterQuery): Promise<InstanceCounts>;
  raiseEvent(
    instanceId: string,
    eventName: string,
    data?: string,
    options?: { traceContext?: TraceContext },
  ): Promise<void>;
  terminate(instanceId: string, reason?: string, options?: { readonly recursive?: boolean }): Promise<void>;
  suspend(instanceId: string, reason?: string): Promise<void>;
  resume(instanceId: string, reason?: string): Promise<void>;
  /** Starts the same orchestration with the same input again, under the same id or a new one. */
  restart(
    instanceId: string,
    options?: { readonly newInstanceId?: boolean; readonly remote?: boolean },
  ): Promise<{ readonly instanceId: string }>;
  /** Re-runs the failed steps of a Failed instance. */
  rewind(instanceId: string, reason?: string): Promise<void>;
  /**
   * Re-runs a Completed, Failed or Terminated instance from a point of its history (an event's
   * position, or just after the last completed activity), keeping the history before it and
   * recording a reset event with the reason. InvalidArgumentError when the instance has not
   * finished or the point is not in its history.
   */
  reset(instanceId: string, target: ResetTarget, reason?: string): Promise<void>;
  /** Deletes a finished instance and its history; false when there was none. */
  purge(instanceId: string): Promise<boolean>;
  purgeWhere(filter: PurgeFilter): Promise<number>;
  /** Resolves with the final status, or the current one when `timeoutMs` passes first. */
  waitForCompletion(
    instanceId: string,
    options?: { readonly timeoutMs?: number },
  ): Promise<InstanceStatus | undefined>;
  /** What a live instance waits on (a finished one waits on nothing); undefined when not found. */
  getWaiting(instanceId: string): Promise<InstanceWaiting | undefined>;
  /** Names of orchestrations that can be started. */
  orchestrationNames(): readonly string[];
  /** Runs the parked episodes of these instances again now (a remote worker for them connected). */
  wake?(instanceIds: readonly string[]): Promise<void>;

  /**
   * Sends a one-way operation to an entity (its input as JSON text), optionally for later.
   * EntityNotRegisteredError for an unknown entity name.
   */
  signalEntity(
    entity: EntityId,
    operation: string,
    input?: string,
    options?: {
      readonly scheduledTime?: Date;
      /** Accept a name no in-process entity has: a remote (gRPC) worker runs it. */
      readonly remote?: boolean;
      /** The caller's W3C trace context: the operation's span is its child. */
      readonly traceContext?: TraceContext;
    },
  ): Promise<void>;
  /** Removes an entity's state; operations already queued still run. */
  deleteEntity(entity: EntityId): Promise<void>;
  /** Undefined when the entity has no state. */
  getEntity(
    entity: EntityId,
    options?: { readonly includeState?: boolean },
  ): Promise<EntityMetadata | undefined>;
  queryEntities(query?: EntityQuery): Promise<EntityPage>;
  cleanEntityStorage(options: {
    readonly removeEmptyEntities: boolean;
    readonly releaseOrphanedLocks: boolean;
  }): Promise<CleanEntityStorageResult>;
}
