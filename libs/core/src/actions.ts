import type { FailureDetails } from './failure';
import type { HistoryEvent, TraceContext } from './history';

/**
 * What an orchestrator asks its host to do after an episode, named as in the Durable Task protocol.
 * `id` is the orchestrator's sequence number; the host records the matching history event with
 * `eventId = id`, so the next replay can check that the code asks for the same thing again.
 */
export const ActionType = {
  ScheduleTask: 'ScheduleTask',
  CreateSubOrchestration: 'CreateSubOrchestration',
  CreateTimer: 'CreateTimer',
  SendEvent: 'SendEvent',
  CompleteOrchestration: 'CompleteOrchestration',
  TerminateOrchestration: 'TerminateOrchestration',
  SendEntityMessage: 'SendEntityMessage',
  CancelTask: 'CancelTask',
} as const;
export type ActionType = (typeof ActionType)[keyof typeof ActionType];

export interface ScheduleTaskAction {
  readonly type: 'ScheduleTask';
  readonly id: number;
  readonly name: string;
  readonly version?: string;
  readonly input?: string;
  /** Set by remote workers that trace: the span the activity's span is a child of. */
  readonly parentTraceContext?: TraceContext;
}

export interface CreateSubOrchestrationAction {
  readonly type: 'CreateSubOrchestration';
  readonly id: number;
  readonly name: string;
  readonly instanceId: string;
  readonly version?: string;
  readonly input?: string;
  /** Set by remote workers that trace: the span the child orchestration's span is a child of. */
  readonly parentTraceContext?: TraceContext;
}

export interface CreateTimerAction {
  readonly type: 'CreateTimer';
  readonly id: number;
  readonly fireAt: string;
}

export interface SendEventAction {
  readonly type: 'SendEvent';
  readonly id: number;
  readonly instanceId: string;
  readonly name: string;
  readonly data?: string;
}

/** Final statuses an orchestrator can complete with. */
export type CompletionStatus = 'Completed' | 'Failed' | 'ContinuedAsNew' | 'Terminated';

export interface CompleteOrchestrationAction {
  readonly type: 'CompleteOrchestration';
  readonly id: number;
  readonly orchestrationStatus: CompletionStatus;
  /** The output; for ContinuedAsNew, the input of the next execution; for Terminated, the reason. */
  readonly result?: string;
  readonly failureDetails?: FailureDetails;
  readonly newVersion?: string;
  /** Events to deliver again to the next execution (continue-as-new with preserved events). */
  readonly carryoverEvents?: readonly HistoryEvent[];
}

export interface TerminateOrchestrationAction {
  readonly type: 'TerminateOrchestration';
  readonly id: number;
  readonly instanceId: string;
  readonly reason?: string;
  readonly recurse: boolean;
}

/**
 * A message to a durable entity: a one-way signal, a call awaiting its result, a lock request for a
 * critical section (sent to the first entity of `lockSet`), or the release of one entity's lock.
 * For lock and unlock, `requestId` is the critical section's id.
 */
export interface SendEntityMessageAction {
  readonly type: 'SendEntityMessage';
  readonly id: number;
  readonly kind: 'signal' | 'call' | 'lock' | 'unlock';
  readonly targetInstanceId: string;
  readonly operation?: string;
  readonly input?: string;
  readonly requestId: string;
  readonly scheduledTime?: string;
  /** For lock: every entity of the section, in locking order. */
  readonly lockSet?: readonly string[];
}

/** What a cancelled task was, so the host knows what to stop. */
export type CancelableTaskKind = 'activity' | 'timer' | 'subOrchestration';

/**
 * Cancels the open task scheduled at step `taskId`: a running activity is told to stop, a child
 * orchestration is terminated, a timer is dropped; a result that arrives later is not applied.
 */
export interface CancelTaskAction {
  readonly type: 'CancelTask';
  readonly id: number;
  readonly taskId: number;
  readonly kind: CancelableTaskKind;
  /** For a sub-orchestration: the child to terminate. */
  readonly instanceId?: string;
}

export type OrchestratorAction =
  | ScheduleTaskAction
  | CreateSubOrchestrationAction
  | CreateTimerAction
  | SendEventAction
  | CompleteOrchestrationAction
  | TerminateOrchestrationAction
  | SendEntityMessageAction
  | CancelTaskAction;
