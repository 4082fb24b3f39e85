import { newEvent, type HistoryEvent } from '@durable/core';
import {
  actionOf,
  executionResultOf,
  historyEventOf,
  protoEvent,
  protoStatus,
  recordedEvent,
  runtimeStatus,
  stringValue,
  timestamp,
} from './convert';
import { pb } from './proto';

const t = '2024-05-01T10:00:00.000Z';

describe('protocol conversion', () => {
  const events: HistoryEvent[] = [
    newEvent('ExecutionStarted', t, {
      name: 'Flow',
      version: '2',
      input: '{"a":1}',
      orchestrationInstance: { instanceId: 'i', executionId: 'e' },
      parentInstance: { taskScheduledId: 3, name: 'Parent', instanceId: 'p', executionId: 'pe' },
      scheduledStartTimestamp: '2024-05-01T11:00:00.000Z',
    }),
    newEvent('OrchestratorStarted', t, {}),
    newEvent('TaskScheduled', t, { name: 'A', input: '1' }, 0),
    newEvent('TaskCompleted', t, { taskScheduledId: 0, result: '"r"' }),
    newEvent('TaskFailed', t, {
      taskScheduledId: 1,
      failureDetails: {
        errorType: 'E',
        errorMessage: 'm',
        stackTrace: 's',
        innerFailure: { errorType: 'I', errorMessage: 'inner' },
        isNonRetriable: true,
      },
    }),
    newEvent('TimerCreated', t, { fireAt: '2024-05-01T10:00:05.000Z' }, 2),
    newEvent('TimerFired', t, { timerId: 2, fireAt: '2024-05-01T10:00:05.000Z' }),
    newEvent('SubOrchestrationInstanceCreated', t, { name: 'Child', instanceId: 'c', input: 'null' }, 4),
    newEvent('SubOrchestrationInstanceCompleted', t, { taskScheduledId: 4, result: '7' }),
    newEvent('EventRaised', t, { name: 'Go', input: 'true' }),
    newEvent('EventSent', t, { instanceId: 'o', name: 'Ping', input: '1' }, 5),
    newEvent('ExecutionSuspended', t, { input: '"why"' }),
    newEvent('ExecutionResumed', t, {}),
    newEvent('ExecutionTerminated', t, { input: '"stop"', recurse: true }),
    newEvent('ExecutionCompleted', t, { orchestrationStatus: 'Completed', result: '"done"' }),
    newEvent('OrchestratorCompleted', t, {}),
  ];

  it.each(events.map((e) => [e.type, e] as const))('round-trips a %s event', (_type, event) => {
    const wire = pb.HistoryEvent.deserializeBinary(protoEvent(event).serializeBinary());
    expect(historyEventOf(wire)).toEqual(event);
  });

  it('maps every runtime status both ways', () => {
    for (const s of [
      'Running',
      'Completed',
      'ContinuedAsNew',
      'Failed',
      'Canceled',
      'Terminated',
      'Pending',
      'Suspended',
    ] as const)
      expect(runtimeStatus(protoStatus(s))).toBe(s);
  });

  it('reads the actions a worker sends, completion last', () => {
    const response = new pb.OrchestratorResponse();
    const complete = new pb.OrchestratorAction();
    complete.setId(-1);
    const done = new pb.CompleteOrchestrationAction();
    done.setOrchestrationstatus(pb.OrchestrationStatus.ORCHESTRATION_STATUS_COMPLETED);
    done.setResult(stringValue('42'));
    complete.setCompleteorchestration(done);
    const schedule = new pb.OrchestratorAction();
    schedule.setId(0);
    const task = new pb.ScheduleTaskAction();
    task.setName('A');
    task.setInput(stringValue(''));
    schedule.setScheduletask(task);
    const timer = new pb.OrchestratorAction();
    timer.setId(1);
    const create = new pb.CreateTimerAction();
    create.setFireat(timestamp('2024-05-01T10:00:05.000Z'));
    timer.setCreatetimer(create);
    response.setActionsList([complete, schedule, timer]);
    response.setCustomstatus(stringValue('"busy"'));
    const result = executionResultOf(response, 'i');
    expect(result.actions).toEqual([
      { type: 'ScheduleTask', id: 0, name: 'A' },
      { type: 'CreateTimer', id: 1, fireAt: '2024-05-01T10:00:05.000Z' },
      { type: 'CompleteOrchestration', id: -1, orchestrationStatus: 'Completed', result: '42' },
    ]);
    expect(result.customStatus).toBe('"busy"');
    expect(result.completion?.result).toBe('42');
  });

  it('names a sub-orchestration the worker left without an id after its parent', () => {
    const action = new pb.OrchestratorAction();
    action.setId(3);
    const create = new pb.CreateSubOrchestrationAction();
    create.setName('Child');
    action.setCreatesuborchestration(create);
    expect(actionOf(action, 'parent')).toEqual({
      type: 'CreateSubOrchestration',
      id: 3,
      name: 'Child',
      instanceId: 'parent:3',
    });
  });

  it('fails the orchestration on an action it cannot run', () => {
    const response = new pb.OrchestratorResponse();
    response.setActionsList([new pb.OrchestratorAction()]);
    const result = executionResultOf(response, 'i');
    expect(result.completion).toMatchObject({ orchestrationStatus: 'Failed' });
  });

  it('records the same event the host records for each action', () => {
    expect(recordedEvent({ type: 'ScheduleTask', id: 2, name: 'A', input: '1' }, t)).toEqual(
      newEvent('TaskScheduled', t, { name: 'A', input: '1' }, 2),
    );
    expect(recordedEvent({ type: 'SendEvent', id: 4, instanceId: 'o', name: 'N', data: '1' }, t)).toEqual(
      newEvent('EventSent', t, { instanceId: 'o', name: 'N', input: '1' }, 4),
    );
    expect(
      recordedEvent({ type: 'CompleteOrchestration', id: 5, orchestrationStatus: 'Completed' }, t),
    ).toBeUndefined();
  });
});
