import { events as e, testEpoch } from '@durable/core/testing';
import { InstanceTrace } from './instance-tracing';

describe('InstanceTrace', () => {
  it('ends the span of a cancelled activity when the cancel is recorded, marked as an error', () => {
    const trace = new InstanceTrace('i-1', 'Flow', 'exec-1', 'exec-1', undefined, testEpoch);
    expect(trace.scheduled(e.taskScheduled(0, 'Slow', 'job'))).toBeUndefined();
    const span = trace.scheduled(e.taskCanceled(1, 0));
    expect(span).toMatchObject({
      error: 'cancelled',
      attributes: expect.objectContaining({ 'durabletask.task.task_id': 0 }),
    });
    // A result that comes back later settles nothing: its span already ended.
    expect(trace.settled(e.taskCompleted(0, 'late'), testEpoch + 10)).toBeUndefined();
  });
});
