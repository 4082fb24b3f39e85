import { InvalidArgumentError, RuntimeStatus } from '@durable/core';

/** The statuses retention applies to: an instance in one of them will not run again by itself. */
export const retainedStatuses = [
  RuntimeStatus.Completed,
  RuntimeStatus.Failed,
  RuntimeStatus.Terminated,
  RuntimeStatus.Canceled,
] as const;
export type RetainedStatus = (typeof retainedStatuses)[number];

/** How long a finished instance is kept, in ms, per status; a status without one is kept forever. */
export type RetentionPolicy = Readonly<Partial<Record<RetainedStatus, number>>>;

export interface RetentionSettings {
  readonly policy: RetentionPolicy;
  /** Time between two sweeps. */
  readonly intervalMs: number;
  /** At most this many instances purged per sweep, so a backlog drains over several sweeps. */
  readonly maxPurgesPerSweep: number;
}

const unitMs = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;
const span = /^(\d+)(ms|s|m|h|d)$/;

/** `30d`, `12h`, `15m`, `90s`, `500ms` as milliseconds; anything else is an InvalidArgumentError. */
export function parseSpan(name: string, value: string): number {
  const match = span.exec(value.trim());
  const ms = match === null ? NaN : Number(match[1]) * unitMs[match[2] as keyof typeof unitMs];
  if (!Number.isSafeInteger(ms) || ms <= 0)
    throw new InvalidArgumentError(
      `${name} must be a positive span like 30d, 12h, 15m, 90s or 500ms, got '${value}'`,
    );
  return ms;
}

/** `7d` style, the largest unit that divides the span: how settings are shown back. */
export function formatSpan(ms: number): string {
  for (const unit of ['d', 'h', 'm', 's'] as const)
    if (ms % unitMs[unit] === 0) return `${ms / unitMs[unit]}${unit}`;
  return `${ms}ms`;
}

type Env = Readonly<Record<string, string | undefined>>;

const given = (env: Env, name: string): string | undefined => {
  const value = env[name];
  return value === undefined || value.trim() === '' ? undefined : value;
};

/**
 * Retention from the environment: `DURABLE_RETENTION` for every finished status, overridden per
 * status by `DURABLE_RETENTION_COMPLETED`, `_FAILED`, `_TERMINATED`, `_CANCELED`; `off` keeps that
 * status forever. `DURABLE_RETENTION_INTERVAL` (default 5m) and `DURABLE_RETENTION_BATCH` (default
 * 1000) bound the load a sweep adds. Undefined when no status has a retention.
 */
export function retentionFromEnv(env: Env): RetentionSettings | undefined {
  const all = given(env, 'DURABLE_RETENTION');
  const policy: Partial<Record<RetainedStatus, number>> = {};
  for (const status of retainedStatuses) {
    const name = `DURABLE_RETENTION_${status.toUpperCase()}`;
    const own = given(env, name);
    const value = own ?? all;
    if (value === undefined || value.trim() === 'off') continue;
    policy[status] = parseSpan(own !== undefined ? name : 'DURABLE_RETENTION', value);
  }
  if (Object.keys(policy).length === 0) return undefined;
  const interval = given(env, 'DURABLE_RETENTION_INTERVAL');
  const batch = given(env, 'DURABLE_RETENTION_BATCH');
  const maxPurgesPerSweep = batch === undefined ? 1000 : Number(batch);
  if (!/^\d+$/.test(batch ?? '1') || !Number.isSafeInteger(maxPurgesPerSweep) || maxPurgesPerSweep < 1)
    throw new InvalidArgumentError(`DURABLE_RETENTION_BATCH must be a positive integer, got '${batch}'`);
  return {
    policy,
    intervalMs: interval === undefined ? 5 * 60_000 : parseSpan('DURABLE_RETENTION_INTERVAL', interval),
    maxPurgesPerSweep,
  };
}
