/** Where Durable Functions serves its HTTP management API; clients and tools hard-code this path. */
export const durableBasePath = '/runtime/webhooks/durabletask';

/** Seconds a client should wait before polling a 202 again. */
export const retryAfterSeconds = 1;

/** Request and response header carrying the token of the next page of `GET /instances`. */
export const continuationTokenHeader = 'x-ms-continuation-token';

/** True for request paths served by the durable HTTP API (also under a global prefix). */
export function isDurableApiPath(url: string): boolean {
  const path = url.split('?', 1)[0] ?? '';
  return path.includes(durableBasePath) || path === '/openapi.json';
}
