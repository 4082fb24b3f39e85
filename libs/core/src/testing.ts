/**
 * Test doubles and small event builders for specs written as "history in, actions out".
 * Not for production use.
 */
import type { FailureDetails } from './failure';
import { newEvent, toTimestamp, type HistoryEvent, type HistoryEventOf } from './history';
import type { Clock, IdSource } from './ports';
import { serializePayload } from './payload';

export const testEpoch = Date.parse('2026-01-01T00:00:00.000Z');

/** A clock that moves only when told to. */
export class ManualClock implements Clock {
  constructor(private current = testEpoch) {}
  now(): number {
    return this.current;
  }
  advance(ms: number): void {
    this.current += ms;
  }
  set(epochMs: number): void {
    this.current = epochMs;
  }
}

/** Ids `prefix-1`, `prefix-2`, ... in order. */
export class SequentialIdSource implements IdSource {
  private next = 1;
  constructor(private readonly prefix = 'id') {}
  newId(): string {
    return `${this.prefix}-${this.next++}`;
  }
}

const at = (time?: number | string): string =>
  typeof time === 'string' ? time : toTimestamp(time ?? testEpoch);

/** Builders of history events for specs. Payload arguments are values; they are serialised here. */
export const events = {
  executionStarted(
    name: string,
    input?: unknown,
    options: { instanceId?: string; executionId?: string; at?: number | string; version?: string } = {},
  ): HistoryEventOf<'ExecutionStarted'> {
    return newEvent('ExecutionStarted', at(options.at), {
      name,
      ...(input !== undefined ? { input: serializePayload(input) } : {}),
      ...(options.version !== undefined ? { version: options.version } : {}),
      orchestrationInstance: {
        instanceId: options.instanceId ?? 'instance-1',
        executionId: options.executionId ?? 'execution-1',
      },
    });
  },
  orchestratorStarted(time?: number | string): HistoryEventOf<'OrchestratorStarted'> {
    return newEvent('OrchestratorStarted', at(time), {});
  },
  orchestratorCompleted(time?: number | string): HistoryEventOf<'OrchestratorCompleted'> {
    return newEvent('OrchestratorCompleted', at(time), {});
  },
  taskScheduled(id: number, name: string, input?: unknown): HistoryEventOf<'TaskScheduled'> {
    return newEvent('TaskScheduled', at(), { name, ...payload('input', input) }, id);
  },
  taskCompleted(taskScheduledId: number, result?: unknown): HistoryEventOf<'TaskCompleted'> {
    return newEvent('TaskCompleted', at(), { taskScheduledId, ...payload('result', result) });
  },
  taskFailed(taskScheduledId: number, failure: Partial<FailureDetails> = {}): HistoryEventOf<'TaskFailed'> {
    return newEvent('TaskFailed', at(), { taskScheduledId, failureDetails: failureOf(failure) });
  },
  timerCreated(id: number, fireAt: number | string): HistoryEventOf<'TimerCreated'> {
    return newEvent('TimerCreated', at(), { fireAt: at(fireAt) }, id);
  },
  timerFired(timerId: number, fireAt: number | string): HistoryEventOf<'TimerFired'> {
    return newEvent('TimerFired', at(fireAt), { timerId, fireAt: at(fireAt) });
  },
  subOrchestrationCreated(
    id: number,
    name: string,
    instanceId: string,
    input?: unknown,
  ): HistoryEventOf<'SubOrchestrationInstanceCreated'> {
    return newEvent(
      'SubOrchestrationInstanceCreated',
      at(),
      { name, instanceId, ...payload('input', input) },
      id,
    );
  },
  subOrchestrationCompleted(
    taskScheduledId: number,
    result?: unknown,
  ): HistoryEventOf<'SubOrchestrationInstanceCompleted'> {
    return newEvent('SubOrchestrationInstanceCompleted', at(), {
      taskScheduledId,
      ...payload('result', result),
    });
  },
  subOrchestrationFailed(
    taskScheduledId: number,
    failure: Partial<FailureDetails> = {},
  ): HistoryEventOf<'SubOrchestrationInstanceFailed'> {
    return newEvent('SubOrchestrationInstanceFailed', at(), {
      taskScheduledId,
      failureDetails: failureOf(failure),
    });
  },
  eventRaised(name: string, input?: unknown): HistoryEventOf<'EventRaised'> {
    return newEvent('EventRaised', at(), { name, ...payload('input', input) });
  },
  eventSent(id: number, instanceId: string, name: string, input?: unknown): HistoryEventOf<'EventSent'> {
    return newEvent('EventSent', at(), { instanceId, name, ...payload('input', input) }, id);
  },
  executionTerminated(reason?: unknown): HistoryEventOf<'ExecutionTerminated'> {
    return newEvent('ExecutionTerminated', at(), payload('input', reason));
  },
  executionSuspended(reason?: unknown): HistoryEventOf<'ExecutionSuspended'> {
    return newEvent('ExecutionSuspended', at(), payload('input', reason));
  },
  executionResumed(reason?: unknown): HistoryEventOf<'ExecutionResumed'> {
    return newEvent('ExecutionResumed', at(), payload('input', reason));
  },
  entitySignaled(id: number, target: string, operation: string, input?: unknown, requestId = `req-${id}`) {
    return newEvent(
      'EntityOperationSignaled',
      at(),
      { requestId, operation, targetInstanceId: target, ...payload('input', input) },
      id,
    );
  },
  entityCalled(
    id: number,
    target: string,
    operation: string,
    input?: unknown,
    parent: { instanceId: string; executionId: string } = { instanceId: 'test', executionId: 'exec-1' },
    requestId = `req-${id}`,
  ): HistoryEventOf<'EntityOperationCalled'> {
    return newEvent(
      'EntityOperationCalled',
      at(),
      {
        requestId,
        operation,
        targetInstanceId: target,
        parentInstanceId: parent.instanceId,
        parentExecutionId: parent.executionId,
        ...payload('input', input),
      },
      id,
    );
  },
  entityCompleted(requestId: string, result?: unknown): HistoryEventOf<'EntityOperationCompleted'> {
    return newEvent('EntityOperationCompleted', at(), { requestId, ...payload('result', result) });
  },
  entityFailed(
    requestId: string,
    failure: Partial<FailureDetails> = {},
  ): HistoryEventOf<'EntityOperationFailed'> {
    return newEvent('EntityOperationFailed', at(), { requestId, failureDetails: failureOf(failure) });
  },
  lockRequested(
    id: number,
    lockSet: readonly string[],
    parentInstanceId = 'test',
    criticalSectionId = `req-${id}`,
  ): HistoryEventOf<'EntityLockRequested'> {
    return newEvent(
      'EntityLockRequested',
      at(),
      { criticalSectionId, lockSet, position: 0, parentInstanceId },
      id,
    );
  },
  lockGranted(criticalSectionId: string): HistoryEventOf<'EntityLockGranted'> {
    return newEvent('EntityLockGranted', at(), { criticalSectionId });
  },
  unlockSent(
    id: number,
    target: string,
    criticalSectionId: string,
    parentInstanceId = 'test',
  ): HistoryEventOf<'EntityUnlockSent'> {
    return newEvent(
      'EntityUnlockSent',
      at(),
      { criticalSectionId, parentInstanceId, targetInstanceId: target },
      id,
    );
  },
  taskCanceled(id: number, taskScheduledId: number): HistoryEventOf<'TaskCanceled'> {
    return newEvent('TaskCanceled', at(), { taskScheduledId }, id);
  },
} satisfies Record<string, (...args: never[]) => HistoryEvent>;

function payload<K extends string>(key: K, value: unknown): { [P in K]?: string } {
  const text = serializePayload(value);
  return (text === undefined ? {} : { [key]: text }) as { [P in K]?: string };
}

function failureOf(failure: Partial<FailureDetails>): FailureDetails {
  return { errorType: 'Error', errorMessage: 'failed', ...failure };
}
