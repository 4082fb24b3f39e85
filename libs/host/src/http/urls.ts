import { durableBasePath } from './routes';

type Headers = Readonly<Record<string, string | string[] | undefined>>;

/** The management URLs of one instance, as Durable Functions returns them from a start. */
export interface CheckStatusPayload {
  readonly id: string;
  readonly statusQueryGetUri: string;
  readonly sendEventPostUri: string;
  readonly terminatePostUri: string;
  readonly rewindPostUri: string;
  readonly purgeHistoryDeleteUri: string;
  readonly restartPostUri: string;
  readonly suspendPostUri: string;
  readonly resumePostUri: string;
}

// A host name, IPv4 or bracketed IPv6 address, with an optional port. Anything else in a Host or
// X-Forwarded-Host header is ignored rather than echoed into the URLs we hand out.
const validHost = /^(?:\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9._~-]+)(?::\d{1,5})?$/;

function firstValue(value: string | string[] | undefined): string | undefined {
  const joined = Array.isArray(value) ? value.join(',') : value;
  const first = joined?.split(',', 1)[0]?.trim();
  return first === undefined || first === '' ? undefined : first;
}

/** `scheme://host[:port]` the client used, honouring X-Forwarded-Proto and X-Forwarded-Host. */
export function requestOrigin(headers: Headers, encrypted: boolean): string {
  const forwardedProto = firstValue(headers['x-forwarded-proto'])?.toLowerCase();
  const proto =
    forwardedProto === 'http' || forwardedProto === 'https' ? forwardedProto : encrypted ? 'https' : 'http';
  const host =
    [firstValue(headers['x-forwarded-host']), firstValue(headers['host'])].find(
      (candidate) => candidate !== undefined && validHost.test(candidate),
    ) ?? 'localhost';
  return `${proto}://${host}`;
}

/**
 * Absolute URL of the API root (`…/runtime/webhooks/durabletask`) for a request to `url` (path and
 * query as received). Whatever precedes the base path (a global prefix) is kept.
 */
export function apiBaseUrl(origin: string, url: string): string {
  const path = url.split('?', 1)[0] ?? '';
  const at = path.indexOf(durableBasePath);
  const prefix = at > 0 ? path.slice(0, at) : '';
  return `${origin}${prefix}${durableBasePath}`;
}

/** The URL, with `extraQuery` (`name=value`) appended to its query string. */
function withQuery(url: string, extraQuery: string | undefined): string {
  if (extraQuery === undefined) return url;
  return `${url}${url.includes('?') ? '&' : '?'}${extraQuery}`;
}

/** `hubQuery`: `taskHub=<name>` for an instance outside the default task hub. */
export function statusQueryUri(baseUrl: string, instanceId: string, hubQuery?: string): string {
  return withQuery(`${baseUrl}/instances/${encodeURIComponent(instanceId)}`, hubQuery);
}

/** `{eventName}` and `{text}` are placeholders for the client to fill in, as in Durable Functions. */
export function checkStatusPayload(
  baseUrl: string,
  instanceId: string,
  hubQuery?: string,
): CheckStatusPayload {
  const instance = statusQueryUri(baseUrl, instanceId);
  const url = (path: string) => withQuery(path, hubQuery);
  return {
    id: instanceId,
    statusQueryGetUri: url(instance),
    sendEventPostUri: url(`${instance}/raiseEvent/{eventName}`),
    terminatePostUri: url(`${instance}/terminate?reason={text}`),
    rewindPostUri: url(`${instance}/rewind?reason={text}`),
    purgeHistoryDeleteUri: url(instance),
    restartPostUri: url(`${instance}/restart`),
    suspendPostUri: url(`${instance}/suspend?reason={text}`),
    resumePostUri: url(`${instance}/resume?reason={text}`),
  };
}
