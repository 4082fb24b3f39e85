// Many item operations in few requests: Cosmos DB bulk (non-atomic, per-operation status codes),
// with the same retries and error mapping as single requests, and reads issued in the same
// event-loop turn coalesced into one bulk request.
import { setTimeout as delay } from 'node:timers/promises';
import type { Container, JSONObject, OperationInput, OperationResponse } from '@azure/cosmos';
import { UnavailableError } from '@durable/core';
import { durableMetrics, MetricAttr } from '@durable/telemetry';
import {
  cosmosCall,
  isRetriableStatus,
  recordCharge,
  retryDelay,
  statusOf,
  toPortError,
  type RetryOptions,
} from './cosmos-errors';

/** The most operations Cosmos DB accepts in one bulk request. */
export const maxBulkOperations = 100;

/** What a single request for one item answered, in the shape of a bulk operation's response. */
export interface ItemResult {
  readonly statusCode: number;
  readonly etag?: string | undefined;
  readonly body?: JSONObject | undefined;
}

export interface BulkOperation {
  readonly input: OperationInput;
  /** Names the item in error messages. */
  readonly what: string;
  /**
   * The same operation as one request of its own, for when a whole bulk request fails: the SDK does
   * not keep that failure's status, so the single request finds out what it was (and is retried or
   * mapped exactly like any single request). Reads answer 404 with a result, not an error.
   */
  readonly single: () => Promise<ItemResult>;
}

export type BulkOutcome =
  | ({ readonly ok: true } & ItemResult)
  | { readonly ok: false; readonly statusCode: number | undefined; readonly error: unknown };

/** A failed operation's status, with what `statusOf`, `retryAfterOf` and `toPortError` look for. */
class OperationFailed extends Error {
  constructor(
    readonly code: number,
    readonly substatus: number | undefined,
    readonly retryAfterInMs: number | undefined,
  ) {
    super(`the operation failed with status ${code}${substatus !== undefined ? `/${substatus}` : ''}`);
  }
}

/** Per-operation fields of a bulk response that the SDK does not declare. */
interface RawOperationResponse extends OperationResponse {
  readonly subStatusCode?: number;
  readonly retryAfterMilliseconds?: number;
}

/**
 * Runs the operations (any number) in bulk requests of at most 100, sent concurrently. Operations
 * answered 408/429/449/503 are sent again after a back-off that honours the largest retry-after the
 * server asked for (those left undone because the response grew too large, at once); after
 * `retry.maxRetries` rounds they fail with UnavailableError. Other failures
 * are mapped like single requests (409/412: ConflictError, …). One operation alone is sent as a
 * single request. Outcomes are in the order of `operations`; this never throws.
 */
export async function runBulk(
  container: Container,
  operations: readonly BulkOperation[],
  retry: RetryOptions,
  sleep: (ms: number) => Promise<unknown> = delay,
): Promise<BulkOutcome[]> {
  if (operations.length === 0) return [];
  if (operations.length === 1) return [await runSingle(operations[0] as BulkOperation, retry, sleep)];
  const outcomes = new Array<BulkOutcome | undefined>(operations.length);
  let pending = operations.map((_, i) => i);
  for (let attempt = 0; pending.length > 0; attempt++) {
    const again: number[] = [];
    let throttled = false;
    let retryAfterMs: number | undefined;
    let lastStatus = 0;
    await Promise.all(
      groups(pending, maxBulkOperations).map(async (group) => {
        let responses: readonly RawOperationResponse[];
        try {
          // `bulk` is deprecated in favour of `executeBulkOperations`, which waits for a 1 s timer
          // before it sends a batch of fewer than 100 operations and serialises batches per
          // partition key range: far too slow for a commit.
          responses = await container.items.bulk(
            group.map((i) => (operations[i] as BulkOperation).input),
            { continueOnError: true },
          );
        } catch {
          // The request as a whole failed, and the SDK dropped its status: find out per operation.
          await Promise.all(
            group.map(async (i) => {
              outcomes[i] = await runSingle(operations[i] as BulkOperation, retry, sleep);
            }),
          );
          return;
        }
        group.forEach((i, k) => {
          const operation = operations[i] as BulkOperation;
          const response = responses[k];
          recordCharge(response);
          if (response !== undefined && isRetriableStatus(response.statusCode))
            durableMetrics().storeThrottles.add(1, { [MetricAttr.Status]: response.statusCode });
          if (response === undefined) {
            outcomes[i] = {
              ok: false,
              statusCode: undefined,
              error: new UnavailableError(`${operation.what}: Cosmos DB did not answer this operation`),
            };
          } else if (responseTooLarge(response)) {
            // Not done: the server stopped before it, as the response had grown too large.
            again.push(i);
            lastStatus = response.statusCode;
          } else if (isRetriableStatus(response.statusCode)) {
            again.push(i);
            throttled = true;
            lastStatus = response.statusCode;
            const asked = response.retryAfterMilliseconds;
            if (typeof asked === 'number' && Number.isFinite(asked) && asked >= 0) {
              retryAfterMs = Math.max(retryAfterMs ?? 0, asked);
            }
          } else {
            outcomes[i] = outcomeOf(response, operation.what);
          }
        });
      }),
    );
    if (again.length === 0) break;
    if (attempt >= retry.maxRetries) {
      for (const i of again) {
        outcomes[i] = {
          ok: false,
          statusCode: lastStatus,
          error: new UnavailableError(
            `${(operations[i] as BulkOperation).what}: Cosmos DB still answered ${lastStatus} after ${attempt + 1} attempts`,
            retryAfterMs,
          ),
        };
      }
      break;
    }
    if (throttled) await sleep(retryDelay(attempt, retryAfterMs, retry));
    pending = again;
  }
  return outcomes.map(
    (outcome) =>
      outcome ?? { ok: false, statusCode: undefined, error: new Error('bulk operation without an outcome') },
  );
}

async function runSingle(
  operation: BulkOperation,
  retry: RetryOptions,
  sleep: (ms: number) => Promise<unknown>,
): Promise<BulkOutcome> {
  try {
    const result = await cosmosCall(operation.what, operation.single, retry, sleep);
    if (result.statusCode >= 200 && result.statusCode < 300) return { ok: true, ...result };
    const error = toPortError(new OperationFailed(result.statusCode, undefined, undefined), operation.what);
    return { ok: false, statusCode: result.statusCode, error };
  } catch (error) {
    const cause = (error as { cause?: unknown } | null)?.cause;
    return { ok: false, statusCode: statusOf(error) ?? statusOf(cause), error };
  }
}

/** 413 with sub-status 3402: the operations the server left undone once the response was full. */
function responseTooLarge(response: RawOperationResponse): boolean {
  return response.statusCode === 413 && response.subStatusCode === 3402;
}

function outcomeOf(response: RawOperationResponse, what: string): BulkOutcome {
  const { statusCode } = response;
  if (statusCode >= 200 && statusCode < 300) {
    const body = response.resourceBody;
    const etag = response.eTag ?? (typeof body?.['_etag'] === 'string' ? body['_etag'] : undefined);
    return { ok: true, statusCode, etag, body };
  }
  const failed = new OperationFailed(statusCode, response.subStatusCode, response.retryAfterMilliseconds);
  return { ok: false, statusCode, error: toPortError(failed, what) };
}

function groups<T>(items: readonly T[], size: number): T[][] {
  const result: T[][] = [];
  for (let i = 0; i < items.length; i += size) result.push(items.slice(i, i + size));
  return result;
}

interface PendingRead {
  readonly id: string;
  readonly partitionKey: string;
  readonly what: string;
  readonly waiters: Array<{
    resolve: (body: JSONObject | undefined) => void;
    reject: (error: unknown) => void;
  }>;
}

/**
 * Point reads of one container, coalesced: the reads asked for in the same event-loop turn go out
 * together at its end, as one bulk request per 100 (one alone stays a plain point read). Every read
 * is sent after it was asked for, so it sees every write that completed before: the same guarantee
 * as a point read. Asking twice for one item in a turn sends one read.
 */
export class ReadCoalescer {
  private pending = new Map<string, PendingRead>();

  constructor(
    private readonly container: Container,
    private readonly retry: RetryOptions,
  ) {}

  /** The item's body (with `_etag`), or undefined when there is none. */
  read(id: string, partitionKey: string, what: string): Promise<JSONObject | undefined> {
    return new Promise((resolve, reject) => {
      if (this.pending.size === 0) setImmediate(() => void this.flush());
      const key = JSON.stringify([partitionKey, id]);
      let entry = this.pending.get(key);
      if (entry === undefined) {
        entry = { id, partitionKey, what, waiters: [] };
        this.pending.set(key, entry);
      }
      entry.waiters.push({ resolve, reject });
    });
  }

  private async flush(): Promise<void> {
    const reads = [...this.pending.values()];
    this.pending = new Map();
    try {
      await this.send(reads);
    } catch (error) {
      for (const read of reads) for (const waiter of read.waiters) waiter.reject(error);
    }
  }

  private async send(reads: readonly PendingRead[]): Promise<void> {
    const outcomes = await runBulk(
      this.container,
      reads.map(({ id, partitionKey, what }) => ({
        input: { operationType: 'Read', id, partitionKey },
        what,
        single: async () => {
          const response = await this.container.item(id, partitionKey).read<JSONObject>();
          return { statusCode: response.statusCode, etag: response.etag, body: response.resource };
        },
      })),
      this.retry,
    );
    reads.forEach((read, i) => {
      const outcome = outcomes[i] as BulkOutcome;
      read.waiters.forEach((waiter, k) => {
        // Each caller gets a document of its own, as from a read of its own.
        if (outcome.ok)
          waiter.resolve(
            k === 0 || outcome.body === undefined ? outcome.body : structuredClone(outcome.body),
          );
        else if (outcome.statusCode === 404) waiter.resolve(undefined);
        else waiter.reject(outcome.error);
      });
    });
  }
}
