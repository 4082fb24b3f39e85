// Exports spans over OTLP from a worker thread. The SDK's BatchSpanProcessor encodes every batch
// (protobuf or JSON) on the thread that runs orchestrations, which is the engine's one busy thread:
// here the main thread only copies each ended span into a plain record, and a worker thread owns
// the real OTLP exporter (encoding, HTTP or gRPC, retries), on another core.
import { Worker } from 'node:worker_threads';
import type { Attributes, Context } from '@opentelemetry/api';
import {
  RandomIdGenerator,
  type ReadableSpan,
  type Span,
  type SpanProcessor,
} from '@opentelemetry/sdk-trace';
import type { Resource } from '@opentelemetry/resources';
import {
  instrumentationScope,
  type FinishedSpanSink,
  type Outcome,
  type SpanFields as DurableSpan,
} from '@durable/telemetry';

/**
 * Ended spans as the worker receives them: one flat array of strings and numbers, fields in the
 * order `writeSpan` puts them. Copying it to the worker (structured clone) costs about half what a
 * graph of one object per span, with every attribute key repeated, costs the engine's thread.
 */
type SpanFields = unknown[];

// The worker: rebuilds what the OTLP transformer reads of a ReadableSpan and hands batches to the
// exporter for the configured protocol (which reads its OTEL_EXPORTER_OTLP_* settings itself). Plain
// JavaScript, so it runs the same from sources, a build or a test runner.
const workerSource = `
const { parentPort, workerData } = require('node:worker_threads');
const { OTLPTraceExporter } = require(workerData.exporterModule);
const exporter = new OTLPTraceExporter();
let resource = { attributes: {}, droppedAttributesCount: 0 };
let exporting = Promise.resolve();
// Reads back what writeSpan (below, in the main thread) wrote.
function readSpans(fields) {
  const spans = [];
  let i = 0;
  while (i < fields.length) {
    const name = fields[i++], kind = fields[i++], traceId = fields[i++], spanId = fields[i++];
    const traceFlags = fields[i++], parentSpanId = fields[i++], parentIsRemote = fields[i++];
    const startTime = [fields[i++], fields[i++]], endTime = [fields[i++], fields[i++]];
    const status = fields[i++] === 0 ? { code: 0 } : { code: fields[i - 1], message: fields[i++] };
    const scope = { name: fields[i++] };
    const version = fields[i++];
    if (version !== '') scope.version = version;
    const attributes = {};
    for (let n = fields[i++]; n > 0; n--) attributes[fields[i++]] = fields[i++];
    const extra = fields[i++];
    const more = extra === '' ? {} : extra;
    if (more.schemaUrl !== undefined) scope.schemaUrl = more.schemaUrl;
    spans.push({
      name, kind,
      spanContext: () => ({ traceId, spanId, traceFlags }),
      parentSpanContext: parentSpanId === '' ? undefined : { traceId, spanId: parentSpanId, traceFlags, isRemote: parentIsRemote },
      startTime, endTime, duration: [0, 0], ended: true,
      attributes, status,
      links: (more.links ?? []).map((l) => ({ context: { traceId: l.traceId, spanId: l.spanId, traceFlags: l.traceFlags, isRemote: true }, attributes: l.attributes })),
      events: more.events ?? [],
      droppedAttributesCount: more.dropped?.[0] ?? 0, droppedEventsCount: more.dropped?.[1] ?? 0, droppedLinksCount: more.dropped?.[2] ?? 0,
      resource, instrumentationScope: scope,
    });
  }
  return spans;
}
function exportBatch(spans) {
  return new Promise((resolve) => {
    exporter.export(spans, (result) => {
      parentPort.postMessage({ type: 'exported', spans: spans.length, ok: result.code === 0 });
      resolve();
    });
  });
}
parentPort.on('message', (message) => {
  if (message.type === 'spans') {
    if (message.resourceAttributes !== undefined)
      resource = { attributes: message.resourceAttributes, droppedAttributesCount: 0 };
    const spans = readSpans(message.spans);
    // One export at a time keeps batches in order and memory bounded by the sender's queue.
    exporting = exporting.then(() => exportBatch(spans));
  } else if (message.type === 'flush') {
    exporting.then(() => exporter.forceFlush()).then(() => parentPort.postMessage({ type: 'flushed', id: message.id }));
  } else if (message.type === 'shutdown') {
    exporting.then(() => exporter.shutdown()).then(() => parentPort.postMessage({ type: 'flushed', id: message.id }));
  }
});
`;

const exporterModules: Record<string, string> = {
  'http/protobuf': '@opentelemetry/exporter-trace-otlp-proto',
  'http/json': '@opentelemetry/exporter-trace-otlp-http',
  grpc: '@opentelemetry/exporter-trace-otlp-grpc',
};

export interface SpanExportThreadOptions {
  /** `http/protobuf` (default), `http/json` or `grpc`, as OTEL_EXPORTER_OTLP_TRACES_PROTOCOL says. */
  readonly protocol: string;
  /** Spans sent to the worker at once (OTEL_BSP_MAX_EXPORT_BATCH_SIZE). */
  readonly maxBatchSize: number;
  /** Spans waiting for export beyond which new ones are dropped (OTEL_BSP_MAX_QUEUE_SIZE). */
  readonly maxQueueSize: number;
  /** How long an ended span may wait for its batch to fill (OTEL_BSP_SCHEDULE_DELAY). */
  readonly scheduleDelayMillis: number;
}

/** The processor options from the standard OTEL_BSP_* and protocol variables. */
export function spanExportThreadOptions(env: NodeJS.ProcessEnv): SpanExportThreadOptions {
  const positive = (name: string, fallback: number): number => {
    const value = Number(env[name]);
    return Number.isFinite(value) && value > 0 ? value : fallback;
  };
  const protocol =
    env['OTEL_EXPORTER_OTLP_TRACES_PROTOCOL'] ?? env['OTEL_EXPORTER_OTLP_PROTOCOL'] ?? 'http/protobuf';
  return {
    protocol,
    maxBatchSize: positive('OTEL_BSP_MAX_EXPORT_BATCH_SIZE', 512),
    // Larger than the SDK's 2,048: one HelloSequence5 is 18 spans, and a busy partition ends
    // thousands of instances a second; a span waits here only until the worker thread took it.
    maxQueueSize: positive('OTEL_BSP_MAX_QUEUE_SIZE', 65_536),
    // Shorter than the SDK's 5 s, so that a trace shows up while the user is still looking.
    scheduleDelayMillis: positive('OTEL_BSP_SCHEDULE_DELAY', 1_000),
  };
}

/** Whether spans can go through the export thread: the protocol is one of OTLP's three. */
export function exportThreadSupports(protocol: string): boolean {
  return exporterModules[protocol] !== undefined;
}

/**
 * A span processor (for the SDK's tracer provider) that exports through a worker thread; also the
 * sink of Durable's finished spans (see `FinishedSpanSink`), which skip the SDK's span objects.
 */
export class SpanExportThread implements SpanProcessor, FinishedSpanSink {
  private readonly worker: Worker;
  private batch: SpanFields = [];
  private batchSpans = 0;
  /** Spans handed to the worker and not yet exported. */
  private inFlight = 0;
  private dropped = 0;
  private timer: NodeJS.Timeout | undefined;
  private nextRequest = 0;
  private readonly waiting = new Map<number, () => void>();
  private stopped = false;

  constructor(private readonly options: SpanExportThreadOptions) {
    const module = exporterModules[options.protocol];
    if (module === undefined) throw new Error(`unsupported OTLP protocol '${options.protocol}'`);
    this.worker = new Worker(workerSource, {
      eval: true,
      // The exporter reads its OTEL_EXPORTER_OTLP_* settings from this process's environment.
      env: process.env,
      workerData: { exporterModule: require.resolve(module) },
    });
    // Export must never keep an app alive, nor take it down.
    this.worker.unref();
    this.worker.on('message', (message: { type: string; spans?: number; id?: number }) => {
      if (message.type === 'exported') this.inFlight -= message.spans ?? 0;
      else if (message.type === 'flushed' && message.id !== undefined) {
        this.waiting.get(message.id)?.();
        this.waiting.delete(message.id);
      }
    });
    this.worker.on('error', (error) => {
      process.stderr.write(`span export thread failed: ${String(error)}\n`);
    });
  }

  /** Spans dropped because the export queue was full. */
  get droppedSpans(): number {
    return this.dropped;
  }

  onStart(span: Span, _parentContext: Context): void {
    // Finished spans written by `write` carry no resource of their own: they take the SDK's.
    this.sdkResource ??= span.resource;
  }

  onEnd(span: ReadableSpan): void {
    if (this.stopped || (span.spanContext().traceFlags & 1) === 0 || this.full()) return;
    this.sdkResource ??= span.resource;
    writeSpan(this.batch, span);
    this.added();
  }

  /** Set by the host (`always_on`), so that `write` keeps spans whose parent was not sampled. */
  ignoresParentSampling = false;

  write(
    span: DurableSpan & Outcome,
    traceId: string | undefined,
    parentSpanId: string | undefined,
    parentIsRemote: boolean,
  ): void {
    if (this.stopped || this.full()) return;
    writeFinishedSpan(
      this.batch,
      span,
      traceId ?? this.ids.generateTraceId(),
      span.spanId ?? this.ids.generateSpanId(),
      parentSpanId ?? '',
      parentIsRemote,
    );
    this.added();
  }

  private readonly ids = new RandomIdGenerator();
  private sdkResource: Resource | undefined;

  private full(): boolean {
    if (this.inFlight + this.batchSpans < this.options.maxQueueSize) return false;
    this.dropped++;
    return true;
  }

  private added(): void {
    this.batchSpans++;
    if (this.batchSpans >= this.options.maxBatchSize) this.send();
    else if (this.timer === undefined) {
      this.timer = setTimeout(() => this.send(), this.options.scheduleDelayMillis);
      this.timer.unref();
    }
  }

  private send(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.batchSpans === 0) return;
    const spans = this.batch;
    this.inFlight += this.batchSpans;
    this.batch = [];
    this.batchSpans = 0;
    this.worker.postMessage({ type: 'spans', spans, resourceAttributes: this.sdkResource?.attributes });
  }

  private request(type: 'flush' | 'shutdown'): Promise<void> {
    this.send();
    const id = this.nextRequest++;
    return new Promise<void>((resolve) => {
      this.waiting.set(id, resolve);
      this.worker.postMessage({ type, id });
    });
  }

  forceFlush(): Promise<void> {
    return this.request('flush');
  }

  async shutdown(): Promise<void> {
    if (this.stopped) return;
    await this.request('shutdown');
    this.stopped = true;
    await this.worker.terminate();
  }
}

/** Appends one ended span to a batch, in the order the worker's `readSpans` reads the fields. */
function writeSpan(fields: SpanFields, span: ReadableSpan): void {
  const context = span.spanContext();
  const parent = span.parentSpanContext;
  const scope = span.instrumentationScope;
  fields.push(
    span.name,
    span.kind,
    context.traceId,
    context.spanId,
    context.traceFlags,
    parent?.spanId ?? '',
    parent?.isRemote === true,
    span.startTime[0],
    span.startTime[1],
    span.endTime[0],
    span.endTime[1],
    span.status.code,
  );
  if (span.status.code !== 0) fields.push(span.status.message ?? '');
  fields.push(scope.name, scope.version ?? '');
  const keys = Object.keys(span.attributes);
  fields.push(keys.length);
  for (const key of keys) fields.push(key, span.attributes[key]);
  // What most spans lack travels as one object, or as an empty string.
  const dropped = span.droppedAttributesCount + span.droppedEventsCount + span.droppedLinksCount;
  if (span.links.length === 0 && span.events.length === 0 && dropped === 0 && scope.schemaUrl === undefined) {
    fields.push('');
    return;
  }
  fields.push({
    ...(span.links.length > 0
      ? {
          links: span.links.map((link) => ({
            traceId: link.context.traceId,
            spanId: link.context.spanId,
            traceFlags: link.context.traceFlags,
            attributes: link.attributes,
          })),
        }
      : {}),
    ...(span.events.length > 0 ? { events: span.events } : {}),
    ...(dropped > 0
      ? { dropped: [span.droppedAttributesCount, span.droppedEventsCount, span.droppedLinksCount] }
      : {}),
    ...(scope.schemaUrl !== undefined ? { schemaUrl: scope.schemaUrl } : {}),
  });
}

/** Epoch milliseconds as the [seconds, nanoseconds] pair the OTLP transformer reads. */
function hrTime(millis: number): [number, number] {
  const seconds = Math.floor(millis / 1000);
  return [seconds, Math.round((millis - seconds * 1000) * 1e6)];
}

/** Appends a span Durable emitted finished, in the same order as `writeSpan`. */
function writeFinishedSpan(
  fields: SpanFields,
  span: DurableSpan & Outcome,
  traceId: string,
  spanId: string,
  parentSpanId: string,
  parentIsRemote: boolean,
): void {
  const end = span.endTime ?? Date.now();
  const start = hrTime(span.startTime ?? end);
  const finish = hrTime(Math.max(end, span.startTime ?? end));
  fields.push(span.name, span.kind, traceId, spanId, 1, parentSpanId, parentIsRemote);
  fields.push(start[0], start[1], finish[0], finish[1]);
  if (span.error !== undefined) fields.push(2, span.error);
  else fields.push(1, '');
  fields.push(instrumentationScope, '');
  pushAttributes(fields, span.attributes);
  const links = span.links ?? [];
  if (links.length === 0) {
    fields.push('');
    return;
  }
  fields.push({
    links: links.map((link) => ({
      traceId: link.context.traceId,
      spanId: link.context.spanId,
      traceFlags: link.context.traceFlags,
      attributes: link.attributes ?? {},
    })),
  });
}

/** The count, then key and value pairs; values the SDK would drop (undefined, null) are left out. */
function pushAttributes(fields: SpanFields, attributes: Attributes | undefined): void {
  const at = fields.length;
  fields.push(0);
  if (attributes === undefined) return;
  let count = 0;
  for (const key in attributes) {
    const value = attributes[key];
    if (value === undefined || value === null) continue;
    fields.push(key, value);
    count++;
  }
  fields[at] = count;
}
