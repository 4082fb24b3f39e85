import type { Container, OperationInput } from '@azure/cosmos';
import { ConflictError, UnavailableError } from '@durable/core';
import { maxBulkOperations, runBulk, type BulkOperation, type BulkOutcome, type ItemResult } from './bulk';
import type { RetryOptions } from './cosmos-errors';

const retry: RetryOptions = { maxRetries: 3, initialDelayMs: 10, maxDelayMs: 1_000, maxRetryAfterMs: 5_000 };

type Answer = {
  statusCode: number;
  subStatusCode?: number;
  eTag?: string;
  retryAfterMilliseconds?: number;
};

/** A container whose bulk requests `answer` decides, per operation id; it records every request. */
function fakeContainer(answer: (id: string, attempt: number) => Answer | 'throw') {
  const requests: string[][] = [];
  const attempts = new Map<string, number>();
  const concurrency = { now: 0, max: 0 };
  const container = {
    items: {
      bulk: async (operations: OperationInput[]) => {
        const ids = operations.map((op) => ('id' in op ? op.id : String(op.resourceBody['id'])));
        requests.push(ids);
        concurrency.max = Math.max(concurrency.max, ++concurrency.now);
        await new Promise((resolve) => setImmediate(resolve));
        concurrency.now--;
        const answers = ids.map((id) => {
          const attempt = attempts.get(id) ?? 0;
          attempts.set(id, attempt + 1);
          return answer(id, attempt);
        });
        if (answers.includes('throw')) throw new Error('Bulk request errored with: socket hang up');
        return answers.map((a) => ({ requestCharge: 1, ...(a as Answer) }));
      },
    },
  } as unknown as Container;
  return { container, requests, concurrency };
}

const operation = (id: string, single?: () => Promise<ItemResult>): BulkOperation => ({
  input: { operationType: 'Replace', id, partitionKey: id, resourceBody: { id }, ifMatch: 'e' },
  what: `instance '${id}'`,
  single: single ?? (async () => ({ statusCode: 200, etag: `single-${id}` })),
});

const ids = (count: number) => Array.from({ length: count }, (_, i) => `i${i}`);

describe('runBulk', () => {
  it('sends at most 100 operations per request, concurrently, and keeps the order of outcomes', async () => {
    const { container, requests } = fakeContainer((id) => ({ statusCode: 200, eTag: `etag-${id}` }));
    const outcomes = await runBulk(
      container,
      ids(250).map((id) => operation(id)),
      retry,
    );
    expect(requests.map((r) => r.length)).toEqual([maxBulkOperations, maxBulkOperations, 50]);
    expect(outcomes.map((o) => (o.ok ? o.etag : undefined))).toEqual(ids(250).map((id) => `etag-${id}`));
  });

  it('maps failures per operation like single requests: 412 and 409 conflict, the rest succeed', async () => {
    const { container } = fakeContainer((id) =>
      id === 'i1' ? { statusCode: 412 } : id === 'i3' ? { statusCode: 409 } : { statusCode: 201, eTag: id },
    );
    const outcomes = await runBulk(
      container,
      ids(5).map((id) => operation(id)),
      retry,
    );
    expect(outcomes.map((o) => o.ok)).toEqual([true, false, true, false, true]);
    const failed = outcomes.filter((o): o is Extract<BulkOutcome, { ok: false }> => !o.ok);
    expect(failed.map((o) => o.error)).toEqual([expect.any(ConflictError), expect.any(ConflictError)]);
    expect(failed.map((o) => o.statusCode)).toEqual([412, 409]);
  });

  it('sends throttled operations again, alone, after the largest wait the server asked for', async () => {
    const { container, requests } = fakeContainer((id, attempt) =>
      attempt === 0 && id === 'i2'
        ? { statusCode: 429, retryAfterMilliseconds: 300 }
        : attempt === 0 && id === 'i4'
          ? { statusCode: 503, retryAfterMilliseconds: 120 }
          : { statusCode: 200, eTag: `${id}-${attempt}` },
    );
    const waits: number[] = [];
    const outcomes = await runBulk(
      container,
      ids(6).map((id) => operation(id)),
      retry,
      async (ms) => waits.push(ms),
    );
    expect(waits).toEqual([300]);
    expect(requests).toEqual([ids(6), ['i2', 'i4']]);
    expect(outcomes.map((o) => (o.ok ? o.etag : undefined))).toEqual([
      'i0-0',
      'i1-0',
      'i2-1',
      'i3-0',
      'i4-1',
      'i5-0',
    ]);
  });

  it('sends operations left undone by a full response (413/3402) again at once', async () => {
    const { container, requests } = fakeContainer((id, attempt) =>
      attempt === 0 && id >= 'i3' ? { statusCode: 413, subStatusCode: 3402 } : { statusCode: 200, eTag: id },
    );
    const waits: number[] = [];
    const outcomes = await runBulk(
      container,
      ids(5).map((id) => operation(id)),
      retry,
      async (ms) => waits.push(ms),
    );
    expect(requests).toEqual([ids(5), ['i3', 'i4']]);
    expect(waits).toEqual([]);
    expect(outcomes.every((o) => o.ok)).toBe(true);
  });

  it('fails operations still throttled after the retry cap with a retriable UnavailableError', async () => {
    const { container, requests } = fakeContainer((id) =>
      id === 'i0' ? { statusCode: 429, retryAfterMilliseconds: 20 } : { statusCode: 200, eTag: id },
    );
    const outcomes = await runBulk(
      container,
      ids(3).map((id) => operation(id)),
      retry,
      async () => undefined,
    );
    expect(requests).toHaveLength(retry.maxRetries + 1);
    const [first, ...rest] = outcomes;
    expect(first?.ok).toBe(false);
    const error = (first as Extract<BulkOutcome, { ok: false }>).error;
    expect(error).toBeInstanceOf(UnavailableError);
    expect((error as UnavailableError).retriable).toBe(true);
    expect((error as UnavailableError).retryAfterMs).toBe(20);
    expect(rest.every((o) => o.ok)).toBe(true);
  });

  it('falls back to single requests when a whole bulk request fails, so their errors map exactly', async () => {
    const { container, requests } = fakeContainer((id) => (id === 'i150' ? 'throw' : { statusCode: 200 }));
    const singles: string[] = [];
    const outcomes = await runBulk(
      container,
      ids(160).map((id) =>
        operation(id, async () => {
          singles.push(id);
          if (id === 'i155') throw Object.assign(new Error('precondition failed'), { code: 412 });
          return { statusCode: 200, etag: `single-${id}` };
        }),
      ),
      retry,
    );
    expect(requests.map((r) => r.length)).toEqual([100, 60]);
    // Only the operations of the failed request are sent again, one by one.
    expect(singles).toEqual(ids(160).slice(100));
    expect(outcomes.slice(0, 100).every((o) => o.ok)).toBe(true);
    expect(outcomes[150]).toMatchObject({ ok: true, etag: 'single-i150' });
    expect(outcomes[155]).toMatchObject({ ok: false, error: expect.any(ConflictError) });
  });

  it('sends one operation alone as a single request', async () => {
    const { container, requests } = fakeContainer(() => ({ statusCode: 200 }));
    const outcomes = await runBulk(container, [operation('only')], retry);
    expect(requests).toEqual([]);
    expect(outcomes).toEqual([{ ok: true, statusCode: 200, etag: 'single-only' }]);
  });
});
