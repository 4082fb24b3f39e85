import type { HistoryEvent, RuntimeStatus } from '@durable/core';
import type { AwaitedEvent } from './executor';

/** An activity scheduled and not yet completed or failed. */
export interface PendingActivity {
  readonly taskId: number;
  readonly name: string;
  /** ISO-8601 UTC. */
  readonly scheduledAt: string;
  /** 1 for the first try; n when n - 1 earlier tries of the same activity with the same input failed. */
  readonly attempt: number;
}

export interface PendingTimer {
  readonly timerId: number;
  readonly createdAt: string;
  readonly fireAt: string;
}

export interface PendingSubOrchestration {
  readonly taskId: number;
  readonly instanceId: string;
  readonly name: string;
  readonly since: string;
}

export interface PendingEntityCall {
  readonly requestId: string;
  readonly entityId: string;
  readonly operation: string;
  readonly since: string;
}

export interface EntityLocks {
  /** Entities locked by the critical section the orchestration is in. */
  readonly held: readonly string[];
  /** Entities of a lock request not granted yet. */
  readonly awaiting: readonly string[];
  readonly awaitingSince?: string;
}

/** What a running orchestration waits on, as far as its history (and replay) tells. */
export interface WaitingFacts {
  readonly activities: readonly PendingActivity[];
  readonly timers: readonly PendingTimer[];
  /** Undefined when unknown: only replaying the orchestrator tells which events it awaits. */
  readonly events: readonly AwaitedEvent[] | undefined;
  readonly subOrchestrations: readonly PendingSubOrchestration[];
  readonly entityCalls: readonly PendingEntityCall[];
  readonly entityLocks: EntityLocks;
}

const settledTask = new Set<HistoryEvent['type']>(['TaskCompleted', 'TaskFailed']);
const settledSub = new Set<HistoryEvent['type']>([
  'SubOrchestrationInstanceCompleted',
  'SubOrchestrationInstanceFailed',
]);

/**
 * History in, facts out: the steps of the current execution that have been taken and not answered.
 * `awaitedEvents` comes from a replay (`OrchestrationSession.awaitedEvents()`), since a wait for an
 * external event leaves no trace in history; pass undefined when no replay was possible.
 */
export function waitingFacts(
  history: readonly HistoryEvent[],
  awaitedEvents: readonly AwaitedEvent[] | undefined,
): WaitingFacts {
  const activities = new Map<number, { name: string; input: string | undefined; scheduledAt: string }>();
  const failedTries = new Map<string, number>();
  const timers = new Map<number, PendingTimer>();
  const subs = new Map<number, PendingSubOrchestration>();
  const calls = new Map<string, PendingEntityCall>();
  const sections = new Map<string, { lockSet: readonly string[]; since: string; granted: boolean }>();
  const unlocked = new Set<string>();
  const tryKey = (name: string, input: string | undefined): string => `${name}\u0000${input ?? ''}`;

  for (const event of history) {
    switch (event.type) {
      case 'TaskScheduled':
        activities.set(event.eventId, { name: event.name, input: event.input, scheduledAt: event.timestamp });
        break;
      case 'TaskCompleted':
      case 'TaskFailed': {
        const scheduled = activities.get(event.taskScheduledId);
        if (scheduled !== undefined && event.type === 'TaskFailed') {
          const key = tryKey(scheduled.name, scheduled.input);
          failedTries.set(key, (failedTries.get(key) ?? 0) + 1);
        }
        if (settledTask.has(event.type)) activities.delete(event.taskScheduledId);
        break;
      }
      case 'TimerCreated':
        timers.set(event.eventId, {
          timerId: event.eventId,
          createdAt: event.timestamp,
          fireAt: event.fireAt,
        });
        break;
      case 'TimerFired':
        timers.delete(event.timerId);
        break;
      case 'SubOrchestrationInstanceCreated':
        subs.set(event.eventId, {
          taskId: event.eventId,
          instanceId: event.instanceId,
          name: event.name,
          since: event.timestamp,
        });
        break;
      case 'SubOrchestrationInstanceCompleted':
      case 'SubOrchestrationInstanceFailed':
        if (settledSub.has(event.type)) subs.delete(event.taskScheduledId);
        break;
      case 'EntityOperationCalled':
        calls.set(event.requestId, {
          requestId: event.requestId,
          entityId: event.targetInstanceId,
          operation: event.operation,
          since: event.timestamp,
        });
        break;
      case 'EntityOperationCompleted':
      case 'EntityOperationFailed':
        calls.delete(event.requestId);
        break;
      case 'EntityLockRequested':
        sections.set(event.criticalSectionId, {
          lockSet: event.lockSet,
          since: event.timestamp,
          granted: false,
        });
        break;
      case 'EntityLockGranted': {
        const section = sections.get(event.criticalSectionId);
        if (section !== undefined) section.granted = true;
        break;
      }
      case 'EntityUnlockSent':
        unlocked.add(`${event.criticalSectionId}\u0000${event.targetInstanceId}`);
        break;
      case 'TaskCanceled':
        // Whatever it was, the orchestration no longer waits on it.
        activities.delete(event.taskScheduledId);
        timers.delete(event.taskScheduledId);
        subs.delete(event.taskScheduledId);
        break;
      default:
        break;
    }
  }

  const held: string[] = [];
  let awaiting: readonly string[] = [];
  let awaitingSince: string | undefined;
  for (const [id, section] of sections) {
    if (!section.granted) {
      awaiting = section.lockSet;
      awaitingSince = section.since;
      continue;
    }
    for (const entity of section.lockSet) if (!unlocked.has(`${id}\u0000${entity}`)) held.push(entity);
  }

  return {
    activities: [...activities].map(([taskId, a]) => ({
      taskId,
      name: a.name,
      scheduledAt: a.scheduledAt,
      attempt: (failedTries.get(tryKey(a.name, a.input)) ?? 0) + 1,
    })),
    timers: [...timers.values()],
    events: awaitedEvents,
    subOrchestrations: [...subs.values()],
    entityCalls: [...calls.values()],
    entityLocks: { held, awaiting, ...(awaitingSince !== undefined ? { awaitingSince } : {}) },
  };
}

/** Human-readable notes about an instance's state that no pending step explains. */
export function waitingNotes(runtimeStatus: RuntimeStatus, facts: WaitingFacts): string[] {
  const notes: string[] = [];
  if (runtimeStatus === 'Suspended') notes.push('suspended: results are held back until it is resumed');
  if (runtimeStatus === 'Pending') notes.push('pending: the owner of its partition has not started it yet');
  const nothing =
    facts.activities.length === 0 &&
    facts.timers.length === 0 &&
    (facts.events?.length ?? 0) === 0 &&
    facts.subOrchestrations.length === 0 &&
    facts.entityCalls.length === 0 &&
    facts.entityLocks.awaiting.length === 0;
  if (runtimeStatus === 'Running' && nothing) {
    notes.push(
      facts.events === undefined
        ? 'no pending activity, timer or sub-orchestration: it probably awaits an external event (not registered in this process, so no replay could tell which)'
        : 'waits on nothing in its history: its next episode has not run yet',
    );
  }
  return notes;
}
