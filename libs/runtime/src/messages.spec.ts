import { InvalidArgumentError, newEvent } from '@durable/core';
import { partitionOf } from '@durable/log';
import { activityMessage, instanceMessage, parseActivityWorkItem, parseInstanceMessage } from './messages';

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

  it('rejects malformed messages', () => {
    expect(() => parseInstanceMessage('{"event":{}}')).toThrow(InvalidArgumentError);
    expect(() => parseInstanceMessage('{"instanceId":"i","event":{"type":"Nope"}}')).toThrow(
      InvalidArgumentError,
    );
    expect(() => parseActivityWorkItem('{"instanceId":"i"}')).toThrow(InvalidArgumentError);
  });
});
