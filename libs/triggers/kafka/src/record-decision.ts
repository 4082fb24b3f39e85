import { parseTraceParent } from '@durable/telemetry';
import {
  DurableError,
  instanceIdProblem,
  InvalidArgumentError,
  OrchestratorNotRegisteredError,
  PayloadTooLargeError,
  payloadSize,
} from '@durable/core';

/** A header that names the instance to start; it wins over the record key. */
export const instanceIdHeader = 'durable-instance-id';

/** Headers added to a dead-lettered record (its own headers, key and value are kept). */
export const deadLetterHeader = {
  reason: 'durable-dlq-reason',
  error: 'durable-dlq-error',
  sourceTopic: 'durable-source-topic',
  sourcePartition: 'durable-source-partition',
  sourceOffset: 'durable-source-offset',
} as const;

// Shaped like kafkajs' IHeaders, so records and headers pass through unchanged.
type HeaderValue = Buffer | string | (Buffer | string)[] | undefined;
export type RecordHeaders = Record<string, HeaderValue>;

/** The parts of a Kafka record a trigger looks at (a kafkajs message fits). */
export interface TriggerRecord {
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  readonly headers?: RecordHeaders;
}

export interface DeadLetter {
  readonly kind: 'deadLetter';
  /** Human readable, for the `durable-dlq-reason` header. */
  readonly reason: string;
  /** The error's stable name, for the `durable-dlq-error` header. */
  readonly error: string;
}

export type RecordDecision =
  { readonly kind: 'start'; readonly instanceId: string; readonly input?: string } | DeadLetter;

export type FailureVerdict =
  { readonly kind: 'retry'; readonly reason: string; readonly retryAfterMs?: number } | DeadLetter;

export interface DecisionContext {
  /** The orchestration the record's topic is bound to. */
  readonly orchestration: string;
  readonly orchestrationNames: readonly string[];
  readonly maxPayloadBytes: number;
}

/**
 * What to do with one record: start its orchestration, or dead-letter it with the reason. Checks the
 * same things the instance client would, so a poison record never reaches it.
 */
export function decideRecord(record: TriggerRecord, context: DecisionContext): RecordDecision {
  if (!context.orchestrationNames.includes(context.orchestration))
    return deadLetterFor(new OrchestratorNotRegisteredError(context.orchestration));

  const { id, source } = chooseInstanceId(record);
  const idProblem = id === undefined ? 'it is not valid UTF-8' : instanceIdProblem(id);
  if (id === undefined || idProblem !== undefined)
    return deadLetterFor(new InvalidArgumentError(`invalid instance id from the ${source}: ${idProblem}`));

  const input = record.value === null ? '' : decodeUtf8(record.value);
  if (input === undefined) return deadLetterFor(new InvalidArgumentError('the value is not valid UTF-8'));
  const size = payloadSize(input);
  if (size > context.maxPayloadBytes)
    return deadLetterFor(new PayloadTooLargeError(size, context.maxPayloadBytes));
  if (input === '') return { kind: 'start', instanceId: id };
  try {
    JSON.parse(input);
  } catch (error) {
    return deadLetterFor(
      new InvalidArgumentError(`the value is not valid JSON: ${(error as Error).message}`),
    );
  }
  return { kind: 'start', instanceId: id, input };
}

export type InstanceIdSource = 'header' | 'key' | 'position';

/**
 * The `durable-instance-id` header if present (even empty: the sender asked for it), else the record
 * key (an empty key counts as none), else `<topic>-<partition>-<offset>`, which is stable across
 * redeliveries. `id` is undefined when the header or key is not UTF-8.
 */
export function chooseInstanceId(record: TriggerRecord): {
  id: string | undefined;
  source: InstanceIdSource;
} {
  const header = firstValue(record.headers?.[instanceIdHeader]);
  if (header !== undefined)
    return { id: typeof header === 'string' ? header : decodeUtf8(header), source: 'header' };
  if (record.key !== null && record.key.byteLength > 0) return { id: decodeUtf8(record.key), source: 'key' };
  return { id: `${record.topic}-${record.partition}-${record.offset}`, source: 'position' };
}

/**
 * The producer's W3C trace context (`traceparent`, `tracestate` headers), when the record carries a
 * valid one: the orchestration's trace then hangs under the producer's span.
 */
export function traceContextOfRecord(
  record: TriggerRecord,
): { traceParent: string; traceState?: string } | undefined {
  const text = (name: string) => {
    const value = firstValue(record.headers?.[name]);
    return value === undefined ? undefined : typeof value === 'string' ? value : decodeUtf8(value);
  };
  const traceParent = text('traceparent');
  if (parseTraceParent(traceParent) === undefined) return undefined;
  const traceState = text('tracestate');
  return { traceParent: traceParent as string, ...(traceState !== undefined ? { traceState } : {}) };
}

const networkErrorCodes = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENETDOWN',
  'EAI_AGAIN',
  'ENOTFOUND',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
]);

/**
 * Retry or dead-letter after a failed start. Durable errors say whether they are retriable; anything
 * else is retried when it (or a cause) declares `retriable: true` (kafkajs errors) or is a network
 * error, and dead-lettered otherwise: an unknown permanent failure must not stall the partition.
 */
export function classifyFailure(error: unknown): FailureVerdict {
  let current: unknown = error;
  for (let depth = 0; depth < 8 && typeof current === 'object' && current !== null; depth++) {
    const candidate = current as {
      retriable?: unknown;
      code?: unknown;
      retryAfterMs?: unknown;
      cause?: unknown;
    };
    const transient =
      candidate.retriable === true ||
      (typeof candidate.code === 'string' && networkErrorCodes.has(candidate.code));
    if (transient) {
      const retryAfterMs = typeof candidate.retryAfterMs === 'number' ? candidate.retryAfterMs : undefined;
      return {
        kind: 'retry',
        reason: describe(error),
        ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
      };
    }
    if (current instanceof DurableError) break;
    current = candidate.cause;
  }
  return deadLetterFor(error);
}

export interface RetryPolicy {
  readonly initialDelayMs: number;
  readonly maxDelayMs: number;
}

/** Exponential back-off for the n-th retry (from 1), at least the server's retry-after, capped. */
export function retryDelayMs(attempt: number, retryAfterMs: number | undefined, policy: RetryPolicy): number {
  const backoff = policy.initialDelayMs * 2 ** Math.min(Math.max(attempt - 1, 0), 30);
  return Math.min(policy.maxDelayMs, Math.max(backoff, retryAfterMs ?? 0));
}

/** The dead-letter record's headers: the original ones plus where it came from and why. */
export function deadLetterHeaders(record: TriggerRecord, deadLetter: DeadLetter): RecordHeaders {
  return {
    ...record.headers,
    [deadLetterHeader.reason]: deadLetter.reason,
    [deadLetterHeader.error]: deadLetter.error,
    [deadLetterHeader.sourceTopic]: record.topic,
    [deadLetterHeader.sourcePartition]: String(record.partition),
    [deadLetterHeader.sourceOffset]: record.offset,
  };
}

function deadLetterFor(error: unknown): DeadLetter {
  if (error instanceof Error)
    return { kind: 'deadLetter', reason: error.message || error.name, error: error.name };
  return { kind: 'deadLetter', reason: String(error), error: 'Error' };
}

function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

function firstValue(value: HeaderValue): Buffer | string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

function decodeUtf8(bytes: Buffer): string | undefined {
  try {
    return utf8.decode(bytes);
  } catch {
    return undefined;
  }
}
