// Protocol <-> internal conversion of history events, actions, statuses and failures. Pure: no I/O,
// no clock; the protocol messages are plain data classes.
import {
  entityInstanceId,
  InvalidArgumentError,
  newEvent,
  parseEntityInstanceId,
  type CompletionStatus,
  type FailureDetails,
  type FailureProperties,
  type HistoryEvent,
  type TraceContext,
  type OrchestratorAction,
  type RuntimeStatus,
} from '@durable/core';
import type {
  EntityAction,
  EntityBatchResult,
  EntityOperationOutcome,
  EntityOperationRequest,
  ExecutionResult,
} from '@durable/engine';
import { pb, StringValue, Timestamp, Value } from './proto';

const S = pb.OrchestrationStatus;

const toProtoStatus: Record<RuntimeStatus, pb.OrchestrationStatus> = {
  Running: S.ORCHESTRATION_STATUS_RUNNING,
  Completed: S.ORCHESTRATION_STATUS_COMPLETED,
  ContinuedAsNew: S.ORCHESTRATION_STATUS_CONTINUED_AS_NEW,
  Failed: S.ORCHESTRATION_STATUS_FAILED,
  Canceled: S.ORCHESTRATION_STATUS_CANCELED,
  Terminated: S.ORCHESTRATION_STATUS_TERMINATED,
  Pending: S.ORCHESTRATION_STATUS_PENDING,
  Suspended: S.ORCHESTRATION_STATUS_SUSPENDED,
};

const fromProtoStatus = new Map<number, RuntimeStatus>(
  Object.entries(toProtoStatus).map(([k, v]) => [v, k as RuntimeStatus]),
);

export function protoStatus(status: RuntimeStatus): pb.OrchestrationStatus {
  return toProtoStatus[status];
}

export function runtimeStatus(status: pb.OrchestrationStatus): RuntimeStatus {
  const found = fromProtoStatus.get(status);
  if (found === undefined) throw new InvalidArgumentError(`unknown orchestration status ${status}`);
  return found;
}

/** A StringValue for optional text; absent stays absent. */
export function stringValue(text: string | undefined): StringValue | undefined {
  if (text === undefined) return undefined;
  const value = new StringValue();
  value.setValue(text);
  return value;
}

/** Optional text from a StringValue. SDKs send "" for "no payload"; payloads are JSON, never "". */
export function payloadOf(value: StringValue | undefined): string | undefined {
  const text = value?.getValue();
  return text === undefined || text === '' ? undefined : text;
}

export function textOf(value: StringValue | undefined): string | undefined {
  return value?.getValue();
}

export function timestamp(iso: string): Timestamp {
  return Timestamp.fromDate(new Date(iso));
}

/** Milliseconds since the epoch; `undefined` for an absent timestamp. */
export function epochMsOf(value: Timestamp | undefined): number | undefined {
  if (value === undefined) return undefined;
  return value.getSeconds() * 1000 + Math.floor(value.getNanos() / 1e6);
}

export function isoOf(value: Timestamp | undefined): string | undefined {
  const ms = epochMsOf(value);
  return ms === undefined ? undefined : new Date(ms).toISOString();
}

export function protoFailure(details: FailureDetails): pb.TaskFailureDetails {
  const out = new pb.TaskFailureDetails();
  out.setErrortype(details.errorType);
  out.setErrormessage(details.errorMessage);
  if (details.stackTrace !== undefined) out.setStacktrace(stringValue(details.stackTrace));
  if (details.innerFailure !== undefined) out.setInnerfailure(protoFailure(details.innerFailure));
  if (details.isNonRetriable === true) out.setIsnonretriable(true);
  if (details.properties !== undefined) {
    const map = out.getPropertiesMap();
    for (const [key, value] of Object.entries(details.properties)) {
      map.set(key, Value.fromJavaScript(value as Parameters<typeof Value.fromJavaScript>[0]));
    }
  }
  return out;
}

export function failureOf(details: pb.TaskFailureDetails, depth = 0): FailureDetails {
  const inner = details.getInnerfailure();
  const stack = textOf(details.getStacktrace());
  return {
    errorType: details.getErrortype() || 'Error',
    errorMessage: details.getErrormessage(),
    ...(stack !== undefined && stack !== '' ? { stackTrace: stack } : {}),
    ...(inner !== undefined && depth < 10 ? { innerFailure: failureOf(inner, depth + 1) } : {}),
    ...(details.getIsnonretriable() ? { isNonRetriable: true } : {}),
    ...propertiesOf(details),
  };
}

function propertiesOf(details: pb.TaskFailureDetails): { properties?: FailureProperties } {
  const entries = details.getPropertiesMap().getEntryList();
  if (entries.length === 0) return {};
  const map = details.getPropertiesMap();
  const properties: Record<string, unknown> = {};
  for (const [key] of entries) properties[key] = map.get(key)?.toJavaScript();
  return { properties };
}

function instanceRef(instanceId: string, executionId: string | undefined): pb.OrchestrationInstance {
  const ref = new pb.OrchestrationInstance();
  ref.setInstanceid(instanceId);
  if (executionId !== undefined) ref.setExecutionid(stringValue(executionId));
  return ref;
}

/** A W3C trace context as the protocol carries it (`traceParent`, `traceState`). */
export function protoTraceContext(context: TraceContext): pb.TraceContext {
  const out = new pb.TraceContext();
  out.setTraceparent(context.traceParent);
  // The deprecated spanID field, for workers that still read it.
  out.setSpanid(context.traceParent.split('-')[2] ?? '');
  if (context.traceState !== undefined) out.setTracestate(stringValue(context.traceState));
  return out;
}

/** The trace context a request or action carries, when it carries one. */
export function traceContextOf(value: pb.TraceContext | undefined): TraceContext | undefined {
  const traceParent = value?.getTraceparent();
  if (value === undefined || traceParent === undefined || traceParent === '') return undefined;
  const traceState = textOf(value.getTracestate());
  return { traceParent, ...(traceState !== undefined && traceState !== '' ? { traceState } : {}) };
}

const withTrace = (value: pb.TraceContext | undefined): { parentTraceContext?: TraceContext } => {
  const parentTraceContext = traceContextOf(value);
  return parentTraceContext !== undefined ? { parentTraceContext } : {};
};

/** One history event as the protocol carries it to a worker. */
export function protoEvent(event: HistoryEvent): pb.HistoryEvent {
  const out = new pb.HistoryEvent();
  out.setEventid(event.eventId);
  out.setTimestamp(timestamp(event.timestamp));
  switch (event.type) {
    case 'ExecutionStarted': {
      const e = new pb.ExecutionStartedEvent();
      e.setName(event.name);
      e.setVersion(stringValue(event.version));
      e.setInput(stringValue(event.input));
      e.setOrchestrationinstance(
        instanceRef(event.orchestrationInstance.instanceId, event.orchestrationInstance.executionId),
      );
      if (event.parentInstance !== undefined) {
        const parent = new pb.ParentInstanceInfo();
        parent.setTaskscheduledid(event.parentInstance.taskScheduledId);
        parent.setName(stringValue(event.parentInstance.name));
        parent.setOrchestrationinstance(
          instanceRef(event.parentInstance.instanceId, event.parentInstance.executionId),
        );
        e.setParentinstance(parent);
      }
      if (event.scheduledStartTimestamp !== undefined)
        e.setScheduledstarttimestamp(timestamp(event.scheduledStartTimestamp));
      for (const [k, v] of Object.entries(event.tags ?? {})) e.getTagsMap().set(k, v);
      if (event.parentTraceContext !== undefined)
        e.setParenttracecontext(protoTraceContext(event.parentTraceContext));
      out.setExecutionstarted(e);
      break;
    }
    case 'ExecutionCompleted': {
      const e = new pb.ExecutionCompletedEvent();
      e.setOrchestrationstatus(protoStatus(event.orchestrationStatus));
      e.setResult(stringValue(event.result));
      if (event.failureDetails !== undefined) e.setFailuredetails(protoFailure(event.failureDetails));
      out.setExecutioncompleted(e);
      break;
    }
    case 'ExecutionTerminated': {
      const e = new pb.ExecutionTerminatedEvent();
      e.setInput(stringValue(event.input));
      e.setRecurse(event.recurse === true);
      out.setExecutionterminated(e);
      break;
    }
    case 'ExecutionSuspended': {
      const e = new pb.ExecutionSuspendedEvent();
      e.setInput(stringValue(event.input));
      out.setExecutionsuspended(e);
      break;
    }
    case 'ExecutionResumed': {
      const e = new pb.ExecutionResumedEvent();
      e.setInput(stringValue(event.input));
      out.setExecutionresumed(e);
      break;
    }
    case 'ContinueAsNew': {
      const e = new pb.ContinueAsNewEvent();
      e.setInput(stringValue(event.input));
      out.setContinueasnew(e);
      break;
    }
    case 'OrchestratorStarted':
      out.setOrchestratorstarted(new pb.OrchestratorStartedEvent());
      break;
    case 'OrchestratorCompleted':
      out.setOrchestratorcompleted(new pb.OrchestratorCompletedEvent());
      break;
    case 'TaskScheduled': {
      const e = new pb.TaskScheduledEvent();
      e.setName(event.name);
      e.setVersion(stringValue(event.version));
      e.setInput(stringValue(event.input));
      out.setTaskscheduled(e);
      break;
    }
    case 'TaskCompleted': {
      const e = new pb.TaskCompletedEvent();
      e.setTaskscheduledid(event.taskScheduledId);
      e.setResult(stringValue(event.result));
      out.setTaskcompleted(e);
      break;
    }
    case 'TaskFailed': {
      const e = new pb.TaskFailedEvent();
      e.setTaskscheduledid(event.taskScheduledId);
      e.setFailuredetails(protoFailure(event.failureDetails));
      out.setTaskfailed(e);
      break;
    }
    case 'TimerCreated': {
      const e = new pb.TimerCreatedEvent();
      e.setFireat(timestamp(event.fireAt));
      out.setTimercreated(e);
      break;
    }
    case 'TimerFired': {
      const e = new pb.TimerFiredEvent();
      e.setTimerid(event.timerId);
      e.setFireat(timestamp(event.fireAt));
      out.setTimerfired(e);
      break;
    }
    case 'SubOrchestrationInstanceCreated': {
      const e = new pb.SubOrchestrationInstanceCreatedEvent();
      e.setName(event.name);
      e.setInstanceid(event.instanceId);
      e.setVersion(stringValue(event.version));
      e.setInput(stringValue(event.input));
      out.setSuborchestrationinstancecreated(e);
      break;
    }
    case 'SubOrchestrationInstanceCompleted': {
      const e = new pb.SubOrchestrationInstanceCompletedEvent();
      e.setTaskscheduledid(event.taskScheduledId);
      e.setResult(stringValue(event.result));
      out.setSuborchestrationinstancecompleted(e);
      break;
    }
    case 'SubOrchestrationInstanceFailed': {
      const e = new pb.SubOrchestrationInstanceFailedEvent();
      e.setTaskscheduledid(event.taskScheduledId);
      e.setFailuredetails(protoFailure(event.failureDetails));
      out.setSuborchestrationinstancefailed(e);
      break;
    }
    case 'EventRaised': {
      const e = new pb.EventRaisedEvent();
      e.setName(event.name);
      e.setInput(stringValue(event.input));
      out.setEventraised(e);
      break;
    }
    case 'EventSent': {
      const e = new pb.EventSentEvent();
      e.setInstanceid(event.instanceId);
      e.setName(event.name);
      e.setInput(stringValue(event.input));
      out.setEventsent(e);
      break;
    }
    case 'GenericEvent': {
      const e = new pb.GenericEvent();
      e.setData(stringValue(event.data));
      out.setGenericevent(e);
      break;
    }
    case 'TaskCanceled': {
      // The protocol has no cancellation; only the TypeScript SDK records it, so remote workers
      // never replay one. Sent as a generic event rather than as nothing.
      const e = new pb.GenericEvent();
      e.setData(stringValue(JSON.stringify({ taskCanceled: event.taskScheduledId })));
      out.setGenericevent(e);
      break;
    }
    case 'EntityOperationSignaled': {
      const e = new pb.EntityOperationSignaledEvent();
      e.setRequestid(event.requestId);
      e.setOperation(event.operation);
      e.setInput(stringValue(event.input));
      e.setTargetinstanceid(stringValue(event.targetInstanceId));
      if (event.scheduledTime !== undefined) e.setScheduledtime(timestamp(event.scheduledTime));
      out.setEntityoperationsignaled(e);
      break;
    }
    case 'EntityOperationCalled': {
      const e = new pb.EntityOperationCalledEvent();
      e.setRequestid(event.requestId);
      e.setOperation(event.operation);
      e.setInput(stringValue(event.input));
      e.setTargetinstanceid(stringValue(event.targetInstanceId));
      e.setParentinstanceid(stringValue(event.parentInstanceId));
      e.setParentexecutionid(stringValue(event.parentExecutionId));
      out.setEntityoperationcalled(e);
      break;
    }
    case 'EntityOperationCompleted': {
      const e = new pb.EntityOperationCompletedEvent();
      e.setRequestid(event.requestId);
      e.setOutput(stringValue(event.result));
      out.setEntityoperationcompleted(e);
      break;
    }
    case 'EntityOperationFailed': {
      const e = new pb.EntityOperationFailedEvent();
      e.setRequestid(event.requestId);
      e.setFailuredetails(protoFailure(event.failureDetails));
      out.setEntityoperationfailed(e);
      break;
    }
    case 'EntityLockRequested': {
      const e = new pb.EntityLockRequestedEvent();
      e.setCriticalsectionid(event.criticalSectionId);
      e.setLocksetList([...event.lockSet]);
      e.setPosition(event.position);
      e.setParentinstanceid(stringValue(event.parentInstanceId));
      out.setEntitylockrequested(e);
      break;
    }
    case 'EntityLockGranted': {
      const e = new pb.EntityLockGrantedEvent();
      e.setCriticalsectionid(event.criticalSectionId);
      out.setEntitylockgranted(e);
      break;
    }
    case 'EntityUnlockSent': {
      const e = new pb.EntityUnlockSentEvent();
      e.setCriticalsectionid(event.criticalSectionId);
      e.setParentinstanceid(stringValue(event.parentInstanceId));
      e.setTargetinstanceid(stringValue(event.targetInstanceId));
      out.setEntityunlocksent(e);
      break;
    }
  }
  return out;
}

/** An entity instance id as the host routes it: `@name@key`, the name in lower case. */
function entityTarget(instanceId: string | undefined): string {
  if (instanceId === undefined || instanceId === '')
    throw new InvalidArgumentError('an entity message needs a target entity instance id');
  return entityInstanceId(parseEntityInstanceId(instanceId));
}

/** A protocol history event in our terms (the kinds a worker may hand back, e.g. carried-over events). */
export function historyEventOf(event: pb.HistoryEvent): HistoryEvent {
  const stamp = isoOf(event.getTimestamp()) ?? new Date(0).toISOString();
  const id = event.getEventid();
  const C = pb.HistoryEvent.EventtypeCase;
  const opt = <K extends string>(key: K, value: string | undefined): Partial<Record<K, string>> =>
    value === undefined ? {} : ({ [key]: value } as Record<K, string>);
  switch (event.getEventtypeCase()) {
    case C.EXECUTIONSTARTED: {
      const e = event.getExecutionstarted() as pb.ExecutionStartedEvent;
      const ref = e.getOrchestrationinstance();
      const parent = e.getParentinstance();
      return newEvent(
        'ExecutionStarted',
        stamp,
        {
          name: e.getName(),
          ...opt('version', textOf(e.getVersion())),
          ...opt('input', payloadOf(e.getInput())),
          orchestrationInstance: {
            instanceId: ref?.getInstanceid() ?? '',
            executionId: textOf(ref?.getExecutionid()) ?? '',
          },
          ...(parent !== undefined
            ? {
                parentInstance: {
                  taskScheduledId: parent.getTaskscheduledid(),
                  name: textOf(parent.getName()) ?? '',
                  instanceId: parent.getOrchestrationinstance()?.getInstanceid() ?? '',
                  ...opt('executionId', textOf(parent.getOrchestrationinstance()?.getExecutionid())),
                },
              }
            : {}),
          ...opt('scheduledStartTimestamp', isoOf(e.getScheduledstarttimestamp())),
          ...withTrace(e.getParenttracecontext()),
        },
        id,
      );
    }
    case C.EXECUTIONTERMINATED: {
      const e = event.getExecutionterminated() as pb.ExecutionTerminatedEvent;
      return newEvent(
        'ExecutionTerminated',
        stamp,
        { ...opt('input', payloadOf(e.getInput())), ...(e.getRecurse() ? { recurse: true } : {}) },
        id,
      );
    }
    case C.EXECUTIONSUSPENDED:
      return newEvent(
        'ExecutionSuspended',
        stamp,
        opt('input', payloadOf(event.getExecutionsuspended()?.getInput())),
        id,
      );
    case C.EXECUTIONRESUMED:
      return newEvent(
        'ExecutionResumed',
        stamp,
        opt('input', payloadOf(event.getExecutionresumed()?.getInput())),
        id,
      );
    case C.ORCHESTRATORSTARTED:
      return newEvent('OrchestratorStarted', stamp, {}, id);
    case C.ORCHESTRATORCOMPLETED:
      return newEvent('OrchestratorCompleted', stamp, {}, id);
    case C.TASKSCHEDULED: {
      const e = event.getTaskscheduled() as pb.TaskScheduledEvent;
      return newEvent(
        'TaskScheduled',
        stamp,
        {
          name: e.getName(),
          ...opt('version', textOf(e.getVersion())),
          ...opt('input', payloadOf(e.getInput())),
        },
        id,
      );
    }
    case C.TASKCOMPLETED: {
      const e = event.getTaskcompleted() as pb.TaskCompletedEvent;
      return newEvent(
        'TaskCompleted',
        stamp,
        { taskScheduledId: e.getTaskscheduledid(), ...opt('result', payloadOf(e.getResult())) },
        id,
      );
    }
    case C.TASKFAILED: {
      const e = event.getTaskfailed() as pb.TaskFailedEvent;
      return newEvent(
        'TaskFailed',
        stamp,
        {
          taskScheduledId: e.getTaskscheduledid(),
          failureDetails: failureOf(failureOrEmpty(e.getFailuredetails())),
        },
        id,
      );
    }
    case C.TIMERCREATED:
      return newEvent(
        'TimerCreated',
        stamp,
        { fireAt: isoOf(event.getTimercreated()?.getFireat()) ?? stamp },
        id,
      );
    case C.TIMERFIRED: {
      const e = event.getTimerfired() as pb.TimerFiredEvent;
      return newEvent(
        'TimerFired',
        stamp,
        { timerId: e.getTimerid(), fireAt: isoOf(e.getFireat()) ?? stamp },
        id,
      );
    }
    case C.SUBORCHESTRATIONINSTANCECREATED: {
      const e = event.getSuborchestrationinstancecreated() as pb.SubOrchestrationInstanceCreatedEvent;
      return newEvent(
        'SubOrchestrationInstanceCreated',
        stamp,
        {
          name: e.getName(),
          instanceId: e.getInstanceid(),
          ...opt('version', textOf(e.getVersion())),
          ...opt('input', payloadOf(e.getInput())),
        },
        id,
      );
    }
    case C.SUBORCHESTRATIONINSTANCECOMPLETED: {
      const e = event.getSuborchestrationinstancecompleted() as pb.SubOrchestrationInstanceCompletedEvent;
      return newEvent(
        'SubOrchestrationInstanceCompleted',
        stamp,
        { taskScheduledId: e.getTaskscheduledid(), ...opt('result', payloadOf(e.getResult())) },
        id,
      );
    }
    case C.SUBORCHESTRATIONINSTANCEFAILED: {
      const e = event.getSuborchestrationinstancefailed() as pb.SubOrchestrationInstanceFailedEvent;
      return newEvent(
        'SubOrchestrationInstanceFailed',
        stamp,
        {
          taskScheduledId: e.getTaskscheduledid(),
          failureDetails: failureOf(failureOrEmpty(e.getFailuredetails())),
        },
        id,
      );
    }
    case C.EVENTRAISED: {
      const e = event.getEventraised() as pb.EventRaisedEvent;
      return newEvent(
        'EventRaised',
        stamp,
        { name: e.getName(), ...opt('input', payloadOf(e.getInput())) },
        id,
      );
    }
    case C.EVENTSENT: {
      const e = event.getEventsent() as pb.EventSentEvent;
      return newEvent(
        'EventSent',
        stamp,
        { instanceId: e.getInstanceid(), name: e.getName(), ...opt('input', payloadOf(e.getInput())) },
        id,
      );
    }
    case C.GENERICEVENT:
      return newEvent('GenericEvent', stamp, opt('data', textOf(event.getGenericevent()?.getData())), id);
    case C.CONTINUEASNEW:
      return newEvent(
        'ContinueAsNew',
        stamp,
        opt('input', payloadOf(event.getContinueasnew()?.getInput())),
        id,
      );
    case C.EXECUTIONCOMPLETED: {
      const e = event.getExecutioncompleted() as pb.ExecutionCompletedEvent;
      const failure = e.getFailuredetails();
      return newEvent(
        'ExecutionCompleted',
        stamp,
        {
          orchestrationStatus: runtimeStatus(e.getOrchestrationstatus()),
          ...opt('result', payloadOf(e.getResult())),
          ...(failure !== undefined ? { failureDetails: failureOf(failure) } : {}),
        },
        id,
      );
    }
    case C.ENTITYOPERATIONSIGNALED: {
      const e = event.getEntityoperationsignaled() as pb.EntityOperationSignaledEvent;
      return newEvent(
        'EntityOperationSignaled',
        stamp,
        {
          requestId: e.getRequestid(),
          operation: e.getOperation(),
          targetInstanceId: entityTarget(textOf(e.getTargetinstanceid())),
          ...opt('input', payloadOf(e.getInput())),
          ...opt('scheduledTime', isoOf(e.getScheduledtime())),
        },
        id,
      );
    }
    case C.ENTITYOPERATIONCALLED: {
      const e = event.getEntityoperationcalled() as pb.EntityOperationCalledEvent;
      return newEvent(
        'EntityOperationCalled',
        stamp,
        {
          requestId: e.getRequestid(),
          operation: e.getOperation(),
          targetInstanceId: entityTarget(textOf(e.getTargetinstanceid())),
          parentInstanceId: textOf(e.getParentinstanceid()) ?? '',
          parentExecutionId: textOf(e.getParentexecutionid()) ?? '',
          ...opt('input', payloadOf(e.getInput())),
        },
        id,
      );
    }
    case C.ENTITYOPERATIONCOMPLETED: {
      const e = event.getEntityoperationcompleted() as pb.EntityOperationCompletedEvent;
      return newEvent(
        'EntityOperationCompleted',
        stamp,
        { requestId: e.getRequestid(), ...opt('result', payloadOf(e.getOutput())) },
        id,
      );
    }
    case C.ENTITYOPERATIONFAILED: {
      const e = event.getEntityoperationfailed() as pb.EntityOperationFailedEvent;
      return newEvent(
        'EntityOperationFailed',
        stamp,
        { requestId: e.getRequestid(), failureDetails: failureOf(failureOrEmpty(e.getFailuredetails())) },
        id,
      );
    }
    case C.ENTITYLOCKREQUESTED: {
      const e = event.getEntitylockrequested() as pb.EntityLockRequestedEvent;
      return newEvent(
        'EntityLockRequested',
        stamp,
        {
          criticalSectionId: e.getCriticalsectionid(),
          lockSet: e.getLocksetList().map(entityTarget),
          position: e.getPosition(),
          parentInstanceId: textOf(e.getParentinstanceid()) ?? '',
        },
        id,
      );
    }
    case C.ENTITYLOCKGRANTED:
      return newEvent(
        'EntityLockGranted',
        stamp,
        { criticalSectionId: event.getEntitylockgranted()?.getCriticalsectionid() ?? '' },
        id,
      );
    case C.ENTITYUNLOCKSENT: {
      const e = event.getEntityunlocksent() as pb.EntityUnlockSentEvent;
      return newEvent(
        'EntityUnlockSent',
        stamp,
        {
          criticalSectionId: e.getCriticalsectionid(),
          parentInstanceId: textOf(e.getParentinstanceid()) ?? '',
          targetInstanceId: entityTarget(textOf(e.getTargetinstanceid())),
        },
        id,
      );
    }
    default:
      throw new InvalidArgumentError(`history event kind ${event.getEventtypeCase()} is not supported`);
  }
}

function failureOrEmpty(details: pb.TaskFailureDetails | undefined): pb.TaskFailureDetails {
  return details ?? new pb.TaskFailureDetails();
}

const completionStatuses = new Map<number, CompletionStatus>([
  [S.ORCHESTRATION_STATUS_COMPLETED, 'Completed'],
  [S.ORCHESTRATION_STATUS_FAILED, 'Failed'],
  [S.ORCHESTRATION_STATUS_CONTINUED_AS_NEW, 'ContinuedAsNew'],
  [S.ORCHESTRATION_STATUS_TERMINATED, 'Terminated'],
]);

/** One action a worker took, in our terms. Throws InvalidArgumentError for what we cannot run. */
export function actionOf(action: pb.OrchestratorAction, instanceId: string): OrchestratorAction {
  const id = action.getId();
  const C = pb.OrchestratorAction.OrchestratoractiontypeCase;
  const opt = <K extends string>(key: K, value: string | undefined): Partial<Record<K, string>> =>
    value === undefined ? {} : ({ [key]: value } as Record<K, string>);
  switch (action.getOrchestratoractiontypeCase()) {
    case C.SCHEDULETASK: {
      const a = action.getScheduletask() as pb.ScheduleTaskAction;
      return {
        type: 'ScheduleTask',
        id,
        name: a.getName(),
        ...opt('version', textOf(a.getVersion()) || undefined),
        ...opt('input', payloadOf(a.getInput())),
        ...withTrace(a.getParenttracecontext()),
      };
    }
    case C.CREATESUBORCHESTRATION: {
      const a = action.getCreatesuborchestration() as pb.CreateSubOrchestrationAction;
      return {
        type: 'CreateSubOrchestration',
        id,
        name: a.getName(),
        instanceId: a.getInstanceid() || `${instanceId}:${id}`,
        ...opt('version', textOf(a.getVersion()) || undefined),
        ...opt('input', payloadOf(a.getInput())),
        ...withTrace(a.getParenttracecontext()),
      };
    }
    case C.CREATETIMER: {
      const fireAt = isoOf(action.getCreatetimer()?.getFireat());
      if (fireAt === undefined) throw new InvalidArgumentError('CreateTimer without fireAt');
      return { type: 'CreateTimer', id, fireAt };
    }
    case C.SENDEVENT: {
      const a = action.getSendevent() as pb.SendEventAction;
      return {
        type: 'SendEvent',
        id,
        instanceId: a.getInstance()?.getInstanceid() ?? '',
        name: a.getName(),
        ...opt('data', payloadOf(a.getData())),
      };
    }
    case C.COMPLETEORCHESTRATION: {
      const a = action.getCompleteorchestration() as pb.CompleteOrchestrationAction;
      const status = completionStatuses.get(a.getOrchestrationstatus());
      if (status === undefined)
        throw new InvalidArgumentError(`cannot complete with status ${a.getOrchestrationstatus()}`);
      const failure = a.getFailuredetails();
      const carryover = a.getCarryovereventsList().map(historyEventOf);
      return {
        type: 'CompleteOrchestration',
        id,
        orchestrationStatus: status,
        ...opt('result', payloadOf(a.getResult())),
        ...(failure !== undefined ? { failureDetails: failureOf(failure) } : {}),
        ...opt('newVersion', textOf(a.getNewversion()) || undefined),
        ...(carryover.length > 0 ? { carryoverEvents: carryover } : {}),
      };
    }
    case C.TERMINATEORCHESTRATION: {
      const a = action.getTerminateorchestration() as pb.TerminateOrchestrationAction;
      return {
        type: 'TerminateOrchestration',
        id,
        instanceId: a.getInstanceid(),
        ...opt('reason', payloadOf(a.getReason())),
        recurse: a.getRecurse(),
      };
    }
    case C.SENDENTITYMESSAGE:
      return entityMessageActionOf(id, action.getSendentitymessage() as pb.SendEntityMessageAction);
    default:
      throw new InvalidArgumentError(
        `orchestrator action kind ${action.getOrchestratoractiontypeCase()} is not supported by this host`,
      );
  }
}

/** Signal, call, lock or unlock: the protocol's event shapes as one SendEntityMessage action. */
function entityMessageActionOf(id: number, message: pb.SendEntityMessageAction): OrchestratorAction {
  const opt = <K extends string>(key: K, value: string | undefined): Partial<Record<K, string>> =>
    value === undefined ? {} : ({ [key]: value } as Record<K, string>);
  const M = pb.SendEntityMessageAction.EntitymessagetypeCase;
  switch (message.getEntitymessagetypeCase()) {
    case M.ENTITYOPERATIONSIGNALED: {
      const e = message.getEntityoperationsignaled() as pb.EntityOperationSignaledEvent;
      return {
        type: 'SendEntityMessage',
        id,
        kind: 'signal',
        targetInstanceId: entityTarget(textOf(e.getTargetinstanceid())),
        operation: e.getOperation(),
        requestId: e.getRequestid(),
        ...opt('input', payloadOf(e.getInput())),
        ...opt('scheduledTime', isoOf(e.getScheduledtime())),
      };
    }
    case M.ENTITYOPERATIONCALLED: {
      const e = message.getEntityoperationcalled() as pb.EntityOperationCalledEvent;
      return {
        type: 'SendEntityMessage',
        id,
        kind: 'call',
        targetInstanceId: entityTarget(textOf(e.getTargetinstanceid())),
        operation: e.getOperation(),
        requestId: e.getRequestid(),
        ...opt('input', payloadOf(e.getInput())),
      };
    }
    case M.ENTITYLOCKREQUESTED: {
      const e = message.getEntitylockrequested() as pb.EntityLockRequestedEvent;
      const lockSet = e.getLocksetList().map(entityTarget);
      if (lockSet.length === 0) throw new InvalidArgumentError('a lock request needs at least one entity');
      return {
        type: 'SendEntityMessage',
        id,
        kind: 'lock',
        targetInstanceId: lockSet[0] as string,
        requestId: e.getCriticalsectionid(),
        lockSet,
      };
    }
    case M.ENTITYUNLOCKSENT: {
      const e = message.getEntityunlocksent() as pb.EntityUnlockSentEvent;
      return {
        type: 'SendEntityMessage',
        id,
        kind: 'unlock',
        targetInstanceId: entityTarget(textOf(e.getTargetinstanceid())),
        requestId: e.getCriticalsectionid(),
      };
    }
    default:
      throw new InvalidArgumentError('an entity message action needs a signal, call, lock or unlock');
  }
}

/** A worker's answer to an orchestrator work item, as the result of one episode. */
export function executionResultOf(response: pb.OrchestratorResponse, instanceId: string): ExecutionResult {
  let actions: OrchestratorAction[];
  try {
    actions = response.getActionsList().map((a) => actionOf(a, instanceId));
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    actions = [
      {
        type: 'CompleteOrchestration',
        id: -1,
        orchestrationStatus: 'Failed',
        failureDetails: { errorType: 'InvalidArgumentError', errorMessage: message, isNonRetriable: true },
      },
    ];
  }
  // The host expects the completion last, whatever order the worker listed it in.
  const completion = actions.find((a) => a.type === 'CompleteOrchestration');
  if (completion !== undefined) actions = [...actions.filter((a) => a !== completion), completion];
  return {
    actions,
    customStatus: payloadOf(response.getCustomstatus()),
    completion: completion?.type === 'CompleteOrchestration' ? completion : undefined,
  };
}

/**
 * The history event the host records for an action (see the runtime's action effects), so that a
 * session can hand a stateless worker the same history the store holds.
 */
export function recordedEvent(
  action: OrchestratorAction,
  stamp: string,
  instance: { readonly instanceId: string; readonly executionId: string } = {
    instanceId: '',
    executionId: '',
  },
): HistoryEvent | undefined {
  const opt = <K extends string>(key: K, value: string | undefined): Partial<Record<K, string>> =>
    value === undefined ? {} : ({ [key]: value } as Record<K, string>);
  switch (action.type) {
    case 'ScheduleTask':
      return newEvent(
        'TaskScheduled',
        stamp,
        { name: action.name, ...opt('version', action.version), ...opt('input', action.input) },
        action.id,
      );
    case 'CreateTimer':
      return newEvent('TimerCreated', stamp, { fireAt: action.fireAt }, action.id);
    case 'CreateSubOrchestration':
      return newEvent(
        'SubOrchestrationInstanceCreated',
        stamp,
        {
          name: action.name,
          instanceId: action.instanceId,
          ...opt('version', action.version),
          ...opt('input', action.input),
        },
        action.id,
      );
    case 'SendEvent':
      return newEvent(
        'EventSent',
        stamp,
        { instanceId: action.instanceId, name: action.name, ...opt('input', action.data) },
        action.id,
      );
    case 'SendEntityMessage':
      return entityMessageEvent(action, stamp, instance);
    default:
      return undefined;
  }
}

function entityMessageEvent(
  action: Extract<OrchestratorAction, { type: 'SendEntityMessage' }>,
  stamp: string,
  instance: { readonly instanceId: string; readonly executionId: string },
): HistoryEvent {
  const fields = {
    requestId: action.requestId,
    operation: action.operation ?? '',
    targetInstanceId: action.targetInstanceId,
    ...(action.input !== undefined ? { input: action.input } : {}),
  };
  switch (action.kind) {
    case 'signal':
      return newEvent(
        'EntityOperationSignaled',
        stamp,
        { ...fields, ...(action.scheduledTime !== undefined ? { scheduledTime: action.scheduledTime } : {}) },
        action.id,
      );
    case 'call':
      return newEvent(
        'EntityOperationCalled',
        stamp,
        { ...fields, parentInstanceId: instance.instanceId, parentExecutionId: instance.executionId },
        action.id,
      );
    case 'lock':
      return newEvent(
        'EntityLockRequested',
        stamp,
        {
          criticalSectionId: action.requestId,
          lockSet: action.lockSet ?? [action.targetInstanceId],
          position: 0,
          parentInstanceId: instance.instanceId,
          parentExecutionId: instance.executionId,
        },
        action.id,
      );
    case 'unlock':
      return newEvent(
        'EntityUnlockSent',
        stamp,
        {
          criticalSectionId: action.requestId,
          parentInstanceId: instance.instanceId,
          targetInstanceId: action.targetInstanceId,
        },
        action.id,
      );
  }
}

/** An entity batch as the protocol hands it to a worker. */
export function entityBatchRequest(
  instanceId: string,
  state: string | undefined,
  requests: readonly EntityOperationRequest[],
): pb.EntityBatchRequest {
  const request = new pb.EntityBatchRequest();
  request.setInstanceid(instanceId);
  request.setEntitystate(stringValue(state));
  request.setOperationsList(
    requests.map((r) => {
      const op = new pb.OperationRequest();
      op.setOperation(r.operation);
      op.setRequestid(r.requestId);
      op.setInput(stringValue(r.input));
      return op;
    }),
  );
  return request;
}

/**
 * A worker's answer to an entity batch. Operations it reported no result for fail (the worker
 * stopped part way); the state and actions it sent stand for those it did run.
 */
export function entityBatchResultOf(
  result: pb.EntityBatchResult,
  operations: number,
  stateBefore: string | undefined,
): EntityBatchResult {
  const outcomes: EntityOperationOutcome[] = result.getResultsList().map((r): EntityOperationOutcome => {
    const failure = r.getFailure();
    if (failure !== undefined)
      return { ok: false, failureDetails: failureOf(failureOrEmpty(failure.getFailuredetails())) };
    const value = payloadOf(r.getSuccess()?.getResult());
    return value === undefined ? { ok: true } : { ok: true, result: value };
  });
  const batchFailure = result.getFailuredetails();
  while (outcomes.length < operations)
    outcomes.push({
      ok: false,
      failureDetails:
        batchFailure !== undefined
          ? failureOf(batchFailure)
          : {
              errorType: 'EntityBatchIncomplete',
              errorMessage: 'the worker reported no result for the operation',
            },
    });
  // The worker failed the whole batch (its framework, not an operation): nothing of it happened.
  if (batchFailure !== undefined && result.getResultsList().length === 0)
    return { state: stateBefore, outcomes: outcomes.slice(0, operations), actions: [] };
  const actions: EntityAction[] = [];
  for (const a of result.getActionsList()) {
    const signal = a.getSendsignal();
    const start = a.getStartneworchestration();
    if (signal !== undefined) {
      const input = payloadOf(signal.getInput());
      const at = isoOf(signal.getScheduledtime());
      actions.push({
        type: 'signal',
        targetInstanceId: entityTarget(signal.getInstanceid()),
        operation: signal.getName(),
        ...(input !== undefined ? { input } : {}),
        ...(at !== undefined && Date.parse(at) > 0 ? { scheduledTime: at } : {}),
      });
    } else if (start !== undefined) {
      const input = payloadOf(start.getInput());
      actions.push({
        type: 'startOrchestration',
        name: start.getName(),
        instanceId: start.getInstanceid(),
        ...(input !== undefined ? { input } : {}),
      });
    }
  }
  return { state: payloadOf(result.getEntitystate()), outcomes: outcomes.slice(0, operations), actions };
}
