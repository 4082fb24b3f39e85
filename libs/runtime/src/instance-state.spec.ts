import { events as e } from '@durable/core/testing';
import { collectOpenTasks, isSeen, resultTaskId } from './instance-state';

describe('instance state helpers', () => {
  it('finds the task a result belongs to', () => {
    expect(resultTaskId(e.taskCompleted(3))).toBe(3);
    expect(resultTaskId(e.subOrchestrationFailed(4))).toBe(4);
    expect(resultTaskId(e.timerFired(5, 0))).toBe(5);
    expect(resultTaskId(e.eventRaised('x'))).toBeUndefined();
  });

  it('collects the tasks still waiting for a result, with child ids', () => {
    const open = new Map<number, string | undefined>();
    collectOpenTasks(
      [
        e.taskScheduled(0, 'A'),
        e.timerCreated(1, 0),
        e.subOrchestrationCreated(2, 'Child', 'child-1'),
        e.taskCompleted(0),
        e.timerFired(1, 0),
        e.taskScheduled(3, 'B'),
      ],
      open,
    );
    expect([...open]).toEqual([
      [2, 'child-1'],
      [3, undefined],
    ]);
  });

  it('recognises a message a sender already delivered', () => {
    expect(isSeen('exec-1:4', 'exec-1', 4)).toBe(true);
    expect(isSeen('exec-1:4', 'exec-1', 5)).toBe(false);
    expect(isSeen('exec-1:4', 'exec-2', 1)).toBe(false);
  });
});
