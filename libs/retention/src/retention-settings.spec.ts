import { InvalidArgumentError } from '@durable/core';
import { formatSpan, parseSpan, retentionFromEnv } from './retention-settings';

describe('retentionFromEnv', () => {
  it('is off when no status has a retention', () => {
    expect(retentionFromEnv({})).toBeUndefined();
    expect(retentionFromEnv({ DURABLE_RETENTION: 'off', DURABLE_RETENTION_INTERVAL: '1m' })).toBeUndefined();
  });

  it('applies DURABLE_RETENTION to every finished status, overridden per status', () => {
    expect(
      retentionFromEnv({
        DURABLE_RETENTION: '30d',
        DURABLE_RETENTION_FAILED: '90d',
        DURABLE_RETENTION_CANCELED: 'off',
        DURABLE_RETENTION_INTERVAL: '90s',
        DURABLE_RETENTION_BATCH: '50',
      }),
    ).toEqual({
      policy: { Completed: 30 * 86_400_000, Failed: 90 * 86_400_000, Terminated: 30 * 86_400_000 },
      intervalMs: 90_000,
      maxPurgesPerSweep: 50,
    });
    expect(retentionFromEnv({ DURABLE_RETENTION_COMPLETED: '12h' })).toEqual({
      policy: { Completed: 12 * 3_600_000 },
      intervalMs: 300_000,
      maxPurgesPerSweep: 1000,
    });
  });

  it.each([
    [
      { DURABLE_RETENTION: '7 days' },
      "DURABLE_RETENTION must be a positive span like 30d, 12h, 15m, 90s or 500ms, got '7 days'",
    ],
    [{ DURABLE_RETENTION_FAILED: '0d' }, 'DURABLE_RETENTION_FAILED must be a positive span'],
    [{ DURABLE_RETENTION: '1d', DURABLE_RETENTION_INTERVAL: 'often' }, 'DURABLE_RETENTION_INTERVAL must be'],
    [
      { DURABLE_RETENTION: '1d', DURABLE_RETENTION_BATCH: '-3' },
      "DURABLE_RETENTION_BATCH must be a positive integer, got '-3'",
    ],
    [
      { DURABLE_RETENTION: '1d', DURABLE_RETENTION_BATCH: '2.5' },
      'DURABLE_RETENTION_BATCH must be a positive integer',
    ],
  ])('refuses %j, naming the setting', (env, message) => {
    expect(() => retentionFromEnv(env)).toThrow(InvalidArgumentError);
    expect(() => retentionFromEnv(env)).toThrow(message);
  });
});

describe('spans', () => {
  it.each([
    ['500ms', 500],
    ['90s', 90_000],
    ['15m', 900_000],
    ['12h', 43_200_000],
    ['7d', 604_800_000],
  ])('reads %s and shows it back', (text, ms) => {
    expect(parseSpan('X', text)).toBe(ms);
    expect(formatSpan(ms)).toBe(text);
  });
});
