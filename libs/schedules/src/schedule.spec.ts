import { InvalidArgumentError } from '@durable/core';
import {
  firstTickAtOrAfter,
  lastTickAtOrBefore,
  maxStartsPerTick,
  parseScheduleOptions,
  planTick,
  tickInstanceId,
  updateScheduleSpec,
  validateScheduleId,
} from './schedule';

const t0 = Date.parse('2026-03-01T00:00:00Z');
const s = (n: number) => n * 1000;

describe('parseScheduleOptions', () => {
  it('reads spans, times and defaults', () => {
    const spec = parseScheduleOptions({
      orchestrationName: 'Report',
      input: { region: 'eu' },
      interval: '90s',
      startAt: '2026-03-01T00:00:00Z',
      endAt: new Date(t0 + s(3600)),
      catchupWindow: '10m',
    });
    expect(spec).toEqual({
      orchestrationName: 'Report',
      input: { region: 'eu' },
      interval: 90_000,
      startAt: t0,
      endAt: t0 + s(3600),
      catchupPolicy: 'all',
      catchupWindow: 600_000,
    });
  });

  it.each([
    [{}, /needs an orchestrationName/],
    [{ orchestrationName: 'R' }, /exactly one of interval and cron/],
    [{ orchestrationName: 'R', interval: '1s', cron: '* * * * *' }, /exactly one of interval and cron/],
    [{ orchestrationName: 'R', interval: 'soon' }, /interval must be a positive span/],
    [{ orchestrationName: 'R', interval: 10 }, /at least 1000 ms/],
    [{ orchestrationName: 'R', cron: 'every day' }, /invalid cron expression/],
    [
      { orchestrationName: 'R', cron: '* * * * *', timeZone: 'Mars/Olympus' },
      /invalid cron expression or time zone/,
    ],
    [{ orchestrationName: 'R', interval: '1m', timeZone: 'UTC' }, /cron schedules only/],
    [{ orchestrationName: 'R', interval: '1m', startAt: 'tomorrow' }, /startAt must be an ISO-8601/],
    [
      {
        orchestrationName: 'R',
        interval: '1m',
        startAt: '2026-03-02T00:00:00Z',
        endAt: '2026-03-01T00:00:00Z',
      },
      /endAt must be after startAt/,
    ],
    [
      { orchestrationName: 'R', interval: '1m', catchupPolicy: 'some' },
      /catchupPolicy must be 'all' or 'latest'/,
    ],
    [{ orchestrationName: 'R', interval: '1m', every: '1m' }, /unknown schedule field\(s\): every/],
    [[], /must be a JSON object/],
  ])('refuses %j with a reason', (options, reason) => {
    expect(() => parseScheduleOptions(options)).toThrow(InvalidArgumentError);
    expect(() => parseScheduleOptions(options)).toThrow(reason);
  });

  it('updates a field, swaps interval for cron, and removes an optional field with null', () => {
    const spec = parseScheduleOptions({
      orchestrationName: 'R',
      interval: '1m',
      endAt: '2026-04-01T00:00:00Z',
    });
    const updated = updateScheduleSpec(spec, { cron: '0 * * * *', timeZone: 'Europe/Paris', endAt: null });
    expect(updated).toEqual({
      orchestrationName: 'R',
      cron: '0 * * * *',
      timeZone: 'Europe/Paris',
      catchupPolicy: 'all',
      catchupWindow: 86_400_000,
    });
    expect(updateScheduleSpec(updated, { interval: '1h' })).toEqual({
      orchestrationName: 'R',
      interval: 3_600_000,
      catchupPolicy: 'all',
      catchupWindow: 86_400_000,
    });
  });
});

describe('validateScheduleId', () => {
  it('accepts an id usable as an entity key and instance id prefix, refuses others', () => {
    expect(() => validateScheduleId('nightly-report')).not.toThrow();
    expect(() => validateScheduleId('a/b')).toThrow(/invalid schedule id/);
    expect(() => validateScheduleId('@x')).toThrow(/invalid schedule id/);
    expect(() => validateScheduleId('x'.repeat(201))).toThrow(/at most 200/);
  });
});

describe('ticks', () => {
  it('puts interval ticks at startAt + k·interval, within endAt', () => {
    const spec = parseScheduleOptions({
      orchestrationName: 'R',
      interval: '10s',
      startAt: new Date(t0),
      endAt: new Date(t0 + s(30)),
    });
    expect(firstTickAtOrAfter(spec, 0, t0 - s(100))).toBe(t0);
    expect(firstTickAtOrAfter(spec, 0, t0 + 1)).toBe(t0 + s(10));
    expect(firstTickAtOrAfter(spec, 0, t0 + s(30))).toBe(t0 + s(30));
    expect(firstTickAtOrAfter(spec, 0, t0 + s(30) + 1)).toBeUndefined();
    expect(lastTickAtOrBefore(spec, 0, t0 + s(25))).toBe(t0 + s(20));
    expect(lastTickAtOrBefore(spec, 0, t0 + s(99))).toBe(t0 + s(30));
    expect(lastTickAtOrBefore(spec, 0, t0 - 1)).toBeUndefined();
  });

  it('anchors an interval without startAt at the creation time', () => {
    const spec = parseScheduleOptions({ orchestrationName: 'R', interval: '1m' });
    const created = t0 + 1234;
    expect(firstTickAtOrAfter(spec, created, created + 1)).toBe(created + 60_000);
  });

  it('reads cron expressions in their time zone, with seconds when given six fields', () => {
    const daily = parseScheduleOptions({
      orchestrationName: 'R',
      cron: '0 9 * * *',
      timeZone: 'Europe/Paris',
    });
    // 09:00 in Paris is 08:00 UTC in March (before the change to summer time).
    expect(new Date(firstTickAtOrAfter(daily, 0, t0) as number).toISOString()).toBe(
      '2026-03-01T08:00:00.000Z',
    );
    const everyTwo = parseScheduleOptions({ orchestrationName: 'R', cron: '*/2 * * * * *' });
    expect(firstTickAtOrAfter(everyTwo, 0, t0 + 1)).toBe(t0 + s(2));
    expect(firstTickAtOrAfter(everyTwo, 0, t0)).toBe(t0);
    expect(lastTickAtOrBefore(everyTwo, 0, t0 + s(5))).toBe(t0 + s(4));
  });
});

describe('planTick', () => {
  const every10s = (extra: object = {}) =>
    parseScheduleOptions({ orchestrationName: 'R', interval: '10s', startAt: new Date(t0), ...extra });

  it('starts the due tick and plans the next one when on time', () => {
    expect(planTick(every10s(), 0, t0 + s(10), t0 + s(10) + 5)).toEqual({
      starts: [t0 + s(10)],
      nextTick: t0 + s(20),
    });
  });

  it('starts nothing for a wake-up before the tick', () => {
    expect(planTick(every10s(), 0, t0 + s(10), t0 + s(9))).toEqual({ starts: [], nextTick: t0 + s(10) });
  });

  it('catches up every missed tick with the policy all', () => {
    expect(planTick(every10s(), 0, t0 + s(10), t0 + s(45))).toEqual({
      starts: [t0 + s(10), t0 + s(20), t0 + s(30), t0 + s(40)],
      nextTick: t0 + s(50),
    });
  });

  it('starts only the most recent missed tick with the policy latest', () => {
    expect(planTick(every10s({ catchupPolicy: 'latest' }), 0, t0 + s(10), t0 + s(45))).toEqual({
      starts: [t0 + s(40)],
      nextTick: t0 + s(50),
    });
  });

  it('skips ticks older than the catch-up window', () => {
    expect(planTick(every10s({ catchupWindow: '25s' }), 0, t0 + s(10), t0 + s(45))).toEqual({
      starts: [t0 + s(20), t0 + s(30), t0 + s(40)],
      nextTick: t0 + s(50),
    });
    expect(
      planTick(every10s({ catchupWindow: '2s', catchupPolicy: 'latest' }), 0, t0 + s(10), t0 + s(45)),
    ).toEqual({
      starts: [],
      nextTick: t0 + s(50),
    });
  });

  it('starts at most a batch of missed ticks at once and continues at the next missed one', () => {
    const spec = parseScheduleOptions({ orchestrationName: 'R', interval: '1s', startAt: new Date(t0) });
    const plan = planTick(spec, 0, t0, t0 + s(1000));
    expect(plan.starts).toHaveLength(maxStartsPerTick);
    expect(plan.nextTick).toBe(t0 + s(maxStartsPerTick));
  });

  it('ends after the last tick before endAt', () => {
    expect(planTick(every10s({ endAt: new Date(t0 + s(20)) }), 0, t0 + s(20), t0 + s(21))).toEqual({
      starts: [t0 + s(20)],
      nextTick: undefined,
    });
  });

  it('names each tick instance after the schedule and the tick time', () => {
    expect(tickInstanceId('nightly', t0)).toBe('nightly-2026-03-01T00:00:00.000Z');
  });
});
