import { ActionType, type OrchestratorAction } from './actions';
import { InvalidArgumentError } from './errors';
import { isFailureDetails } from './failure';
import { HistoryEventType, type HistoryEvent } from './history';
import { isRuntimeStatus } from './status';

type FieldKind =
  | 'string'
  | 'number'
  | 'boolean'
  | 'failure'
  | 'status'
  | 'completion'
  | 'entityMessage'
  | 'cancelable'
  | 'instance'
  | 'parent'
  | 'tags'
  | 'trace'
  | 'events'
  | 'strings';
type Schema = Readonly<Record<string, `${FieldKind}` | `${FieldKind}?`>>;

const eventSchemas: Readonly<Record<HistoryEventType, Schema>> = {
  ExecutionStarted: {
    name: 'string',
    version: 'string?',
    input: 'string?',
    orchestrationInstance: 'instance',
    parentInstance: 'parent?',
    scheduledStartTimestamp: 'string?',
    tags: 'tags?',
    parentTraceContext: 'trace?',
  },
  ExecutionCompleted: { orchestrationStatus: 'status', result: 'string?', failureDetails: 'failure?' },
  ExecutionTerminated: { input: 'string?', recurse: 'boolean?' },
  ExecutionSuspended: { input: 'string?' },
  ExecutionResumed: { input: 'string?' },
  ContinueAsNew: { input: 'string?' },
  OrchestratorStarted: {},
  OrchestratorCompleted: {},
  TaskScheduled: { name: 'string', version: 'string?', input: 'string?' },
  TaskCompleted: { taskScheduledId: 'number', result: 'string?' },
  TaskFailed: { taskScheduledId: 'number', failureDetails: 'failure' },
  TimerCreated: { fireAt: 'string' },
  TimerFired: { timerId: 'number', fireAt: 'string' },
  SubOrchestrationInstanceCreated: {
    name: 'string',
    instanceId: 'string',
    version: 'string?',
    input: 'string?',
  },
  SubOrchestrationInstanceCompleted: { taskScheduledId: 'number', result: 'string?' },
  SubOrchestrationInstanceFailed: { taskScheduledId: 'number', failureDetails: 'failure' },
  EventRaised: { name: 'string', input: 'string?' },
  EventSent: { instanceId: 'string', name: 'string', input: 'string?' },
  GenericEvent: { data: 'string?' },
  EntityOperationSignaled: {
    requestId: 'string',
    operation: 'string',
    input: 'string?',
    targetInstanceId: 'string',
    scheduledTime: 'string?',
  },
  EntityOperationCalled: {
    requestId: 'string',
    operation: 'string',
    input: 'string?',
    targetInstanceId: 'string',
    parentInstanceId: 'string',
    parentExecutionId: 'string',
  },
  EntityOperationCompleted: { requestId: 'string', result: 'string?' },
  EntityOperationFailed: { requestId: 'string', failureDetails: 'failure' },
  EntityLockRequested: {
    criticalSectionId: 'string',
    lockSet: 'strings',
    position: 'number',
    parentInstanceId: 'string',
    parentExecutionId: 'string?',
  },
  EntityLockGranted: { criticalSectionId: 'string' },
  EntityUnlockSent: { criticalSectionId: 'string', parentInstanceId: 'string', targetInstanceId: 'string' },
  TaskCanceled: { taskScheduledId: 'number' },
};

const actionSchemas: Readonly<Record<ActionType, Schema>> = {
  ScheduleTask: { name: 'string', version: 'string?', input: 'string?', parentTraceContext: 'trace?' },
  CreateSubOrchestration: {
    name: 'string',
    instanceId: 'string',
    version: 'string?',
    input: 'string?',
    parentTraceContext: 'trace?',
  },
  CreateTimer: { fireAt: 'string' },
  SendEvent: { instanceId: 'string', name: 'string', data: 'string?' },
  CompleteOrchestration: {
    orchestrationStatus: 'completion',
    result: 'string?',
    failureDetails: 'failure?',
    newVersion: 'string?',
    carryoverEvents: 'events?',
  },
  TerminateOrchestration: { instanceId: 'string', reason: 'string?', recurse: 'boolean' },
  SendEntityMessage: {
    kind: 'entityMessage',
    targetInstanceId: 'string',
    operation: 'string?',
    input: 'string?',
    requestId: 'string',
    scheduledTime: 'string?',
    lockSet: 'strings?',
  },
  CancelTask: { taskId: 'number', kind: 'cancelable', instanceId: 'string?' },
};

/** Validates an unknown value (e.g. parsed JSON) as a history event; throws InvalidArgumentError. */
export function toHistoryEvent(value: unknown, where = 'event'): HistoryEvent {
  const record = asRecord(value, where);
  const type = record['type'];
  if (typeof type !== 'string' || !Object.prototype.hasOwnProperty.call(eventSchemas, type)) {
    throw new InvalidArgumentError(`${where}: unknown history event type ${JSON.stringify(type)}`);
  }
  checkField(record, 'eventId', 'number', where);
  checkField(record, 'timestamp', 'string', where);
  checkFields(record, eventSchemas[type as HistoryEventType], `${where} (${type})`);
  return record as unknown as HistoryEvent;
}

/** Validates an unknown value as an orchestrator action; throws InvalidArgumentError. */
export function toOrchestratorAction(value: unknown, where = 'action'): OrchestratorAction {
  const record = asRecord(value, where);
  const type = record['type'];
  if (typeof type !== 'string' || !Object.prototype.hasOwnProperty.call(actionSchemas, type)) {
    throw new InvalidArgumentError(`${where}: unknown action type ${JSON.stringify(type)}`);
  }
  checkField(record, 'id', 'number', where);
  checkFields(record, actionSchemas[type as ActionType], `${where} (${type})`);
  return record as unknown as OrchestratorAction;
}

/** History as JSON text, one event per line so that recorded histories diff well. */
export function serializeHistory(events: readonly HistoryEvent[]): string {
  return `[\n${events.map((e) => JSON.stringify(e)).join(',\n')}\n]\n`;
}

export function parseHistory(text: string): HistoryEvent[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new InvalidArgumentError(`history is not valid JSON: ${(error as Error).message}`);
  }
  if (!Array.isArray(parsed)) throw new InvalidArgumentError('history must be a JSON array of events');
  return parsed.map((e, i) => toHistoryEvent(e, `event ${i}`));
}

export function serializeActions(actions: readonly OrchestratorAction[]): string {
  return JSON.stringify(actions);
}

export function parseActions(text: string): OrchestratorAction[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new InvalidArgumentError(`actions are not valid JSON: ${(error as Error).message}`);
  }
  if (!Array.isArray(parsed)) throw new InvalidArgumentError('actions must be a JSON array');
  return parsed.map((a, i) => toOrchestratorAction(a, `action ${i}`));
}

function asRecord(value: unknown, where: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new InvalidArgumentError(`${where}: expected an object`);
  }
  return value as Record<string, unknown>;
}

function checkFields(record: Record<string, unknown>, schema: Schema, where: string): void {
  for (const [field, spec] of Object.entries(schema)) {
    const optional = spec.endsWith('?');
    const kind = (optional ? spec.slice(0, -1) : spec) as FieldKind;
    if (record[field] === undefined) {
      if (!optional) throw new InvalidArgumentError(`${where}: missing field '${field}'`);
      continue;
    }
    checkField(record, field, kind, where);
  }
}

function checkField(record: Record<string, unknown>, field: string, kind: FieldKind, where: string): void {
  const value = record[field];
  if (!isKind(value, kind)) {
    throw new InvalidArgumentError(`${where}: field '${field}' must be ${describe(kind)}`);
  }
}

function isKind(value: unknown, kind: FieldKind): boolean {
  switch (kind) {
    case 'string':
      return typeof value === 'string';
    case 'number':
      return typeof value === 'number' && Number.isFinite(value);
    case 'boolean':
      return typeof value === 'boolean';
    case 'failure':
      return isFailureDetails(value);
    case 'status':
      return isRuntimeStatus(value);
    case 'completion':
      return (
        value === 'Completed' || value === 'Failed' || value === 'ContinuedAsNew' || value === 'Terminated'
      );
    case 'entityMessage':
      return value === 'signal' || value === 'call' || value === 'lock' || value === 'unlock';
    case 'cancelable':
      return value === 'activity' || value === 'timer' || value === 'subOrchestration';
    case 'instance': {
      const r = value as Record<string, unknown> | null;
      return (
        typeof r === 'object' &&
        r !== null &&
        typeof r['instanceId'] === 'string' &&
        typeof r['executionId'] === 'string'
      );
    }
    case 'parent': {
      const r = value as Record<string, unknown> | null;
      return (
        typeof r === 'object' &&
        r !== null &&
        typeof r['taskScheduledId'] === 'number' &&
        typeof r['name'] === 'string' &&
        typeof r['instanceId'] === 'string' &&
        (r['executionId'] === undefined || typeof r['executionId'] === 'string')
      );
    }
    case 'tags':
      return (
        typeof value === 'object' &&
        value !== null &&
        !Array.isArray(value) &&
        Object.values(value).every((v) => typeof v === 'string')
      );
    case 'strings':
      return Array.isArray(value) && value.every((v) => typeof v === 'string');
    case 'trace': {
      const r = value as Record<string, unknown> | null;
      return (
        typeof r === 'object' &&
        r !== null &&
        typeof r['traceParent'] === 'string' &&
        (r['traceState'] === undefined || typeof r['traceState'] === 'string')
      );
    }
    case 'events':
      if (!Array.isArray(value)) return false;
      value.forEach((e, i) => toHistoryEvent(e, `carried event ${i}`));
      return true;
  }
}

function describe(kind: FieldKind): string {
  switch (kind) {
    case 'failure':
      return 'failure details ({ errorType, errorMessage, ... })';
    case 'status':
      return 'a runtime status';
    case 'completion':
      return 'one of Completed, Failed, ContinuedAsNew, Terminated';
    case 'entityMessage':
      return 'one of signal, call, lock, unlock';
    case 'cancelable':
      return 'one of activity, timer, subOrchestration';
    case 'instance':
      return 'an instance reference ({ instanceId, executionId })';
    case 'parent':
      return 'a parent instance ({ taskScheduledId, name, instanceId })';
    case 'tags':
      return 'an object of string values';
    case 'events':
      return 'an array of history events';
    case 'strings':
      return 'an array of strings';
    case 'trace':
      return 'a trace context ({ traceParent, traceState? })';
    default:
      return `a ${kind}`;
  }
}
