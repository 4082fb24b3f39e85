import type { TraceContext } from '@durable/core';
import { parseTraceParent } from '@durable/telemetry';
import { retryAfterSeconds } from './routes';
import { apiBaseUrl, requestOrigin } from './urls';

/** What the controllers read from a request; Express's request satisfies it. */
export interface HttpRequest {
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly url?: string;
  /** Express: the URL before any router stripped a mount path. */
  readonly originalUrl?: string;
  readonly socket?: { readonly encrypted?: boolean } | null;
}

/** What the controllers set on a response; Express's response satisfies it. */
export interface HttpResponse {
  status(code: number): unknown;
  setHeader(name: string, value: string): unknown;
}

export function requestUrl(req: HttpRequest): string {
  return req.originalUrl ?? req.url ?? '/';
}

/** Absolute URL of the API root as the client reached it. */
export function apiBaseUrlOf(req: HttpRequest): string {
  return apiBaseUrl(requestOrigin(req.headers, req.socket?.encrypted === true), requestUrl(req));
}

/** Tells the client of a 202 where and when to poll. */
export function setPollHeaders(res: HttpResponse, statusQueryGetUri: string): void {
  res.setHeader('Location', statusQueryGetUri);
  res.setHeader('Retry-After', String(retryAfterSeconds));
}

/**
 * The caller's W3C trace context (`traceparent`, `tracestate` headers), when it sent a valid one:
 * the orchestration's trace then hangs under the caller's span.
 */
export function traceContextOf(req: HttpRequest): TraceContext | undefined {
  const header = (name: string) => {
    const value = req.headers[name];
    return Array.isArray(value) ? value[0] : value;
  };
  const traceParent = header('traceparent');
  if (parseTraceParent(traceParent) === undefined) return undefined;
  const traceState = header('tracestate');
  return { traceParent: traceParent as string, ...(traceState !== undefined ? { traceState } : {}) };
}
