// One batch of messages to a durable entity: which requests run now (libs/entities decides), running
// them through the entity executor, and the messages that result. The caller commits the document
// and sends the outbox exactly like an orchestration's.
import {
  fromTimestamp,
  newEvent,
  type Clock,
  parseEntityInstanceId,
  toTimestamp,
  type FailureDetails,
  type HistoryEvent,
} from '@durable/core';
import type { EntityBatchResult, EntityOperationRequest } from '@durable/engine';
import { scheduleRequests, type EntityRequest, type OperationRequest } from '@durable/entities';
import type { EntityDocument, InstanceRecord, OutboxMessage, PendingTimer } from '@durable/storage';
import { Attr, entitySpanName, SpanKind, SpanType, tracingEnabled } from '@durable/telemetry';
import { acceptFromSource } from './instance-state';
import type { SpanRecord } from './instance-tracing';
import { instanceMessage, type InstanceMessage } from './messages';

/** Runs operations on an entity's state: in process, or on a remote worker. */
export interface EntityRunner {
  /** True when the entity's operations run out of process (see `EpisodeExecutor.runsRemotely`). */
  runsRemotely?(name: string): boolean;
  execute(
    instanceId: string,
    state: string | undefined,
    requests: readonly EntityOperationRequest[],
  ): Promise<EntityBatchResult>;
}

/** The operation that deletes an entity's state without running its code (REST DELETE, clients). */
export const deleteOperation = '$delete';

/**
 * An entity document's "execution": its incarnation, from its creation time. Messages it sends
 * carry it, so that a document created again after a clean starts a fresh sequence receivers accept.
 */
export function incarnationOf(createdAt: number): string {
  return `entity-${createdAt}`;
}

export interface EntityEpisode {
  readonly record: InstanceRecord;
  readonly outbox: OutboxMessage[];
  /** Timers of signals scheduled for later, to arm once the commit is durable. */
  readonly timers: PendingTimer[];
  /** One span per operation run (when tracing), to emit once the commit is durable. */
  readonly spans: SpanRecord[];
}

const emptyDocument: EntityDocument = { queue: [], scheduled: [], seq: 0, nextTimerId: 1 };

/** Applies a batch of messages to an entity; undefined when none of them was new. */
export async function runEntityEpisode(
  instanceId: string,
  previous: InstanceRecord | undefined,
  messages: ReadonlyArray<{ offset: number; message: InstanceMessage }>,
  now: number,
  partition: number,
  partitions: number,
  runner: EntityRunner,
  /** Times the operations' spans, when tracing. */
  clock?: Clock,
): Promise<EntityEpisode | undefined> {
  const createdAt = previous?.createdAt ?? now;
  const incarnation = incarnationOf(createdAt);
  let appliedOffset = previous?.appliedOffset ?? -1;
  let receivedFrom = previous?.receivedFrom;
  let doc = previous?.entity ?? emptyDocument;
  let timers = [...(previous?.timers ?? [])];
  let scheduled = [...doc.scheduled];
  let nextTimerId = doc.nextTimerId;
  const newTimers: PendingTimer[] = [];
  const requests: EntityRequest[] = [];
  let changed = false;

  for (const { offset, message } of messages) {
    if (offset <= appliedOffset) continue;
    appliedOffset = offset;
    changed = true;
    if (message.source !== undefined) {
      const accepted = acceptFromSource(receivedFrom, message.source);
      if (accepted === undefined) continue;
      receivedFrom = accepted;
    }
    const event = message.event;
    if (event.type === 'EntityOperationSignaled' && event.scheduledTime !== undefined) {
      const fireAt = fromTimestamp(event.scheduledTime);
      if (fireAt > now) {
        const timer = { id: nextTimerId++, fireAt };
        scheduled.push({ timerId: timer.id, request: operationOf(event, message) as OperationRequest });
        timers.push(timer);
        newTimers.push(timer);
        continue;
      }
    }
    if (event.type === 'TimerFired') {
      const due = scheduled.find((s) => s.timerId === event.timerId);
      if (due === undefined) continue; // fired before, or not ours
      scheduled = scheduled.filter((s) => s !== due);
      timers = timers.filter((t) => t.id !== event.timerId);
      requests.push(due.request);
      continue;
    }
    const request = operationOf(event, message);
    if (request !== undefined) requests.push(request);
  }
  if (!changed) return undefined;

  const schedule = scheduleRequests({ lockedBy: doc.lockedBy, queue: doc.queue }, requests);
  let state = doc.state;
  let seq = doc.seq;
  const outbox: OutboxMessage[] = [];
  const spans: SpanRecord[] = [];
  const entityName = parseEntityInstanceId(instanceId).name;
  const stamp = toTimestamp(now);
  const source = () => ({ instanceId, executionId: incarnation, seq: ++seq });
  const send = (message: InstanceMessage) => outbox.push(instanceMessage(message, partitions));
  const reply = (request: OperationRequest, outcome: EntityBatchResult['outcomes'][number] | undefined) => {
    if (request.caller === undefined || outcome === undefined) return;
    send({
      instanceId: request.caller.instanceId,
      executionId: request.caller.executionId,
      source: source(),
      event: outcome.ok
        ? newEvent('EntityOperationCompleted', stamp, {
            requestId: request.requestId,
            ...(outcome.result !== undefined ? { result: outcome.result } : {}),
          })
        : newEvent('EntityOperationFailed', stamp, {
            requestId: request.requestId,
            failureDetails: outcome.failureDetails as FailureDetails,
          }),
    });
  };

  // Consecutive operations run as one batch on the runner; lock steps in between change no state.
  let run: OperationRequest[] = [];
  const flush = async (): Promise<void> => {
    if (run.length === 0) return;
    const batch = run;
    run = [];
    const started = clock?.now() ?? now;
    const result = await runner.execute(
      instanceId,
      state,
      batch.map((r) => ({
        operation: r.operation,
        requestId: r.requestId,
        time: now,
        ...(r.input !== undefined ? { input: r.input } : {}),
      })),
    );
    state = result.state;
    batch.forEach((request, i) => reply(request, result.outcomes[i]));
    if (tracingEnabled()) {
      const ended = clock?.now() ?? now;
      batch.forEach((request, i) => spans.push(operationSpan(request, result.outcomes[i], started, ended)));
    }
    for (const action of result.actions) {
      if (action.type === 'signal') {
        send({
          instanceId: action.targetInstanceId,
          source: source(),
          event: newEvent('EntityOperationSignaled', stamp, {
            requestId: `${instanceId}:${seq}`,
            operation: action.operation,
            targetInstanceId: action.targetInstanceId,
            ...(action.input !== undefined ? { input: action.input } : {}),
            ...(action.scheduledTime !== undefined ? { scheduledTime: action.scheduledTime } : {}),
          }),
        });
      } else {
        send({
          instanceId: action.instanceId,
          event: newEvent('ExecutionStarted', stamp, {
            name: action.name,
            ...(action.input !== undefined ? { input: action.input } : {}),
            // Derived from the entity's message sequence: a resent start is recognised as the same.
            orchestrationInstance: {
              instanceId: action.instanceId,
              executionId: `${instanceId}:${incarnation}:${++seq}`,
            },
          }),
        });
      }
    }
  };

  for (const step of schedule.steps) {
    if (step.type === 'run' && step.request.operation === deleteOperation) {
      await flush();
      state = undefined;
      reply(step.request, { ok: true });
      continue;
    }
    if (step.type === 'run') {
      run.push(step.request);
      continue;
    }
    await flush();
    const lock = step.lock;
    if (step.type === 'forward') {
      const next = lock.lockSet[lock.position + 1] as string;
      send({
        instanceId: next,
        source: source(),
        event: newEvent('EntityLockRequested', stamp, {
          criticalSectionId: lock.criticalSectionId,
          lockSet: lock.lockSet,
          position: lock.position + 1,
          parentInstanceId: lock.parentInstanceId,
          ...(lock.parentExecutionId !== undefined ? { parentExecutionId: lock.parentExecutionId } : {}),
        }),
      });
    } else {
      send({
        instanceId: lock.parentInstanceId,
        ...(lock.parentExecutionId !== undefined ? { executionId: lock.parentExecutionId } : {}),
        source: source(),
        lockSet: lock.lockSet,
        event: newEvent('EntityLockGranted', stamp, { criticalSectionId: lock.criticalSectionId }),
      });
    }
  }
  await flush();

  doc = {
    ...(state !== undefined ? { state } : {}),
    ...(schedule.lockedBy !== undefined ? { lockedBy: schedule.lockedBy } : {}),
    queue: schedule.queue,
    scheduled,
    seq,
    nextTimerId,
  };
  const record: InstanceRecord = {
    instanceId,
    partition,
    name: entityName,
    executionId: incarnation,
    status: 'Running',
    createdAt,
    updatedAt: now,
    historyLength: 0,
    appliedOffset,
    timers,
    ...(receivedFrom !== undefined ? { receivedFrom } : {}),
    entity: doc,
  };
  return { record, outbox, timers: newTimers, spans };

  /** An operation's run, a child of its caller's span (an orchestration's call or signal, a client's). */
  function operationSpan(
    request: OperationRequest,
    outcome: EntityBatchResult['outcomes'][number] | undefined,
    start: number,
    end: number,
  ): SpanRecord {
    const error =
      outcome === undefined ? 'no outcome' : outcome.ok ? undefined : outcome.failureDetails.errorMessage;
    return {
      name: entitySpanName(entityName, request.operation),
      kind: SpanKind.SERVER,
      ...(request.traceParent !== undefined ? { parent: request.traceParent } : {}),
      startTime: start,
      endTime: end,
      ...(error !== undefined ? { error } : {}),
      attributes: {
        [Attr.Type]: SpanType.Entity,
        [Attr.TaskName]: entityName,
        [Attr.InstanceId]: instanceId,
        [Attr.Operation]: request.operation,
      },
    };
  }
}

function operationOf(event: HistoryEvent, message: InstanceMessage): EntityRequest | undefined {
  switch (event.type) {
    case 'EntityOperationSignaled':
      return {
        kind: 'operation',
        requestId: event.requestId,
        operation: event.operation,
        ...(event.input !== undefined ? { input: event.input } : {}),
        // A lock holder's own signals run inside its critical section, in order with its calls.
        ...(message.source !== undefined ? { sender: message.source.instanceId } : {}),
        ...(message.traceParent !== undefined ? { traceParent: message.traceParent } : {}),
      };
    case 'EntityOperationCalled':
      return {
        kind: 'operation',
        requestId: event.requestId,
        operation: event.operation,
        ...(event.input !== undefined ? { input: event.input } : {}),
        caller: { instanceId: event.parentInstanceId, executionId: event.parentExecutionId },
        ...(message.traceParent !== undefined ? { traceParent: message.traceParent } : {}),
      };
    case 'EntityLockRequested':
      return {
        kind: 'lock',
        criticalSectionId: event.criticalSectionId,
        lockSet: event.lockSet,
        position: event.position,
        parentInstanceId: event.parentInstanceId,
        ...(event.parentExecutionId !== undefined ? { parentExecutionId: event.parentExecutionId } : {}),
      };
    case 'EntityUnlockSent':
      return {
        kind: 'unlock',
        criticalSectionId: event.criticalSectionId,
        parentInstanceId: event.parentInstanceId,
      };
    default:
      return undefined;
  }
}
