// Pure helpers over instance documents and history, used by the partition processor.
import { fromTimestamp, type ExecutionStartedEvent, type HistoryEvent } from '@durable/core';
import type { InstanceRecord, OutboxMessage } from '@durable/storage';

/** The document of an instance whose start was accepted but has not run yet. */
export function pendingRecord(
  instanceId: string,
  event: ExecutionStartedEvent,
  partition: number,
  now: number,
  startMessage: OutboxMessage,
  previous: InstanceRecord | undefined,
): InstanceRecord {
  const sameExecution = previous?.executionId === event.orchestrationInstance.executionId;
  return {
    instanceId,
    partition,
    name: event.name,
    ...(event.version !== undefined ? { version: event.version } : {}),
    executionId: event.orchestrationInstance.executionId,
    status: 'Pending',
    ...(event.input !== undefined ? { input: event.input } : {}),
    createdAt: sameExecution && previous !== undefined ? previous.createdAt : fromTimestamp(event.timestamp),
    updatedAt: now,
    ...(event.scheduledStartTimestamp !== undefined
      ? { scheduledStartAt: fromTimestamp(event.scheduledStartTimestamp) }
      : {}),
    ...(event.parentInstance !== undefined ? { parent: event.parentInstance } : {}),
    ...(event.tags !== undefined ? { tags: event.tags } : {}),
    ...(event.parentTraceContext !== undefined ? { traceContext: event.parentTraceContext } : {}),
    ...(previous?.receivedFrom !== undefined ? { receivedFrom: previous.receivedFrom } : {}),
    historyLength: 0,
    appliedOffset: previous?.appliedOffset ?? -1,
    timers: [],
    pendingStart: startMessage,
  };
}

export function outputOf(input: string | undefined): { output?: string } {
  return input !== undefined ? { output: input } : {};
}

export function resultTaskId(event: HistoryEvent): number | undefined {
  switch (event.type) {
    case 'TaskCompleted':
    case 'TaskFailed':
    case 'SubOrchestrationInstanceCompleted':
    case 'SubOrchestrationInstanceFailed':
      return event.taskScheduledId;
    case 'TimerFired':
      return event.timerId;
    default:
      return undefined;
  }
}

export function collectOpenTasks(
  history: readonly HistoryEvent[],
  open: Map<number, string | undefined>,
): void {
  for (const event of history) {
    if (event.type === 'TaskScheduled' || event.type === 'TimerCreated') open.set(event.eventId, undefined);
    else if (event.type === 'SubOrchestrationInstanceCreated') open.set(event.eventId, event.instanceId);
    else if (event.type === 'TaskCanceled') open.delete(event.taskScheduledId);
    else {
      const id = resultTaskId(event);
      if (id !== undefined) open.delete(id);
    }
  }
}

/**
 * Senders remembered per receiver. Resent copies follow their original closely (an outbox resent
 * after a crash), so the most recent senders are enough, and a hot entity's document stays small.
 */
export const maxRememberedSenders = 1000;

/**
 * The receiver's record of senders after accepting a message from `source`, or undefined when the
 * message is a resent copy of one already applied.
 */
export function acceptFromSource(
  receivedFrom: Readonly<Record<string, string>> | undefined,
  source: { readonly instanceId: string; readonly executionId: string; readonly seq: number },
): Readonly<Record<string, string>> | undefined {
  const last = receivedFrom?.[source.instanceId];
  if (last !== undefined && isSeen(last, source.executionId, source.seq)) return undefined;
  const next: Record<string, string> = { ...receivedFrom };
  // Re-inserted last, so the oldest sender comes first when the record is trimmed.
  delete next[source.instanceId];
  next[source.instanceId] = `${source.executionId}:${source.seq}`;
  const keys = Object.keys(next);
  for (let i = 0; i < keys.length - maxRememberedSenders; i++) delete next[keys[i] as string];
  return next;
}

export function isSeen(last: string, executionId: string, seq: number): boolean {
  const separator = last.lastIndexOf(':');
  const lastExecution = last.slice(0, separator);
  const lastSeq = last.slice(separator + 1);
  return lastExecution === executionId && Number(lastSeq) >= seq;
}

export function pick<T extends object, K extends keyof T>(source: T, ...keys: K[]): Pick<T, K> {
  const out = {} as Pick<T, K>;
  for (const key of keys) if (source[key] !== undefined) out[key] = source[key];
  return out;
}

export function withoutUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}
