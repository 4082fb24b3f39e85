import { InvalidArgumentError, type TaskFailedError } from '@durable/core';

/**
 * How a failed activity or sub-orchestration is retried. Waits between attempts are durable timers
 * in history, so a crash mid-backoff loses nothing and replay takes the same decisions.
 */
export interface RetryPolicy {
  /** Total attempts including the first; at least 1. */
  readonly maxAttempts: number;
  /** Wait before the second attempt, in milliseconds; more than 0. */
  readonly firstRetryIntervalMs: number;
  /** Each wait is the previous one times this; at least 1 (default 1). */
  readonly backoffCoefficient?: number;
  /** Upper bound of a single wait, in milliseconds. */
  readonly maxRetryIntervalMs?: number;
  /** No new attempt starts once this much time has passed since the first, in milliseconds. */
  readonly retryTimeoutMs?: number;
  /** Return false to stop retrying on this failure. Non-retriable failures are never retried. */
  readonly handle?: (failure: TaskFailedError) => boolean;
}

export function validateRetryPolicy(policy: RetryPolicy): void {
  const problems: string[] = [];
  if (!Number.isInteger(policy.maxAttempts) || policy.maxAttempts < 1)
    problems.push('maxAttempts must be an integer ≥ 1');
  if (!(policy.firstRetryIntervalMs > 0)) problems.push('firstRetryIntervalMs must be > 0');
  if (policy.backoffCoefficient !== undefined && !(policy.backoffCoefficient >= 1)) {
    problems.push('backoffCoefficient must be ≥ 1');
  }
  if (policy.maxRetryIntervalMs !== undefined && !(policy.maxRetryIntervalMs > 0)) {
    problems.push('maxRetryIntervalMs must be > 0');
  }
  if (policy.retryTimeoutMs !== undefined && !(policy.retryTimeoutMs >= 0))
    problems.push('retryTimeoutMs must be ≥ 0');
  if (problems.length > 0) throw new InvalidArgumentError(`invalid retry policy: ${problems.join('; ')}`);
}

/**
 * The wait before attempt `attempt + 1` after attempt `attempt` failed, or undefined to give up.
 * `elapsedMs` is the orchestration time since the first attempt was scheduled.
 */
export function nextRetryDelay(
  policy: RetryPolicy,
  attempt: number,
  failure: TaskFailedError,
  elapsedMs: number,
): number | undefined {
  if (attempt >= policy.maxAttempts) return undefined;
  if (failure.details.isNonRetriable === true) return undefined;
  if (policy.retryTimeoutMs !== undefined && elapsedMs >= policy.retryTimeoutMs) return undefined;
  if (policy.handle !== undefined && !policy.handle(failure)) return undefined;
  const delay = policy.firstRetryIntervalMs * Math.pow(policy.backoffCoefficient ?? 1, attempt - 1);
  return Math.min(delay, policy.maxRetryIntervalMs ?? Number.POSITIVE_INFINITY);
}
