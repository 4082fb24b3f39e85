import { InvalidArgumentError, newEvent } from '@durable/core';
import { partitionOf } from '@durable/log';
import {
  activityCancellationMessage,
  activityMessage,
  instanceMessage,
  parseActivityRecord,
  parseActivityWorkItem,
  parseInstanceMessage,
} from './messages';

describe('log messages', () => {
  it('routes an instance message to the partition of its instance and round-trips it', () => {
    const event = newEvent('EventRaised', '2026-01-01T00:00:00.000Z', { name: 'go', input: '1' });
    const outbox = instanceMessage({ instanceId: 'order-7', executionId: 'e1', event }, 12);
    expect(outbox).toMatchObject({
      stream: 'orchestrations',
      partition: partitionOf('order-7', 12),
      key: 'order-7',
    });
    expect(parseInstanceMessage(outbox.value)).toEqual({ instanceId: 'order-7', executionId: 'e1', event });
  });

  it('round-trips an activity work item', () => {
    const item = { instanceId: 'i', executionId: 'e', taskId: 3, name: 'SayHello', input: '"Tokyo"' };
    const outbox = activityMessage(item, 4);
    expect(outbox.stream).toBe('activities');
    expect(parseActivityWorkItem(outbox.value)).toEqual(item);
  });

  it('sends a cancellation on the partition of the work items it is about, and tells the two apart', () => {
    const item = { instanceId: 'order-7', executionId: 'e', taskId: 3, name: 'Slow' };
    const cancellation = activityCancellationMessage(
      { instanceId: 'order-7', executionId: 'e', taskId: 3 },
      4,
    );
    expect(cancellation).toMatchObject({
      stream: 'activities',
      partition: activityMessage(item, 4).partition,
    });
    expect(parseActivityRecord(cancellation.value)).toEqual({
      cancel: true,
      instanceId: 'order-7',
      executionId: 'e',
      taskId: 3,
    });
    expect(parseActivityRecord(activityMessage(item, 4).value)).toEqual(item);
    const all = activityCancellationMessage({ instanceId: 'order-7', executionId: 'e' }, 4);
    expect(parseActivityRecord(all.value)).not.toHaveProperty('taskId');
  });

  it('rejects malformed messages', () => {
    expect(() => parseActivityRecord('{"cancel":true,"instanceId":"i"}')).toThrow(
      'malformed activity cancellation',
    );
    expect(() =>
      parseActivityRecord('{"cancel":true,"instanceId":"i","executionId":"e","taskId":"3"}'),
    ).toThrow(InvalidArgumentError);
    expect(() => parseInstanceMessage('{"event":{}}')).toThrow(InvalidArgumentError);
    expect(() => parseInstanceMessage('{"instanceId":"i","event":{"type":"Nope"}}')).toThrow(
      InvalidArgumentError,
    );
    expect(() => parseActivityWorkItem('{"instanceId":"i"}')).toThrow(InvalidArgumentError);
  });
});
