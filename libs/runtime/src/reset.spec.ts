import { InvalidArgumentError, type HistoryEvent } from '@durable/core';
import { events as e } from '@durable/core/testing';
import { isResettable, resetCut, resetEvent } from './reset';

// [0] OrchestratorStarted [1] ExecutionStarted [2] TaskScheduled 0 [3] OrchestratorCompleted
// [4] OrchestratorStarted [5] TaskCompleted 0 [6] TaskScheduled 1 [7] OrchestratorCompleted
// [8] OrchestratorStarted [9] TaskFailed 1
const history: HistoryEvent[] = [
  e.orchestratorStarted(),
  e.executionStarted('Flow'),
  e.taskScheduled(0, 'A'),
  e.orchestratorCompleted(),
  e.orchestratorStarted(),
  e.taskCompleted(0, 'a'),
  e.taskScheduled(1, 'B'),
  e.orchestratorCompleted(),
  e.orchestratorStarted(),
  e.taskFailed(1, { errorMessage: 'boom' }),
];

describe('resetCut', () => {
  it('keeps the events before the chosen one', () => {
    expect(resetCut(history, { eventId: 9 })).toBe(9);
    expect(resetCut(history, { eventId: 5 })).toBe(5);
  });

  it('runs again from the start for a point at or before ExecutionStarted', () => {
    expect(resetCut(history, { eventId: 0 })).toBe(0);
    expect(resetCut(history, { eventId: 1 })).toBe(0);
  });

  it('cuts just after the last completed activity', () => {
    expect(resetCut(history, { toLastCompletedActivity: true })).toBe(6);
  });

  it('refuses a point outside the history, and a history without a completed activity, with a reason', () => {
    expect(() => resetCut(history, { eventId: 10 })).toThrow(
      new InvalidArgumentError("eventId 10 is not an event of the instance's history (0 to 9)"),
    );
    expect(() => resetCut(history, { eventId: -1 })).toThrow(InvalidArgumentError);
    expect(() => resetCut(history, { eventId: 1.5 })).toThrow(InvalidArgumentError);
    expect(() => resetCut(history.slice(0, 4), { toLastCompletedActivity: true })).toThrow(
      'no activity of the instance has completed',
    );
  });
});

describe('reset rules', () => {
  it('resets finished instances only', () => {
    expect(
      ['Completed', 'Failed', 'Terminated', 'Running', 'Pending', 'Suspended', 'ContinuedAsNew'].filter((s) =>
        isResettable(s as never),
      ),
    ).toEqual(['Completed', 'Failed', 'Terminated']);
  });

  it('records what was reset, from where, and why', () => {
    const event = resetEvent('2026-01-01T00:00:00.000Z', 5, 4, 'bad deploy');
    expect(event.type).toBe('GenericEvent');
    expect(JSON.parse(event.data ?? '')).toEqual({
      type: 'ExecutionReset',
      fromEventId: 5,
      droppedEvents: 4,
      reason: 'bad deploy',
    });
  });
});
