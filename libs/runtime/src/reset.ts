// Reset: re-run a finished instance from a chosen point of its history (Temporal's reset, beyond
// rewind, which only re-runs the failed steps of a Failed instance). The history before the point
// is kept, the rest is dropped, and a reset event with the reason is recorded where the run resumes.
import { InvalidArgumentError, newEvent, type HistoryEvent, type RuntimeStatus } from '@durable/core';

/** Where to reset to: an event's position in the execution's history, or just after the last completed activity. */
export type ResetTarget = { readonly eventId: number } | { readonly to: 'lastCompletedActivity' };

/** What a reset message carries (see InstanceMessage.reset). */
export interface ResetRequest {
  readonly eventId?: number;
  readonly toLastCompletedActivity?: true;
  readonly reason?: string;
}

/** The statuses an instance can be reset from: it has finished, and not by continuing as new. */
export const resettableStatuses: readonly RuntimeStatus[] = ['Completed', 'Failed', 'Terminated'];

export function isResettable(status: RuntimeStatus): boolean {
  return resettableStatuses.includes(status);
}

export function resetRequestOf(target: ResetTarget, reason: string | undefined): ResetRequest {
  return {
    ...('eventId' in target ? { eventId: target.eventId } : { toLastCompletedActivity: true as const }),
    ...(reason !== undefined ? { reason } : {}),
  };
}

/**
 * The index of the first event a reset drops (the events before it are kept); 0 re-runs the
 * execution from its start. InvalidArgumentError, with the reason, for a point that is not in the
 * history or an instance with no completed activity.
 */
export function resetCut(history: readonly HistoryEvent[], request: ResetRequest): number {
  let cut: number;
  if (request.toLastCompletedActivity === true) {
    let last = history.length - 1;
    while (last >= 0 && history[last]?.type !== 'TaskCompleted') last--;
    if (last < 0) throw new InvalidArgumentError('no activity of the instance has completed');
    cut = last + 1;
  } else {
    const id = request.eventId;
    if (id === undefined || !Number.isInteger(id) || id < 0 || id >= history.length)
      throw new InvalidArgumentError(
        `eventId ${String(id)} is not an event of the instance's history (0 to ${history.length - 1})`,
      );
    cut = id;
  }
  // Nothing before the start can be kept alone: the execution runs again from its start.
  const started = history.findIndex((e) => e.type === 'ExecutionStarted');
  return cut <= started ? 0 : cut;
}

/** The event recorded where the reset run resumes: what was reset, from where, and why. */
export function resetEvent(timestamp: string, cut: number, dropped: number, reason: string | undefined) {
  return newEvent('GenericEvent', timestamp, {
    data: JSON.stringify({
      type: 'ExecutionReset',
      fromEventId: cut,
      droppedEvents: dropped,
      reason: reason ?? null,
    }),
  });
}
