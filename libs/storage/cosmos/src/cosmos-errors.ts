// The one place where Cosmos DB errors become port errors, and where throttling is retried.
import { setTimeout as delay } from 'node:timers/promises';
import { ConflictError, DurableError, InvalidArgumentError, UnavailableError } from '@durable/core';
import { durableMetrics, MetricAttr } from '@durable/telemetry';

export interface RetryOptions {
  /** Retries after the first attempt; then the operation fails with UnavailableError. */
  readonly maxRetries: number;
  readonly initialDelayMs: number;
  /** Longest back-off of our own (when the server gave no retry-after). */
  readonly maxDelayMs: number;
  /**
   * Longest wait the server's retry-after is honoured up to: a throttled account may ask for many
   * seconds, and retrying sooner only burns request units and attempts.
   */
  readonly maxRetryAfterMs: number;
}

export const defaultRetryOptions: RetryOptions = {
  maxRetries: 9,
  initialDelayMs: 50,
  maxDelayMs: 5_000,
  maxRetryAfterMs: 60_000,
};

/** Throttled (429), retry-with (449), timed out (408), unavailable (503): the server did not do it, try again. */
const retriableStatuses = new Set([408, 429, 449, 503]);

export function isRetriableStatus(status: number | undefined): boolean {
  return status !== undefined && retriableStatuses.has(status);
}

/** Failures to reach the server at all. */
const networkCodes = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
  'ENOTFOUND',
  'REQUEST_SEND_ERROR',
  'TimeoutError',
]);

/** The HTTP status of a Cosmos DB error response (the SDK puts it in `code`), if it is one. */
export function statusOf(error: unknown): number | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'number' ? code : undefined;
}

export function isNotFound(error: unknown): boolean {
  return statusOf(error) === 404;
}

/** How long the server asked us to wait (`x-ms-retry-after-ms`), if it did. */
export function retryAfterOf(error: unknown): number | undefined {
  const value = (error as { retryAfterInMs?: unknown } | null)?.retryAfterInMs;
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 ? value : undefined;
}

/**
 * The wait before retry number `attempt + 1`: exponential with jitter up to `maxDelayMs`, and at
 * least what the server asked for, up to `maxRetryAfterMs`.
 */
export function retryDelay(
  attempt: number,
  retryAfterMs: number | undefined,
  options: RetryOptions,
  random: () => number = Math.random,
): number {
  const backoff = Math.min(options.maxDelayMs, options.initialDelayMs * 2 ** attempt);
  const jittered = backoff / 2 + (random() * backoff) / 2;
  if (retryAfterMs === undefined) return jittered;
  return Math.min(options.maxRetryAfterMs, Math.max(retryAfterMs, jittered));
}

/**
 * Runs one Cosmos DB operation: retries throttling and brief unavailability with back-off, then
 * maps whatever it still fails with to a port error (`context` names the thing, for messages).
 */
export async function cosmosCall<T>(
  context: string,
  operation: () => Promise<T>,
  options: RetryOptions,
  sleep: (ms: number) => Promise<unknown> = delay,
): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      const result = await operation();
      recordCharge(result);
      return result;
    } catch (error) {
      const status = statusOf(error);
      if (status === undefined || !retriableStatuses.has(status)) throw toPortError(error, context);
      durableMetrics().storeThrottles.add(1, { [MetricAttr.Status]: status });
      const retryAfterMs = retryAfterOf(error);
      if (attempt >= options.maxRetries) {
        throw new UnavailableError(
          `${context}: Cosmos DB still answered ${status} after ${attempt + 1} attempts`,
          retryAfterMs,
          { cause: error },
        );
      }
      await sleep(retryDelay(attempt, retryAfterMs, options));
    }
  }
}

/**
 * Counts a response's request units (`x-ms-request-charge`, what an Azure account pays for): the SDK's
 * item, feed and bulk responses carry it as `requestCharge`.
 */
export function recordCharge(response: unknown): void {
  const charge = (response as { requestCharge?: unknown } | null)?.requestCharge;
  if (typeof charge !== 'number' || !Number.isFinite(charge)) return;
  const metrics = durableMetrics();
  metrics.storeRequests.add(1);
  metrics.storeRequestCharge.add(charge);
}

/** Maps a Cosmos DB or network error to a port error; anything unexpected passes through unchanged. */
export function toPortError(error: unknown, context: string): unknown {
  if (error instanceof DurableError) return error;
  const status = statusOf(error);
  if (status === 409) return new ConflictError(`${context} already exists`, { cause: error });
  if (status === 412)
    return new ConflictError(`${context} changed since the expected etag`, { cause: error });
  if (status === 413) {
    return new InvalidArgumentError(`${context} is larger than Cosmos DB accepts`, { cause: error });
  }
  if (status !== undefined && retriableStatuses.has(status)) {
    return new UnavailableError(`${context}: Cosmos DB answered ${status}`, retryAfterOf(error), {
      cause: error,
    });
  }
  const code = (error as { code?: unknown; name?: unknown } | null)?.code;
  const name = (error as { name?: unknown } | null)?.name;
  if ((typeof code === 'string' && networkCodes.has(code)) || name === 'TimeoutError') {
    return new UnavailableError(`${context}: Cosmos DB is unreachable (${String(code ?? name)})`, undefined, {
      cause: error,
    });
  }
  return error;
}
