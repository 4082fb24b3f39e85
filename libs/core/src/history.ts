import type { FailureDetails } from './failure';
import type { RuntimeStatus } from './status';

/**
 * History events, named as in the Durable Task protocol. Payloads (`input`, `result`) are JSON
 * text, exactly as they travel over the wire, so hosts and remote workers pass them through.
 *
 * `eventId` is the orchestrator's sequence number for events that record something the orchestrator
 * did (TaskScheduled, TimerCreated, SubOrchestrationInstanceCreated, EventSent) and -1 otherwise.
 * Timestamps are ISO-8601 UTC strings.
 */
export const HistoryEventType = {
  ExecutionStarted: 'ExecutionStarted',
  ExecutionCompleted: 'ExecutionCompleted',
  ExecutionTerminated: 'ExecutionTerminated',
  ExecutionSuspended: 'ExecutionSuspended',
  ExecutionResumed: 'ExecutionResumed',
  ContinueAsNew: 'ContinueAsNew',
  OrchestratorStarted: 'OrchestratorStarted',
  OrchestratorCompleted: 'OrchestratorCompleted',
  TaskScheduled: 'TaskScheduled',
  TaskCompleted: 'TaskCompleted',
  TaskFailed: 'TaskFailed',
  TimerCreated: 'TimerCreated',
  TimerFired: 'TimerFired',
  SubOrchestrationInstanceCreated: 'SubOrchestrationInstanceCreated',
  SubOrchestrationInstanceCompleted: 'SubOrchestrationInstanceCompleted',
  SubOrchestrationInstanceFailed: 'SubOrchestrationInstanceFailed',
  EventRaised: 'EventRaised',
  EventSent: 'EventSent',
  GenericEvent: 'GenericEvent',
  EntityOperationSignaled: 'EntityOperationSignaled',
  EntityOperationCalled: 'EntityOperationCalled',
  EntityOperationCompleted: 'EntityOperationCompleted',
  EntityOperationFailed: 'EntityOperationFailed',
  EntityLockRequested: 'EntityLockRequested',
  EntityLockGranted: 'EntityLockGranted',
  EntityUnlockSent: 'EntityUnlockSent',
  TaskCanceled: 'TaskCanceled',
} as const;
export type HistoryEventType = (typeof HistoryEventType)[keyof typeof HistoryEventType];

export interface OrchestrationInstanceRef {
  readonly instanceId: string;
  readonly executionId: string;
}

export interface ParentInstanceInfo {
  readonly taskScheduledId: number;
  readonly name: string;
  readonly instanceId: string;
  readonly executionId?: string;
}

interface EventBase<T extends HistoryEventType> {
  readonly type: T;
  readonly eventId: number;
  readonly timestamp: string;
}

/** A W3C trace context (`traceparent`, `tracestate`), as the Durable Task protocol carries it. */
export interface TraceContext {
  readonly traceParent: string;
  readonly traceState?: string;
}

export interface ExecutionStartedEvent extends EventBase<'ExecutionStarted'> {
  readonly name: string;
  readonly version?: string;
  readonly input?: string;
  readonly orchestrationInstance: OrchestrationInstanceRef;
  readonly parentInstance?: ParentInstanceInfo;
  readonly scheduledStartTimestamp?: string;
  readonly tags?: Readonly<Record<string, string>>;
  /** The span that started this execution (a client's start, or the parent's sub-orchestration call). */
  readonly parentTraceContext?: TraceContext;
}

export interface ExecutionCompletedEvent extends EventBase<'ExecutionCompleted'> {
  readonly orchestrationStatus: RuntimeStatus;
  readonly result?: string;
  readonly failureDetails?: FailureDetails;
}

export interface ExecutionTerminatedEvent extends EventBase<'ExecutionTerminated'> {
  readonly input?: string;
  readonly recurse?: boolean;
}

export interface ExecutionSuspendedEvent extends EventBase<'ExecutionSuspended'> {
  readonly input?: string;
}

export interface ExecutionResumedEvent extends EventBase<'ExecutionResumed'> {
  readonly input?: string;
}

export interface ContinueAsNewEvent extends EventBase<'ContinueAsNew'> {
  readonly input?: string;
}

export type OrchestratorStartedEvent = EventBase<'OrchestratorStarted'>;
export type OrchestratorCompletedEvent = EventBase<'OrchestratorCompleted'>;

export interface TaskScheduledEvent extends EventBase<'TaskScheduled'> {
  readonly name: string;
  readonly version?: string;
  readonly input?: string;
}

export interface TaskCompletedEvent extends EventBase<'TaskCompleted'> {
  readonly taskScheduledId: number;
  readonly result?: string;
}

export interface TaskFailedEvent extends EventBase<'TaskFailed'> {
  readonly taskScheduledId: number;
  readonly failureDetails: FailureDetails;
}

export interface TimerCreatedEvent extends EventBase<'TimerCreated'> {
  readonly fireAt: string;
}

export interface TimerFiredEvent extends EventBase<'TimerFired'> {
  readonly timerId: number;
  readonly fireAt: string;
}

export interface SubOrchestrationInstanceCreatedEvent extends EventBase<'SubOrchestrationInstanceCreated'> {
  readonly name: string;
  readonly instanceId: string;
  readonly version?: string;
  readonly input?: string;
}

export interface SubOrchestrationInstanceCompletedEvent extends EventBase<'SubOrchestrationInstanceCompleted'> {
  readonly taskScheduledId: number;
  readonly result?: string;
}

export interface SubOrchestrationInstanceFailedEvent extends EventBase<'SubOrchestrationInstanceFailed'> {
  readonly taskScheduledId: number;
  readonly failureDetails: FailureDetails;
}

export interface EventRaisedEvent extends EventBase<'EventRaised'> {
  readonly name: string;
  readonly input?: string;
}

export interface EventSentEvent extends EventBase<'EventSent'> {
  readonly instanceId: string;
  readonly name: string;
  readonly input?: string;
}

export interface GenericEvent extends EventBase<'GenericEvent'> {
  readonly data?: string;
}

/**
 * Entity events. In an orchestration's history the first four that an orchestrator causes carry its
 * step as `eventId`; the same shapes travel as the messages an entity receives.
 */
export interface EntityOperationSignaledEvent extends EventBase<'EntityOperationSignaled'> {
  readonly requestId: string;
  readonly operation: string;
  readonly input?: string;
  readonly targetInstanceId: string;
  /** A signal delivered no earlier than this time. */
  readonly scheduledTime?: string;
}

export interface EntityOperationCalledEvent extends EventBase<'EntityOperationCalled'> {
  readonly requestId: string;
  readonly operation: string;
  readonly input?: string;
  readonly targetInstanceId: string;
  readonly parentInstanceId: string;
  readonly parentExecutionId: string;
}

export interface EntityOperationCompletedEvent extends EventBase<'EntityOperationCompleted'> {
  readonly requestId: string;
  readonly result?: string;
}

export interface EntityOperationFailedEvent extends EventBase<'EntityOperationFailed'> {
  readonly requestId: string;
  readonly failureDetails: FailureDetails;
}

export interface EntityLockRequestedEvent extends EventBase<'EntityLockRequested'> {
  readonly criticalSectionId: string;
  /** Entity instance ids in the order they are locked (sorted, so that sections cannot deadlock). */
  readonly lockSet: readonly string[];
  /** The index in `lockSet` of the entity this request is for. */
  readonly position: number;
  readonly parentInstanceId: string;
  readonly parentExecutionId?: string;
}

export interface EntityLockGrantedEvent extends EventBase<'EntityLockGranted'> {
  readonly criticalSectionId: string;
}

export interface EntityUnlockSentEvent extends EventBase<'EntityUnlockSent'> {
  readonly criticalSectionId: string;
  readonly parentInstanceId: string;
  readonly targetInstanceId: string;
}

/**
 * The orchestrator cancelled an open activity, timer or sub-orchestration (`taskScheduledId`); its
 * `eventId` is the step of the cancellation, so replay checks the code cancels at the same point.
 * Not part of the Durable Task protocol: only the TypeScript SDK records it.
 */
export interface TaskCanceledEvent extends EventBase<'TaskCanceled'> {
  readonly taskScheduledId: number;
}

export type HistoryEvent =
  | ExecutionStartedEvent
  | ExecutionCompletedEvent
  | ExecutionTerminatedEvent
  | ExecutionSuspendedEvent
  | ExecutionResumedEvent
  | ContinueAsNewEvent
  | OrchestratorStartedEvent
  | OrchestratorCompletedEvent
  | TaskScheduledEvent
  | TaskCompletedEvent
  | TaskFailedEvent
  | TimerCreatedEvent
  | TimerFiredEvent
  | SubOrchestrationInstanceCreatedEvent
  | SubOrchestrationInstanceCompletedEvent
  | SubOrchestrationInstanceFailedEvent
  | EventRaisedEvent
  | EventSentEvent
  | GenericEvent
  | EntityOperationSignaledEvent
  | EntityOperationCalledEvent
  | EntityOperationCompletedEvent
  | EntityOperationFailedEvent
  | EntityLockRequestedEvent
  | EntityLockGrantedEvent
  | EntityUnlockSentEvent
  | TaskCanceledEvent;

/** The event of a given type, e.g. `HistoryEventOf<'TaskScheduled'>`. */
export type HistoryEventOf<T extends HistoryEventType> = Extract<HistoryEvent, { type: T }>;

type Fields<T extends HistoryEventType> = Omit<HistoryEventOf<T>, 'type' | 'eventId' | 'timestamp'>;

/** Builds an event with `eventId` -1 (the id of every event the orchestrator did not itself cause). */
export function newEvent<T extends HistoryEventType>(
  type: T,
  timestamp: string,
  fields: Fields<T>,
  eventId = -1,
): HistoryEventOf<T> {
  return { type, eventId, timestamp, ...fields } as HistoryEventOf<T>;
}

/** Converts epoch milliseconds to the timestamp format used in history. */
export function toTimestamp(epochMs: number): string {
  return new Date(epochMs).toISOString();
}

/** Converts a history timestamp back to epoch milliseconds. */
export function fromTimestamp(timestamp: string): number {
  return Date.parse(timestamp);
}
