import { newEvent, type HistoryEvent } from '@durable/core';
import * as sdk from '@microsoft/durabletask-js/dist/utils/pb-helper.util';
import {
  actionOf,
  entityBatchRequest,
  entityBatchResultOf,
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
        properties: { code: 'E42', details: { amount: 12.5, tags: ['a', null, true] } },
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
    newEvent(
      'EntityOperationSignaled',
      t,
      {
        requestId: 'r1',
        operation: 'add',
        input: '1',
        targetInstanceId: '@counter@c1',
        scheduledTime: '2024-05-01T12:00:00.000Z',
      },
      6,
    ),
    newEvent(
      'EntityOperationCalled',
      t,
      {
        requestId: 'r2',
        operation: 'get',
        targetInstanceId: '@counter@c1',
        parentInstanceId: 'i',
        parentExecutionId: 'e',
      },
      7,
    ),
    newEvent('EntityOperationCompleted', t, { requestId: 'r2', result: '5' }),
    newEvent('EntityOperationFailed', t, {
      requestId: 'r3',
      failureDetails: { errorType: 'Error', errorMessage: 'no' },
    }),
    newEvent(
      'EntityLockRequested',
      t,
      { criticalSectionId: 'cs', lockSet: ['@a@1', '@b@2'], position: 0, parentInstanceId: 'i' },
      8,
    ),
    newEvent('EntityLockGranted', t, { criticalSectionId: 'cs' }),
    newEvent(
      'EntityUnlockSent',
      t,
      { criticalSectionId: 'cs', parentInstanceId: 'i', targetInstanceId: '@a@1' },
      9,
    ),
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

  describe('entities', () => {
    it('reads the entity messages the SDK sends: signal, call, lock and unlock', () => {
      const at = new Date('2024-05-01T12:00:00.000Z');
      expect(
        actionOf(sdk.newSendEntityMessageSignalAction(1, '@Counter@c1', 'add', 'r1', '5', at), 'i'),
      ).toEqual({
        type: 'SendEntityMessage',
        id: 1,
        kind: 'signal',
        targetInstanceId: '@counter@c1',
        operation: 'add',
        requestId: 'r1',
        input: '5',
        scheduledTime: '2024-05-01T12:00:00.000Z',
      });
      expect(
        actionOf(sdk.newSendEntityMessageCallAction(2, '@counter@c1', 'get', 'r2', 'i', 'e'), 'i'),
      ).toEqual({
        type: 'SendEntityMessage',
        id: 2,
        kind: 'call',
        targetInstanceId: '@counter@c1',
        operation: 'get',
        requestId: 'r2',
      });
      expect(actionOf(sdk.newSendEntityMessageLockAction(3, 'cs', ['@a@1', '@b@2'], 'i'), 'i')).toEqual({
        type: 'SendEntityMessage',
        id: 3,
        kind: 'lock',
        targetInstanceId: '@a@1',
        requestId: 'cs',
        lockSet: ['@a@1', '@b@2'],
      });
      expect(actionOf(sdk.newSendEntityMessageUnlockAction(4, 'cs', '@b@2', 'i'), 'i')).toEqual({
        type: 'SendEntityMessage',
        id: 4,
        kind: 'unlock',
        targetInstanceId: '@b@2',
        requestId: 'cs',
      });
    });

    it('fails the orchestration on an entity message to something that is not an entity', () => {
      const response = new pb.OrchestratorResponse();
      response.setActionsList([sdk.newSendEntityMessageSignalAction(1, 'not-an-entity', 'add', 'r1')]);
      expect(executionResultOf(response, 'i').completion).toMatchObject({ orchestrationStatus: 'Failed' });
    });

    it('records the events the host records for entity messages', () => {
      const instance = { instanceId: 'i', executionId: 'e' };
      const call = recordedEvent(
        {
          type: 'SendEntityMessage',
          id: 2,
          kind: 'call',
          targetInstanceId: '@c@1',
          operation: 'get',
          requestId: 'r',
        },
        t,
        instance,
      );
      expect(call).toEqual(
        newEvent(
          'EntityOperationCalled',
          t,
          {
            requestId: 'r',
            operation: 'get',
            targetInstanceId: '@c@1',
            parentInstanceId: 'i',
            parentExecutionId: 'e',
          },
          2,
        ),
      );
      const lock = recordedEvent(
        {
          type: 'SendEntityMessage',
          id: 3,
          kind: 'lock',
          targetInstanceId: '@a@1',
          requestId: 'cs',
          lockSet: ['@a@1'],
        },
        t,
        instance,
      );
      expect(lock).toEqual(
        newEvent(
          'EntityLockRequested',
          t,
          {
            criticalSectionId: 'cs',
            lockSet: ['@a@1'],
            position: 0,
            parentInstanceId: 'i',
            parentExecutionId: 'e',
          },
          3,
        ),
      );
    });

    it('hands a batch to a worker and reads its results, actions and new state', () => {
      const request = entityBatchRequest('@counter@c1', '1', [
        { operation: 'add', requestId: 'a', input: '2' },
        { operation: 'boom', requestId: 'b' },
      ]);
      const wire = pb.EntityBatchRequest.deserializeBinary(request.serializeBinary());
      expect(wire.getEntitystate()?.getValue()).toBe('1');
      expect(
        wire.getOperationsList().map((o) => [o.getOperation(), o.getRequestid(), o.getInput()?.getValue()]),
      ).toEqual([
        ['add', 'a', '2'],
        ['boom', 'b', undefined],
      ]);

      const result = new pb.EntityBatchResult();
      const ok = new pb.OperationResult();
      const success = new pb.OperationResultSuccess();
      success.setResult(stringValue('3'));
      ok.setSuccess(success);
      const failed = new pb.OperationResult();
      const failure = new pb.OperationResultFailure();
      const details = new pb.TaskFailureDetails();
      details.setErrortype('Error');
      details.setErrormessage('boom');
      failure.setFailuredetails(details);
      failed.setFailure(failure);
      result.setResultsList([ok, failed]);
      const signal = new pb.OperationAction();
      const send = new pb.SendSignalAction();
      send.setInstanceid('@Other@k');
      send.setName('ping');
      send.setInput(stringValue('true'));
      signal.setSendsignal(send);
      const start = new pb.OperationAction();
      const orchestration = new pb.StartNewOrchestrationAction();
      orchestration.setInstanceid('o1');
      orchestration.setName('Flow');
      start.setStartneworchestration(orchestration);
      result.setActionsList([signal, start]);
      result.setEntitystate(stringValue('3'));
      expect(entityBatchResultOf(result, 2, '1')).toEqual({
        state: '3',
        outcomes: [
          { ok: true, result: '3' },
          { ok: false, failureDetails: { errorType: 'Error', errorMessage: 'boom' } },
        ],
        actions: [
          { type: 'signal', targetInstanceId: '@other@k', operation: 'ping', input: 'true' },
          { type: 'startOrchestration', name: 'Flow', instanceId: 'o1' },
        ],
      });
    });

    it('keeps the state when the worker fails the whole batch', () => {
      const result = new pb.EntityBatchResult();
      const details = new pb.TaskFailureDetails();
      details.setErrortype('EntityTaskNotFound');
      details.setErrormessage('no such entity');
      result.setFailuredetails(details);
      expect(entityBatchResultOf(result, 1, '7')).toEqual({
        state: '7',
        outcomes: [
          { ok: false, failureDetails: { errorType: 'EntityTaskNotFound', errorMessage: 'no such entity' } },
        ],
        actions: [],
      });
    });
  });
});
