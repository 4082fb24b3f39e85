// What an orchestrator's actions and completions turn into: history events, messages to send and
// timers to keep. Shared by the partition processor's episode and its rewind.
import {
  fromTimestamp,
  newEvent,
  toTimestamp,
  type FailureDetails,
  type HistoryEvent,
  type OrchestratorAction,
  type RuntimeStatus,
  type SendEntityMessageAction,
} from '@durable/core';
import type { InstanceRecord, OutboxMessage, PendingTimer } from '@durable/storage';
import { pick } from './instance-state';
import type { InstanceTrace } from './instance-tracing';
import { activityCancellationMessage, activityMessage, instanceMessage } from './messages';

/** Partition counts of the two streams, for routing messages. */
export interface Routing {
  readonly partitions: number;
  readonly activityPartitions: number;
}

/** Turns one action into its history event, outbox messages and timers. */
export function actionEffects(
  routing: Routing,
  instanceId: string,
  executionId: string,
  action: OrchestratorAction,
  stamp: string,
  openTasks: Map<number, string | undefined>,
  /** The acting orchestration's name, recorded as the parent of the children it starts. */
  orchestrationName: string,
  outbox: OutboxMessage[],
  timers: PendingTimer[],
  /** The sender id receivers dedupe this execution's messages by (changes with each rewind). */
  senderId: string = executionId,
  /** Set when tracing: the execution's spans, whose contexts the messages carry. */
  trace?: InstanceTrace,
): HistoryEvent | undefined {
  switch (action.type) {
    case 'ScheduleTask': {
      openTasks.set(action.id, undefined);
      const traceParent = action.parentTraceContext?.traceParent ?? trace?.taskTraceParent(action.id);
      outbox.push(
        activityMessage(
          {
            instanceId,
            executionId,
            taskId: action.id,
            name: action.name,
            ...(action.version !== undefined ? { version: action.version } : {}),
            ...(action.input !== undefined ? { input: action.input } : {}),
            ...(traceParent !== undefined ? { traceParent } : {}),
            scheduledAt: fromTimestamp(stamp),
          },
          routing.activityPartitions,
        ),
      );
      return newEvent('TaskScheduled', stamp, pick(action, 'name', 'version', 'input'), action.id);
    }
    case 'CreateTimer':
      openTasks.set(action.id, undefined);
      timers.push({ id: action.id, fireAt: fromTimestamp(action.fireAt) });
      return newEvent('TimerCreated', stamp, { fireAt: action.fireAt }, action.id);
    case 'CreateSubOrchestration': {
      openTasks.set(action.id, action.instanceId);
      const parentTraceContext =
        action.parentTraceContext ??
        (trace !== undefined ? { traceParent: trace.taskTraceParent(action.id) } : undefined);
      const started = newEvent('ExecutionStarted', stamp, {
        name: action.name,
        ...(action.version !== undefined ? { version: action.version } : {}),
        ...(action.input !== undefined ? { input: action.input } : {}),
        orchestrationInstance: {
          instanceId: action.instanceId,
          executionId: `${executionId}:${action.id}`,
        },
        parentInstance: { taskScheduledId: action.id, name: orchestrationName, instanceId, executionId },
        ...(parentTraceContext !== undefined ? { parentTraceContext } : {}),
      });
      outbox.push(instanceMessage({ instanceId: action.instanceId, event: started }, routing.partitions));
      return newEvent(
        'SubOrchestrationInstanceCreated',
        stamp,
        pick(action, 'name', 'instanceId', 'version', 'input'),
        action.id,
      );
    }
    case 'SendEvent': {
      const raised = newEvent('EventRaised', stamp, {
        name: action.name,
        ...(action.data !== undefined ? { input: action.data } : {}),
      });
      outbox.push(
        instanceMessage(
          {
            instanceId: action.instanceId,
            event: raised,
            source: { instanceId, executionId: senderId, seq: action.id },
            ...(trace !== undefined ? { traceParent: trace.taskTraceParent(action.id) } : {}),
          },
          routing.partitions,
        ),
      );
      return newEvent(
        'EventSent',
        stamp,
        {
          instanceId: action.instanceId,
          name: action.name,
          ...(action.data !== undefined ? { input: action.data } : {}),
        },
        action.id,
      );
    }
    case 'TerminateOrchestration':
      outbox.push(
        instanceMessage(
          {
            instanceId: action.instanceId,
            event: newEvent('ExecutionTerminated', stamp, {
              ...(action.reason !== undefined ? { input: action.reason } : {}),
              recurse: action.recurse,
            }),
          },
          routing.partitions,
        ),
      );
      return undefined;
    case 'CancelTask': {
      // Closing the task here is what drops its late result (see the partition processor). The
      // event is recorded even when there is nothing left to stop, for replay to match.
      const wasOpen = openTasks.delete(action.taskId);
      const event = newEvent('TaskCanceled', stamp, { taskScheduledId: action.taskId }, action.id);
      if (!wasOpen) return event;
      if (action.kind === 'activity') {
        outbox.push(
          activityCancellationMessage(
            { instanceId, executionId, taskId: action.taskId },
            routing.activityPartitions,
          ),
        );
      } else if (action.kind === 'subOrchestration' && action.instanceId !== undefined) {
        outbox.push(
          instanceMessage(
            {
              instanceId: action.instanceId,
              event: newEvent('ExecutionTerminated', stamp, {
                input: JSON.stringify('cancelled by the parent orchestration'),
                recurse: true,
              }),
            },
            routing.partitions,
          ),
        );
      } else {
        const at = timers.findIndex((t) => t.id === action.taskId);
        if (at >= 0) timers.splice(at, 1);
      }
      return event;
    }
    case 'SendEntityMessage':
      return entityMessageEffects(routing, instanceId, executionId, senderId, action, stamp, outbox, trace);
    case 'CompleteOrchestration':
      return newEvent('ExecutionCompleted', stamp, {
        orchestrationStatus: action.orchestrationStatus,
        ...(action.result !== undefined ? { result: action.result } : {}),
        ...(action.failureDetails !== undefined ? { failureDetails: action.failureDetails } : {}),
      });
  }
}

function entityMessageEffects(
  routing: Routing,
  instanceId: string,
  executionId: string,
  senderId: string,
  action: SendEntityMessageAction,
  stamp: string,
  outbox: OutboxMessage[],
  trace: InstanceTrace | undefined,
): HistoryEvent {
  let event: HistoryEvent;
  switch (action.kind) {
    case 'signal':
    case 'call': {
      const fields = {
        requestId: action.requestId,
        operation: action.operation ?? '',
        targetInstanceId: action.targetInstanceId,
        ...(action.input !== undefined ? { input: action.input } : {}),
      };
      event =
        action.kind === 'signal'
          ? newEvent(
              'EntityOperationSignaled',
              stamp,
              {
                ...fields,
                ...(action.scheduledTime !== undefined ? { scheduledTime: action.scheduledTime } : {}),
              },
              action.id,
            )
          : newEvent(
              'EntityOperationCalled',
              stamp,
              { ...fields, parentInstanceId: instanceId, parentExecutionId: executionId },
              action.id,
            );
      break;
    }
    case 'lock':
      event = newEvent(
        'EntityLockRequested',
        stamp,
        {
          criticalSectionId: action.requestId,
          lockSet: action.lockSet ?? [action.targetInstanceId],
          position: 0,
          parentInstanceId: instanceId,
          parentExecutionId: executionId,
        },
        action.id,
      );
      break;
    case 'unlock':
      event = newEvent(
        'EntityUnlockSent',
        stamp,
        {
          criticalSectionId: action.requestId,
          parentInstanceId: instanceId,
          targetInstanceId: action.targetInstanceId,
        },
        action.id,
      );
      break;
  }
  outbox.push(
    instanceMessage(
      {
        instanceId: action.targetInstanceId,
        event,
        source: { instanceId, executionId: senderId, seq: action.id },
        // An operation's run is a child of the caller's entity span (see InstanceTrace).
        ...(trace !== undefined && (action.kind === 'call' || action.kind === 'signal')
          ? { traceParent: trace.taskTraceParent(action.id) }
          : {}),
      },
      routing.partitions,
    ),
  );
  return event;
}

/** Releases the locks of a critical section (repeating a release changes nothing). */
export function unlockMessages(
  routing: Routing,
  instanceId: string,
  criticalSectionId: string,
  lockSet: readonly string[],
  now: number,
): OutboxMessage[] {
  const stamp = toTimestamp(now);
  return lockSet.map((target) =>
    instanceMessage(
      {
        instanceId: target,
        event: newEvent('EntityUnlockSent', stamp, {
          criticalSectionId,
          parentInstanceId: instanceId,
          targetInstanceId: target,
        }),
      },
      routing.partitions,
    ),
  );
}

/** The result message a sub-orchestration owes its parent (none for a top-level instance). */
export function parentNotification(
  routing: Routing,
  record: InstanceRecord,
  status: RuntimeStatus,
  now: number,
  failure?: FailureDetails,
): OutboxMessage[] {
  const parent = record.parent;
  if (parent === undefined) return [];
  const stamp = toTimestamp(now);
  const event =
    status === 'Completed'
      ? newEvent('SubOrchestrationInstanceCompleted', stamp, {
          taskScheduledId: parent.taskScheduledId,
          ...(record.output !== undefined ? { result: record.output } : {}),
        })
      : newEvent('SubOrchestrationInstanceFailed', stamp, {
          taskScheduledId: parent.taskScheduledId,
          failureDetails: failure ??
            record.failureDetails ?? {
              errorType: status,
              errorMessage: `sub-orchestration '${record.instanceId}' was ${status.toLowerCase()}`,
            },
        });
  const executionId = parent.executionId;
  return [
    instanceMessage(
      { instanceId: parent.instanceId, ...(executionId !== undefined ? { executionId } : {}), event },
      routing.partitions,
    ),
  ];
}
