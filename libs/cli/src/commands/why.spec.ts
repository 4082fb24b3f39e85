import { createColors } from 'picocolors';
import type { InstanceWaiting } from '../client';
import { explain } from './why';

const plain = createColors(false);
const now = Date.parse('2026-01-01T00:01:00.000Z');
const nothing: InstanceWaiting = {
  instanceId: 'i1',
  name: 'Order',
  runtimeStatus: 'Running',
  partition: 2,
  activities: [],
  timers: [],
  events: [],
  subOrchestrations: [],
  entityCalls: [],
  entityLocks: { held: [], awaiting: [] },
  notes: [],
};

describe('explain', () => {
  it('lists the pending steps oldest first, with retries, due times and locks', () => {
    const text = explain(
      {
        ...nothing,
        activities: [{ taskId: 3, name: 'Charge', scheduledAt: '2026-01-01T00:00:50.000Z', attempt: 2 }],
        timers: [{ timerId: 1, createdAt: '2026-01-01T00:00:00.000Z', fireAt: '2026-01-01T00:02:00.000Z' }],
        entityLocks: { held: ['@cart@1'], awaiting: ['@stock@a'], awaitingSince: '2026-01-01T00:00:55.000Z' },
      },
      now,
      plain,
    );
    expect(text.split('\n')).toEqual([
      'i1 (Order) is Running on partition 2',
      '',
      'WAITS ON     WHAT      SINCE (UTC)                             DETAIL',
      'timer        timer 1   2026-01-01 00:00:00.000 (1 m 00 s ago)  fires 2026-01-01 00:02:00.000 (in 1 m 00 s)',
      'activity     Charge    2026-01-01 00:00:50.000 (10.0 s ago)    task 3, attempt 2',
      'entity lock  @stock@a  2026-01-01 00:00:55.000 (5.00 s ago)    not granted yet',
      '',
      'holds the locks of @cart@1',
    ]);
  });

  it('says a timer is overdue, and passes the server notes on', () => {
    const text = explain(
      {
        ...nothing,
        timers: [{ timerId: 4, createdAt: '2026-01-01T00:00:00.000Z', fireAt: '2026-01-01T00:00:30.000Z' }],
        notes: ['suspended: results are held back until it is resumed'],
      },
      now,
      plain,
    );
    expect(text).toMatch(/timer 4 .* was due 2026-01-01 00:00:30.000$/m);
    expect(text).toContain('note: suspended: results are held back until it is resumed');
  });
});
