import {
  context,
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  trace,
  TraceFlags,
  type Attributes,
  type Context,
  type Link,
  type Span,
  type SpanContext,
  type SpanOptions,
  type Tracer,
} from '@opentelemetry/api';
import { instrumentationScope } from './names';
import {
  formatTraceParent,
  parseTraceParent,
  type ParsedTraceParent,
  type TraceContext,
} from './trace-context';

export { SpanKind };

let enabled = false;
let cachedTracer: Tracer | undefined;

/**
 * Turns Durable's spans on. The host calls it once it registered a tracer provider; until then
 * every helper here returns at once, so tracing off costs a boolean test.
 */
export function enableTracing(on = true): void {
  enabled = on;
  // The provider may have changed (a host that stopped and started again): ask for the tracer anew.
  cachedTracer = undefined;
}

export function tracingEnabled(): boolean {
  return enabled;
}

function tracer(): Tracer {
  cachedTracer ??= trace.getTracer(instrumentationScope);
  return cachedTracer;
}

// The SDK asks its id generator for a span's ids while `startSpan` runs, synchronously: the host
// installs `PresetIdGenerator`, which hands out these ids when set, random ones otherwise.
let presetSpanId: string | undefined;
let presetTraceId: string | undefined;

/** What the SDK's `IdGenerator` interface needs; `fallback` is the SDK's random generator. */
export class PresetIdGenerator {
  constructor(private readonly fallback: { generateTraceId(): string; generateSpanId(): string }) {}

  generateTraceId(): string {
    return presetTraceId ?? this.fallback.generateTraceId();
  }

  generateSpanId(): string {
    return presetSpanId ?? this.fallback.generateSpanId();
  }
}

// Every span of an instance names the same few parents (its lifetime span, mostly): parsing each
// traceparent once, not once per span, keeps that off the engine's hot path. Cleared when full.
const carriedContexts = new Map<string, Context>();
const carriedContextsMax = 4_096;

/** The OpenTelemetry context of a carried trace context (remote parent), or the root context. */
export function contextOf(carried: TraceContext | string | undefined): Context {
  const value = typeof carried === 'string' ? carried : carried?.traceParent;
  if (value === undefined) return ROOT_CONTEXT;
  const cached = carriedContexts.get(value);
  if (cached !== undefined) return cached;
  const parsed = parseTraceParent(value);
  if (parsed === undefined) return ROOT_CONTEXT;
  const spanContext: SpanContext = {
    traceId: parsed.traceId,
    spanId: parsed.spanId,
    traceFlags: parseInt(parsed.flags, 16) & TraceFlags.SAMPLED,
    isRemote: true,
  };
  const result = trace.setSpanContext(ROOT_CONTEXT, spanContext);
  if (carriedContexts.size >= carriedContextsMax) carriedContexts.clear();
  carriedContexts.set(value, result);
  return result;
}

/** The `traceparent` of a span (or of the active one), to carry in a message. */
export function traceParentOf(span: Span | undefined = trace.getActiveSpan()): string | undefined {
  const ctx = span?.spanContext();
  if (ctx === undefined || !trace.isSpanContextValid(ctx)) return undefined;
  return formatTraceParent(ctx.traceId, ctx.spanId, (ctx.traceFlags & 1) === 1 ? '01' : '00');
}

export interface SpanFields {
  readonly name: string;
  readonly kind: SpanKind;
  /** The parent: a carried context, or an OpenTelemetry context (default: the active one). */
  readonly parent?: TraceContext | string | Context;
  readonly attributes?: Attributes;
  /** Epoch ms. */
  readonly startTime?: number;
  /** Fixed ids (see `deriveSpanId`), so that children elsewhere can name this span as parent. */
  readonly spanId?: string;
  /** For a root span with a fixed id: its trace id. */
  readonly traceId?: string;
  readonly links?: readonly Link[];
}

/** Starts a span (ended by the caller); a non-recording one when tracing is off. */
export function startSpan(fields: SpanFields): Span {
  if (!enabled) return trace.wrapSpanContext({ traceId: '', spanId: '', traceFlags: 0 });
  const parent =
    fields.traceId !== undefined
      ? ROOT_CONTEXT
      : fields.parent === undefined
        ? context.active()
        : typeof fields.parent === 'string' || 'traceParent' in fields.parent
          ? contextOf(fields.parent as TraceContext | string)
          : fields.parent;
  // Built field by field: this runs for every span, on the engine's thread.
  const options: SpanOptions = { kind: fields.kind };
  if (fields.attributes !== undefined) options.attributes = fields.attributes;
  if (fields.startTime !== undefined) options.startTime = fields.startTime;
  if (fields.links !== undefined) options.links = [...fields.links];
  presetSpanId = fields.spanId;
  presetTraceId = fields.traceId;
  try {
    return tracer().startSpan(fields.name, options, parent);
  } finally {
    presetSpanId = undefined;
    presetTraceId = undefined;
  }
}

export interface Outcome {
  /** Set when the work failed: the span gets error status with this message. */
  readonly error?: string;
  /** Epoch ms (default now). */
  readonly endTime?: number;
  readonly attributes?: Attributes;
}

/** Ends a span with its outcome. */
export function endSpan(span: Span, outcome: Outcome = {}): void {
  if (!span.isRecording()) return;
  if (outcome.attributes !== undefined) span.setAttributes(outcome.attributes);
  span.setStatus(
    outcome.error !== undefined
      ? { code: SpanStatusCode.ERROR, message: outcome.error }
      : { code: SpanStatusCode.OK },
  );
  span.end(outcome.endTime);
}

/**
 * Where spans whose whole life is known can go without becoming SDK span objects: the host installs
 * one when its only exporter is OTLP and its sampler keeps every span its parent keeps, since then
 * the SDK would do nothing for them but allocate. Ids left undefined are the sink's to make up.
 */
export interface FinishedSpanSink {
  /** Whether the sampler keeps spans whose parent was not sampled (`always_on`). */
  readonly ignoresParentSampling: boolean;
  write(
    span: SpanFields & Outcome,
    traceId: string | undefined,
    parentSpanId: string | undefined,
    parentIsRemote: boolean,
  ): void;
}

let sink: FinishedSpanSink | undefined;

/** Sends emitted spans to `next` (undefined: back through the SDK). */
export function useFinishedSpanSink(next: FinishedSpanSink | undefined): void {
  sink = next;
}

/** A span whose whole life is already known (emitted when it ended, with its recorded start). */
export function emitSpan(fields: SpanFields & Outcome): void {
  if (!enabled) return;
  if (sink !== undefined) emitToSink(sink, fields);
  else endSpan(startSpan(fields), fields);
}

// The same parent and sampling decisions the SDK's tracer makes in `startSpan`, for the sink.
function emitToSink(target: FinishedSpanSink, fields: SpanFields & Outcome): void {
  if (fields.traceId !== undefined) {
    target.write(fields, fields.traceId, undefined, false);
    return;
  }
  const parent = fields.parent;
  let traceId: string | undefined;
  let parentSpanId: string | undefined;
  let sampled = true;
  let remote = false;
  if (typeof parent === 'string' || (parent !== undefined && 'traceParent' in parent)) {
    const parsed = parsedTraceParent(
      typeof parent === 'string' ? parent : (parent as TraceContext).traceParent,
    );
    if (parsed !== undefined) {
      traceId = parsed.traceId;
      parentSpanId = parsed.spanId;
      sampled = parsed.flags === '01' || (parseInt(parsed.flags, 16) & 1) === 1;
      remote = true;
    }
  } else {
    const spanContext = trace.getSpanContext(parent ?? context.active());
    if (spanContext !== undefined && trace.isSpanContextValid(spanContext)) {
      traceId = spanContext.traceId;
      parentSpanId = spanContext.spanId;
      sampled = (spanContext.traceFlags & TraceFlags.SAMPLED) === TraceFlags.SAMPLED;
      remote = spanContext.isRemote === true;
    }
  }
  if (sampled || target.ignoresParentSampling) target.write(fields, traceId, parentSpanId, remote);
}

// Parsed once per distinct parent, as `contextOf` does for the SDK's contexts.
const parsedParents = new Map<string, ParsedTraceParent | undefined>();

function parsedTraceParent(value: string): ParsedTraceParent | undefined {
  if (parsedParents.has(value)) return parsedParents.get(value);
  const parsed = parseTraceParent(value);
  if (parsedParents.size >= carriedContextsMax) parsedParents.clear();
  parsedParents.set(value, parsed);
  return parsed;
}

/** Runs `fn` with `span` as the active span, so spans the code starts nest under it. */
export function withSpan<T>(span: Span, fn: () => T): T {
  if (!span.isRecording()) return fn();
  return context.with(trace.setSpan(context.active(), span), fn);
}

/** A link to a carried context (a raised event's sender, say). */
export function linkTo(carried: TraceContext | string | undefined): Link[] {
  const parsed = parseTraceParent(typeof carried === 'string' ? carried : carried?.traceParent);
  if (parsed === undefined) return [];
  return [
    {
      context: {
        traceId: parsed.traceId,
        spanId: parsed.spanId,
        traceFlags: parseInt(parsed.flags, 16) & 1,
        isRemote: true,
      },
    },
  ];
}

/** `trace_id` and `span_id` of the active span, for structured logs. */
export function activeTraceIds(): { trace_id: string; span_id: string } | undefined {
  const ctx = trace.getActiveSpan()?.spanContext();
  if (ctx === undefined || !trace.isSpanContextValid(ctx)) return undefined;
  return { trace_id: ctx.traceId, span_id: ctx.spanId };
}
