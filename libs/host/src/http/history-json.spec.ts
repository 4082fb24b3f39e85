import { newEvent, RuntimeStatus, type HistoryEvent } from '@durable/core';
import { historyEventsJson } from './history-json';

const t = (second: number): string => `2024-01-01T00:00:${String(second).padStart(2, '0')}.000Z`;
const failure = { errorType: 'Error', errorMessage: 'no' };

const history: HistoryEvent[] = [
  newEvent('ExecutionStarted', t(0), {
    name: 'Parent',
    version: '2',
    input: '{"n":1}',
    orchestrationInstance: { instanceId: 'p', executionId: 'e' },
  }),
  newEvent('OrchestratorStarted', t(0), {}),
  newEvent('TaskScheduled', t(0), { name: 'A', input: '1' }, 0),
  newEvent('TaskScheduled', t(0), { name: 'B', input: '2' }, 1),
  newEvent('TaskScheduled', t(0), { name: 'Pending', input: '3' }, 2),
  newEvent('SubOrchestrationInstanceCreated', t(0), { name: 'Child', instanceId: 'p:3', input: '4' }, 3),
  newEvent('TimerCreated', t(0), { fireAt: t(9) }, 4),
  newEvent('OrchestratorCompleted', t(0), {}),
  newEvent('TaskCompleted', t(1), { taskScheduledId: 0, result: '"a"' }),
  newEvent('TaskFailed', t(2), { taskScheduledId: 1, failureDetails: failure }),
  newEvent('SubOrchestrationInstanceCompleted', t(3), { taskScheduledId: 3, result: '5' }),
  newEvent('TimerFired', t(9), { timerId: 4, fireAt: t(9) }),
  newEvent('EventRaised', t(10), { name: 'Go', input: 'true' }),
  newEvent('EventSent', t(11), { instanceId: 'other', name: 'Ping', input: '"x"' }, 5),
  newEvent('ExecutionCompleted', t(12), { orchestrationStatus: RuntimeStatus.Completed, result: '[1]' }),
];

describe('historyEventsJson', () => {
  it('folds scheduling into completions, drops replay bookkeeping and leaves payloads out by default', () => {
    expect(historyEventsJson(history, false)).toEqual([
      { EventType: 'ExecutionStarted', EventId: 0, Timestamp: t(0), FunctionName: 'Parent', Version: '2' },
      { EventType: 'TaskScheduled', EventId: 4, Timestamp: t(0), FunctionName: 'Pending' },
      { EventType: 'TimerCreated', EventId: 6, Timestamp: t(0), FireAt: t(9) },
      { EventType: 'TaskCompleted', EventId: 8, Timestamp: t(1), FunctionName: 'A', ScheduledTime: t(0) },
      {
        EventType: 'TaskFailed',
        EventId: 9,
        Timestamp: t(2),
        FunctionName: 'B',
        ScheduledTime: t(0),
        FailureDetails: failure,
      },
      {
        EventType: 'SubOrchestrationInstanceCompleted',
        EventId: 10,
        Timestamp: t(3),
        FunctionName: 'Child',
        InstanceId: 'p:3',
        ScheduledTime: t(0),
      },
      { EventType: 'TimerFired', EventId: 11, Timestamp: t(9), FireAt: t(9), TimerId: 4 },
      { EventType: 'EventRaised', EventId: 12, Timestamp: t(10), Name: 'Go' },
      { EventType: 'EventSent', EventId: 13, Timestamp: t(11), Name: 'Ping', InstanceId: 'other' },
      { EventType: 'ExecutionCompleted', EventId: 14, Timestamp: t(12), OrchestrationStatus: 'Completed' },
    ]);
  });

  it('adds inputs, results and event data as JSON values with showHistoryOutput', () => {
    const events = historyEventsJson(history, true);
    expect(events.map((event) => event['Input'] ?? event['Result'] ?? null)).toEqual([
      { n: 1 },
      null,
      null,
      'a',
      null,
      5,
      null,
      true,
      'x',
      [1],
    ]);
  });

  it('keeps a pending sub-orchestration as its creation event', () => {
    const pending = [
      newEvent('SubOrchestrationInstanceCreated', t(0), { name: 'Child', instanceId: 'c' }, 0),
    ];
    expect(historyEventsJson(pending, true)).toEqual([
      {
        EventType: 'SubOrchestrationInstanceCreated',
        EventId: 0,
        Timestamp: t(0),
        FunctionName: 'Child',
        InstanceId: 'c',
      },
    ]);
  });
});
