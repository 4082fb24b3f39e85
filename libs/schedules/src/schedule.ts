// What a schedule is and when it ticks: pure functions of the spec and the time asked about.
import { Cron } from 'croner';
import { entityIdProblem, instanceIdProblem, InvalidArgumentError, toTimestamp } from '@durable/core';

/**
 * What to do with ticks missed while nothing ran (an outage, a backlog), in Temporal's terms: each
 * late tick within `catchupWindow` of now starts (`all`), or only the most recent one (`latest`).
 * Ticks later than the window are skipped either way.
 */
export const CatchupPolicy = { All: 'all', Latest: 'latest' } as const;
export type CatchupPolicy = (typeof CatchupPolicy)[keyof typeof CatchupPolicy];

/** A validated schedule: times in epoch ms, the input as a JSON value. */
export interface ScheduleSpec {
  readonly orchestrationName: string;
  readonly input?: unknown;
  /** Exactly one of `interval` (ms, ticks at `startAt + k·interval`) and `cron`. */
  readonly interval?: number;
  readonly cron?: string;
  /** IANA time zone a cron expression is read in; UTC when absent. */
  readonly timeZone?: string;
  /** No tick before; for an interval, the anchor of its ticks (the creation time when absent). */
  readonly startAt?: number;
  /** No tick after. */
  readonly endAt?: number;
  readonly catchupPolicy: CatchupPolicy;
  readonly catchupWindow: number;
}

/** A schedule as clients write it (REST body, SDK call): spans and times as text, or numbers (ms). */
export interface ScheduleOptions {
  readonly orchestrationName?: string;
  readonly input?: unknown;
  /** `30s`, `15m`, `12h`, `1d`, `500ms`, or milliseconds. */
  readonly interval?: string | number;
  /** Five fields (minute precision) or six (seconds first), as croner reads them. */
  readonly cron?: string;
  readonly timeZone?: string;
  readonly startAt?: string | Date;
  readonly endAt?: string | Date;
  readonly catchupPolicy?: CatchupPolicy;
  readonly catchupWindow?: string | number;
}

/** The fields of a schedule to change; `null` removes an optional one. */
export type ScheduleUpdate = { readonly [K in keyof ScheduleOptions]?: ScheduleOptions[K] | null };

export const defaultCatchupWindowMs = 86_400_000;
export const minIntervalMs = 1000;
/** Ticks one catch-up operation starts at most; the rest follow in the next operation. */
export const maxStartsPerTick = 100;
const maxScheduleIdLength = 200;

const optionKeys = new Set<string>([
  'orchestrationName',
  'input',
  'interval',
  'cron',
  'timeZone',
  'startAt',
  'endAt',
  'catchupPolicy',
  'catchupWindow',
]);

/** Throws InvalidArgumentError unless `id` can name a schedule (an entity key and an instance id prefix). */
export function validateScheduleId(id: unknown): asserts id is string {
  const problem =
    typeof id !== 'string'
      ? 'it must be a string'
      : id.length > maxScheduleIdLength
        ? `it must be at most ${maxScheduleIdLength} characters`
        : (instanceIdProblem(id) ?? entityIdProblem('schedule', id));
  if (problem !== undefined) throw new InvalidArgumentError(`invalid schedule id: ${problem}`);
}

/** A whole spec from client options; InvalidArgumentError with the reason for anything wrong. */
export function parseScheduleOptions(raw: unknown): ScheduleSpec {
  const options = optionsObject(raw);
  if (options.orchestrationName === undefined)
    throw new InvalidArgumentError('a schedule needs an orchestrationName');
  return checkSpec(mergeSpec(undefined, options));
}

/** `spec` with the fields `raw` gives replaced (`null` removes an optional one); validated. */
export function updateScheduleSpec(spec: ScheduleSpec, raw: unknown): ScheduleSpec {
  return checkSpec(mergeSpec(spec, optionsObject(raw)));
}

function optionsObject(raw: unknown): Record<string, unknown> {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
    throw new InvalidArgumentError('a schedule must be a JSON object');
  const unknown = Object.keys(raw).filter((key) => !optionKeys.has(key));
  if (unknown.length > 0)
    throw new InvalidArgumentError(
      `unknown schedule field(s): ${unknown.join(', ')}; known: ${[...optionKeys].join(', ')}`,
    );
  return raw as Record<string, unknown>;
}

function mergeSpec(base: ScheduleSpec | undefined, o: Record<string, unknown>): ScheduleSpec {
  const spec: Record<string, unknown> = { ...base };
  const set = (key: string, value: unknown): void => {
    if (value === undefined) delete spec[key];
    else spec[key] = value;
  };
  if ('orchestrationName' in o) {
    const name = o['orchestrationName'];
    if (typeof name !== 'string' || name.trim() === '')
      throw new InvalidArgumentError('orchestrationName must be a non-empty string');
    set('orchestrationName', name);
  }
  if ('input' in o) set('input', o['input'] === null ? undefined : o['input']);
  // Giving one of interval and cron replaces the other.
  if ('interval' in o) {
    set('interval', o['interval'] === null ? undefined : spanMs('interval', o['interval']));
    if (o['interval'] !== null && !('cron' in o)) {
      set('cron', undefined);
      if (!('timeZone' in o)) set('timeZone', undefined);
    }
  }
  if ('cron' in o) {
    const cron = o['cron'];
    if (cron !== null && (typeof cron !== 'string' || cron.trim() === ''))
      throw new InvalidArgumentError('cron must be a non-empty string');
    set('cron', cron === null ? undefined : cron.trim());
    if (cron !== null && !('interval' in o)) set('interval', undefined);
  }
  if ('timeZone' in o) {
    const zone = o['timeZone'];
    if (zone !== null && (typeof zone !== 'string' || zone === ''))
      throw new InvalidArgumentError('timeZone must be an IANA time zone name');
    set('timeZone', zone ?? undefined);
  }
  if ('startAt' in o) set('startAt', o['startAt'] === null ? undefined : timeMs('startAt', o['startAt']));
  if ('endAt' in o) set('endAt', o['endAt'] === null ? undefined : timeMs('endAt', o['endAt']));
  if ('catchupPolicy' in o) {
    const policy = o['catchupPolicy'];
    if (policy !== CatchupPolicy.All && policy !== CatchupPolicy.Latest)
      throw new InvalidArgumentError(
        `catchupPolicy must be 'all' or 'latest', got ${JSON.stringify(policy)}`,
      );
    set('catchupPolicy', policy);
  }
  if ('catchupWindow' in o) set('catchupWindow', spanMs('catchupWindow', o['catchupWindow']));
  spec['catchupPolicy'] ??= CatchupPolicy.All;
  spec['catchupWindow'] ??= defaultCatchupWindowMs;
  return spec as unknown as ScheduleSpec;
}

function checkSpec(spec: ScheduleSpec): ScheduleSpec {
  if ((spec.interval === undefined) === (spec.cron === undefined))
    throw new InvalidArgumentError('a schedule needs exactly one of interval and cron');
  if (spec.interval !== undefined && spec.interval < minIntervalMs)
    throw new InvalidArgumentError(`interval must be at least ${minIntervalMs} ms`);
  if (spec.timeZone !== undefined && spec.cron === undefined)
    throw new InvalidArgumentError('timeZone applies to cron schedules only');
  if (spec.cron !== undefined) {
    try {
      cronOf(spec).nextRun(new Date(0));
    } catch (error) {
      throw new InvalidArgumentError(`invalid cron expression or time zone: ${(error as Error).message}`);
    }
  }
  if (spec.startAt !== undefined && spec.endAt !== undefined && spec.endAt <= spec.startAt)
    throw new InvalidArgumentError('endAt must be after startAt');
  if (spec.catchupWindow < minIntervalMs)
    throw new InvalidArgumentError(`catchupWindow must be at least ${minIntervalMs} ms`);
  return spec;
}

const unitMs = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

function spanMs(name: string, value: unknown): number {
  let ms = Number.NaN;
  if (typeof value === 'number') ms = value;
  else if (typeof value === 'string') {
    const match = /^(\d+)(ms|s|m|h|d)$/.exec(value.trim());
    if (match !== null) ms = Number(match[1]) * unitMs[match[2] as keyof typeof unitMs];
  }
  if (!Number.isSafeInteger(ms) || ms <= 0)
    throw new InvalidArgumentError(
      `${name} must be a positive span like 30s, 15m, 12h, 1d or 500ms, or milliseconds; got ${JSON.stringify(value)}`,
    );
  return ms;
}

function timeMs(name: string, value: unknown): number {
  const ms =
    value instanceof Date
      ? value.getTime()
      : typeof value === 'string' && /^\d{4}-\d{2}-\d{2}T/.test(value)
        ? Date.parse(value)
        : Number.NaN;
  if (!Number.isFinite(ms))
    throw new InvalidArgumentError(`${name} must be an ISO-8601 date-time, got ${JSON.stringify(value)}`);
  return ms;
}

function cronOf(spec: ScheduleSpec): Cron {
  return new Cron(spec.cron as string, { timezone: spec.timeZone ?? 'UTC', paused: true });
}

/** The first tick at or after `time`, within `startAt` (or `anchor`) and `endAt`; undefined when none is left. */
export function firstTickAtOrAfter(spec: ScheduleSpec, anchor: number, time: number): number | undefined {
  const from = Math.max(time, spec.startAt ?? anchor);
  let tick: number | undefined;
  if (spec.interval !== undefined) {
    const base = spec.startAt ?? anchor;
    tick = base + Math.ceil((from - base) / spec.interval) * spec.interval;
  } else {
    // croner's nextRun is strictly after its argument.
    tick = cronOf(spec)
      .nextRun(new Date(from - 1))
      ?.getTime();
  }
  return tick === undefined || (spec.endAt !== undefined && tick > spec.endAt) ? undefined : tick;
}

/** The last tick at or before `time` (not before `startAt` / `anchor`, not after `endAt`). */
export function lastTickAtOrBefore(spec: ScheduleSpec, anchor: number, time: number): number | undefined {
  const to = spec.endAt === undefined ? time : Math.min(time, spec.endAt);
  const base = spec.startAt ?? anchor;
  if (to < base) return undefined;
  if (spec.interval !== undefined) return base + Math.floor((to - base) / spec.interval) * spec.interval;
  const [previous] = cronOf(spec).previousRuns(1, new Date(to + 1));
  const tick = previous?.getTime();
  return tick === undefined || tick < base ? undefined : tick;
}

/** What one tick operation does: the ticks to start now, and the tick to wake for next. */
export interface TickPlan {
  readonly starts: readonly number[];
  /** At or before now when a catch-up continues at once; undefined when the schedule has ended. */
  readonly nextTick: number | undefined;
}

/**
 * The ticks due at `now`, from `nextTick` (the first not handled yet), by the catch-up policy: a
 * tick older than `catchupWindow` is skipped; `latest` starts only the most recent due tick.
 */
export function planTick(spec: ScheduleSpec, anchor: number, nextTick: number, now: number): TickPlan {
  if (nextTick > now) return { starts: [], nextTick };
  const oldest = Math.max(nextTick, now - spec.catchupWindow);
  if (spec.catchupPolicy === CatchupPolicy.Latest) {
    const latest = lastTickAtOrBefore(spec, anchor, now);
    return {
      starts: latest !== undefined && latest >= oldest ? [latest] : [],
      nextTick: firstTickAtOrAfter(spec, anchor, now + 1),
    };
  }
  const starts: number[] = [];
  let tick = firstTickAtOrAfter(spec, anchor, oldest);
  while (tick !== undefined && tick <= now && starts.length < maxStartsPerTick) {
    starts.push(tick);
    tick = firstTickAtOrAfter(spec, anchor, tick + 1);
  }
  return { starts, nextTick: tick };
}

/** The instance id of a tick's orchestration: one id per tick, so a start repeated for it is the same start. */
export function tickInstanceId(scheduleId: string, tick: number): string {
  return `${scheduleId}-${toTimestamp(tick)}`;
}
