import type { HistoryEvent, SubOrchestrationInstanceCreatedEvent, TaskScheduledEvent } from '@durable/core';
import { jsonValue } from './json-value';

export type HistoryEventJson = Readonly<Record<string, unknown>>;

type Scheduling = TaskScheduledEvent | SubOrchestrationInstanceCreatedEvent;

/**
 * History in the shape Durable Functions' status API shows it (`showHistory=true`): PascalCase
 * fields, payloads as JSON values, replay bookkeeping (OrchestratorStarted/Completed) left out, and
 * each TaskScheduled / SubOrchestrationInstanceCreated folded into the event that completed it
 * (`FunctionName`, `ScheduledTime`). Payloads (inputs, results, event data) only with
 * `showHistoryOutput`; failure details always. `EventId` is the event's position in the full history
 * (bookkeeping included), the point a reset names.
 */
export function historyEventsJson(
  history: readonly HistoryEvent[],
  showHistoryOutput: boolean,
): HistoryEventJson[] {
  const scheduling = new Map<number, Scheduling>();
  const finished = new Set<number>();
  for (const event of history) {
    if (event.type === 'TaskScheduled' || event.type === 'SubOrchestrationInstanceCreated') {
      scheduling.set(event.eventId, event);
    } else if ('taskScheduledId' in event) {
      finished.add(event.taskScheduledId);
    }
  }
  const payload = (name: string, text: string | undefined): HistoryEventJson =>
    showHistoryOutput && text !== undefined ? { [name]: jsonValue(text) } : {};
  const scheduledBy = (taskScheduledId: number): HistoryEventJson => {
    const origin = scheduling.get(taskScheduledId);
    if (origin === undefined) return {};
    return {
      FunctionName: origin.name,
      ...(origin.type === 'SubOrchestrationInstanceCreated' ? { InstanceId: origin.instanceId } : {}),
      ScheduledTime: origin.timestamp,
    };
  };

  const out: HistoryEventJson[] = [];
  for (const [position, event] of history.entries()) {
    // EventId: the event's position in the execution's history, what a reset names.
    const base = { EventType: event.type, EventId: position, Timestamp: event.timestamp };
    switch (event.type) {
      case 'OrchestratorStarted':
      case 'OrchestratorCompleted':
        break;
      case 'ExecutionStarted':
        out.push({
          ...base,
          FunctionName: event.name,
          ...(event.version !== undefined ? { Version: event.version } : {}),
          ...(event.scheduledStartTimestamp !== undefined
            ? { ScheduledStartTime: event.scheduledStartTimestamp }
            : {}),
          ...payload('Input', event.input),
        });
        break;
      case 'ExecutionCompleted':
        out.push({
          ...base,
          OrchestrationStatus: event.orchestrationStatus,
          ...payload('Result', event.result),
          ...(event.failureDetails !== undefined ? { FailureDetails: event.failureDetails } : {}),
        });
        break;
      case 'ExecutionTerminated':
      case 'ExecutionSuspended':
      case 'ExecutionResumed':
      case 'ContinueAsNew':
        out.push({ ...base, ...payload('Input', event.input) });
        break;
      case 'TaskScheduled':
        if (!finished.has(event.eventId)) out.push({ ...base, FunctionName: event.name });
        break;
      case 'SubOrchestrationInstanceCreated':
        if (!finished.has(event.eventId))
          out.push({ ...base, FunctionName: event.name, InstanceId: event.instanceId });
        break;
      case 'TaskCompleted':
      case 'SubOrchestrationInstanceCompleted':
        out.push({ ...base, ...scheduledBy(event.taskScheduledId), ...payload('Result', event.result) });
        break;
      case 'TaskFailed':
      case 'SubOrchestrationInstanceFailed':
        out.push({ ...base, ...scheduledBy(event.taskScheduledId), FailureDetails: event.failureDetails });
        break;
      case 'TimerCreated':
        out.push({ ...base, FireAt: event.fireAt });
        break;
      case 'TimerFired':
        out.push({ ...base, FireAt: event.fireAt, TimerId: event.timerId });
        break;
      case 'EventRaised':
        out.push({ ...base, Name: event.name, ...payload('Input', event.input) });
        break;
      case 'EventSent':
        out.push({
          ...base,
          Name: event.name,
          InstanceId: event.instanceId,
          ...payload('Input', event.input),
        });
        break;
      case 'GenericEvent':
        out.push({ ...base, ...payload('Data', event.data) });
        break;
      // Entity steps, so a viewer can draw the orchestration's conversation with its entities.
      case 'EntityOperationSignaled':
      case 'EntityOperationCalled':
        out.push({
          ...base,
          RequestId: event.requestId,
          Operation: event.operation,
          TargetInstanceId: event.targetInstanceId,
          ...payload('Input', event.input),
        });
        break;
      case 'EntityOperationCompleted':
        out.push({ ...base, RequestId: event.requestId, ...payload('Result', event.result) });
        break;
      case 'EntityOperationFailed':
        out.push({ ...base, RequestId: event.requestId, FailureDetails: event.failureDetails });
        break;
      case 'EntityLockRequested':
        out.push({ ...base, CriticalSectionId: event.criticalSectionId, LockSet: event.lockSet });
        break;
      case 'EntityLockGranted':
        out.push({ ...base, CriticalSectionId: event.criticalSectionId });
        break;
      case 'EntityUnlockSent':
        out.push({
          ...base,
          CriticalSectionId: event.criticalSectionId,
          TargetInstanceId: event.targetInstanceId,
        });
        break;
      case 'TaskCanceled':
        out.push({ ...base, ...scheduledBy(event.taskScheduledId), TaskScheduledId: event.taskScheduledId });
        break;
    }
  }
  return out;
}
