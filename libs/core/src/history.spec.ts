import { ActionType, fromTimestamp, HistoryEventType, newEvent, toTimestamp } from './index';

describe('HistoryEventType and ActionType', () => {
  it('name each history event type after itself, as in the Durable Task protocol', () => {
    for (const [key, value] of Object.entries(HistoryEventType)) expect(value).toBe(key);
  });

  it('name each action type after itself', () => {
    for (const [key, value] of Object.entries(ActionType)) expect(value).toBe(key);
  });
});

describe('newEvent', () => {
  it('gives an event the id -1 when none is given (events the orchestrator did not cause)', () => {
    expect(newEvent('EventRaised', '2026-01-01T00:00:00.000Z', { name: 'Go', input: 'true' })).toStrictEqual({
      type: 'EventRaised',
      eventId: -1,
      timestamp: '2026-01-01T00:00:00.000Z',
      name: 'Go',
      input: 'true',
    });
  });

  it('uses the given id for events that record an orchestrator action', () => {
    const event = newEvent('TaskScheduled', '2026-01-01T00:00:00.000Z', { name: 'Charge' }, 7);
    expect(event).toStrictEqual({
      type: 'TaskScheduled',
      eventId: 7,
      timestamp: '2026-01-01T00:00:00.000Z',
      name: 'Charge',
    });
  });

  it('builds events without fields', () => {
    expect(newEvent('OrchestratorStarted', '2026-01-01T00:00:00.000Z', {})).toStrictEqual({
      type: 'OrchestratorStarted',
      eventId: -1,
      timestamp: '2026-01-01T00:00:00.000Z',
    });
  });

  it('does not share the fields object with the event', () => {
    const fields = { name: 'Go' };
    const event = newEvent('EventRaised', '2026-01-01T00:00:00.000Z', fields);
    fields.name = 'Changed';
    expect(event.name).toBe('Go');
  });
});

describe('toTimestamp and fromTimestamp', () => {
  it('writes epoch milliseconds as ISO-8601 UTC with milliseconds', () => {
    expect(toTimestamp(0)).toBe('1970-01-01T00:00:00.000Z');
    expect(toTimestamp(Date.UTC(2026, 0, 2, 3, 4, 5, 6))).toBe('2026-01-02T03:04:05.006Z');
  });

  it('reads a timestamp back to the same epoch milliseconds', () => {
    for (const ms of [0, 1, 999, Date.UTC(2026, 0, 1), Date.UTC(1969, 11, 31, 23, 59, 59, 999), 8.64e15]) {
      expect(fromTimestamp(toTimestamp(ms))).toBe(ms);
    }
  });

  it('reads timestamps with an offset as the same instant', () => {
    expect(fromTimestamp('2026-01-01T01:00:00.000+01:00')).toBe(Date.UTC(2026, 0, 1));
  });

  it('reads text that is not a timestamp as NaN', () => {
    expect(fromTimestamp('not a time')).toBeNaN();
  });

  it('throws a RangeError for an epoch that is not a valid time', () => {
    expect(() => toTimestamp(Number.NaN)).toThrow(RangeError);
  });
});
