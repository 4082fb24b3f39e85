import { ConflictError, InvalidArgumentError, UnavailableError } from '@durable/core';
import { cosmosCall, retryDelay, toPortError, type RetryOptions } from './cosmos-errors';

/** The shape of the SDK's ErrorResponse: the HTTP status in `code`. */
const cosmosError = (code: number, retryAfterInMs?: number) =>
  Object.assign(new Error(`status ${code}`), {
    code,
    ...(retryAfterInMs !== undefined ? { retryAfterInMs } : {}),
  });

const options: RetryOptions = {
  maxRetries: 3,
  initialDelayMs: 100,
  maxDelayMs: 1_000,
  maxRetryAfterMs: 60_000,
};

describe('retryDelay', () => {
  it('grows exponentially with jitter up to its cap when the server gave no retry-after', () => {
    expect(retryDelay(0, undefined, options, () => 0)).toBe(50);
    expect(retryDelay(0, undefined, options, () => 1)).toBe(100);
    expect(retryDelay(3, undefined, options, () => 1)).toBe(800);
    expect(retryDelay(10, undefined, options, () => 1)).toBe(1_000);
  });

  it('waits what the server asked for, beyond the back-off cap, up to maxRetryAfterMs', () => {
    expect(retryDelay(0, 400, options, () => 0)).toBe(400);
    expect(retryDelay(0, 8_000, options, () => 0)).toBe(8_000);
    expect(retryDelay(0, 60_000, options, () => 0)).toBe(60_000);
    expect(retryDelay(0, 3_600_000, options, () => 0)).toBe(60_000);
    expect(retryDelay(4, 10, options, () => 1)).toBe(1_000);
  });
});

describe('cosmosCall', () => {
  it('retries throttling and unavailability, waiting as the server asked', async () => {
    const waits: number[] = [];
    const failures = [cosmosError(429, 250), cosmosError(503), cosmosError(408), cosmosError(449)];
    const result = await cosmosCall(
      'thing',
      async () => {
        const failure = failures.shift();
        if (failure !== undefined) throw failure;
        return 'done';
      },
      { ...options, maxRetries: 4 },
      async (ms) => waits.push(ms),
    );
    expect(result).toBe('done');
    expect(waits).toHaveLength(4);
    expect(waits[0]).toBe(250);
  });

  it('gives up after the cap with a retriable UnavailableError carrying the last hint', async () => {
    let attempts = 0;
    const failure = await cosmosCall(
      'thing',
      async () => {
        attempts++;
        throw cosmosError(429, 70);
      },
      options,
      async () => undefined,
    ).catch((error: unknown) => error);
    expect(attempts).toBe(4);
    expect(failure).toBeInstanceOf(UnavailableError);
    expect((failure as UnavailableError).retryAfterMs).toBe(70);
    expect((failure as UnavailableError).retriable).toBe(true);
  });

  it('does not retry a conflict', async () => {
    let attempts = 0;
    await expect(
      cosmosCall(
        'instance a',
        async () => {
          attempts++;
          throw cosmosError(412);
        },
        options,
        async () => undefined,
      ),
    ).rejects.toBeInstanceOf(ConflictError);
    expect(attempts).toBe(1);
  });
});

describe('toPortError', () => {
  it('maps conditions, size, throttling and network failures to port errors', () => {
    expect(toPortError(cosmosError(409), 'instance a')).toBeInstanceOf(ConflictError);
    expect(toPortError(cosmosError(412), 'instance a')).toBeInstanceOf(ConflictError);
    expect(toPortError(cosmosError(413), 'instance a')).toBeInstanceOf(InvalidArgumentError);
    expect(toPortError(cosmosError(429), 'instance a')).toBeInstanceOf(UnavailableError);
    const refused = Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
    expect(toPortError(refused, 'instance a')).toBeInstanceOf(UnavailableError);
    const timedOut = Object.assign(new Error('Timeout Error!'), { code: 'TimeoutError' });
    expect(toPortError(timedOut, 'instance a')).toBeInstanceOf(UnavailableError);
  });

  it('passes port errors and unexpected errors through unchanged', () => {
    const conflict = new ConflictError('already mapped');
    expect(toPortError(conflict, 'x')).toBe(conflict);
    const notFound = cosmosError(404);
    expect(toPortError(notFound, 'x')).toBe(notFound);
  });
});
