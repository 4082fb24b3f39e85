import { createColors } from 'picocolors';
import type { HistoryEvent } from './client';
import { formatDuration, table, timeline } from './format';

const plain = createColors(false);

describe('formatDuration', () => {
  it.each([
    [0, '0 ms'],
    [999, '999 ms'],
    [1234, '1.23 s'],
    [12_345, '12.3 s'],
    [65_000, '1 m 05 s'],
    [3_600_000 + 3 * 60_000, '1 h 03 m'],
    [26 * 3_600_000, '1 d 2 h'],
    [-1, '-'],
    [NaN, '-'],
  ])('shows %d ms as %s', (ms, text) => expect(formatDuration(ms)).toBe(text));
});

describe('table', () => {
  it('aligns columns without borders or trailing spaces', () => {
    expect(
      table(
        ['A', 'LONGER'],
        [
          ['wide-cell', 'x'],
          ['y', 'z'],
        ],
        plain,
      ),
    ).toBe(['A          LONGER', 'wide-cell  x', 'y          z'].join('\n'));
  });
});

describe('timeline', () => {
  it('shows offsets from the start and how long each task took', () => {
    const events: HistoryEvent[] = [
      { EventType: 'ExecutionStarted', Timestamp: '2026-01-01T00:00:00.000Z', FunctionName: 'Flow' },
      {
        EventType: 'TaskCompleted',
        Timestamp: '2026-01-01T00:00:02.500Z',
        FunctionName: 'Charge',
        ScheduledTime: '2026-01-01T00:00:00.500Z',
        Result: 'ok',
      },
      {
        EventType: 'TaskFailed',
        Timestamp: '2026-01-01T00:01:10.000Z',
        FunctionName: 'Ship',
        ScheduledTime: '2026-01-01T00:00:10.000Z',
        FailureDetails: { errorType: 'Error', errorMessage: 'no truck' },
      },
    ];
    const lines = timeline(events, plain).split('\n');
    expect(lines[0]).toMatch(/^AT\s+EVENT\s+TOOK\s+DETAIL$/);
    expect(lines[1]).toMatch(/^\+0 ms\s+ExecutionStarted\s+Flow$/);
    expect(lines[2]).toMatch(/^\+2\.50 s\s+TaskCompleted\s+2\.00 s\s+Charge → "ok"$/);
    expect(lines[3]).toMatch(/^\+1 m 10 s\s+TaskFailed\s+1 m 00 s\s+Ship ✗ Error: no truck$/);
  });
});
