// W3C trace context as it travels inside Durable's own messages and documents: a `traceparent`
// string (and `tracestate`), so it survives crashes, partition moves and continue-as-new.

/** A W3C trace context, named as the Durable Task protocol's `TraceContext`. */
export interface TraceContext {
  readonly traceParent: string;
  readonly traceState?: string;
}

export interface ParsedTraceParent {
  readonly traceId: string;
  readonly spanId: string;
  /** Two hex digits; `01` is sampled. */
  readonly flags: string;
}

const traceParentPattern = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;

/** The parts of a version-00 `traceparent`, or undefined when it is malformed or all-zero. */
export function parseTraceParent(value: string | undefined): ParsedTraceParent | undefined {
  const match = value === undefined ? null : traceParentPattern.exec(value.trim().toLowerCase());
  if (match === null) return undefined;
  const [, traceId, spanId, flags] = match as unknown as [string, string, string, string];
  if (/^0+$/.test(traceId) || /^0+$/.test(spanId)) return undefined;
  return { traceId, spanId, flags };
}

export function formatTraceParent(traceId: string, spanId: string, flags = '01'): string {
  return `00-${traceId}-${spanId}-${flags}`;
}

/** The same trace and flags, another span: the context to hand to a child of `spanId`. */
export function withSpanId(parent: ParsedTraceParent, spanId: string): string {
  return formatTraceParent(parent.traceId, spanId, parent.flags);
}

// FNV-1a, 64 bits in two 32-bit halves: span ids that every process derives alike from the same
// instance facts, so spans emitted after a crash or on another worker still meet their parents.
function fnv64(text: string, seed: number): string {
  let h1 = 0x811c9dc5 ^ seed;
  let h2 = 0xcbf29ce4 ^ (seed * 31);
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 0x01000193) >>> 0;
    h2 = Math.imul(h2 ^ c ^ (h1 >>> 7), 0x01000193) >>> 0;
  }
  if (h1 === 0 && h2 === 0) return '0000000000000001';
  return (h1 >>> 0).toString(16).padStart(8, '0') + (h2 >>> 0).toString(16).padStart(8, '0');
}

/** A span id (16 hex digits) determined by its parts, e.g. `(executionId, 'activity', taskId)`. */
export function deriveSpanId(...parts: ReadonlyArray<string | number>): string {
  return fnv64(parts.join('\u0000'), 1);
}

/** A trace id (32 hex digits) determined by a seed: the trace of an instance started untraced. */
export function deriveTraceId(seed: string): string {
  return fnv64(seed, 2) + fnv64(seed, 3);
}
