import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  anonymousAdmin,
  HttpAccessTable,
  PermissionDeniedError,
  UnauthenticatedError,
  type Authenticator,
  type Principal,
} from '@durable/auth';

/** The request after authentication: who sent it. */
export interface AuthenticatedRequest {
  durablePrincipal?: Principal;
}

/** The principal the auth middleware put on a request; with none installed, auth is off. */
export function principalOf(req: unknown): Principal {
  return (req as AuthenticatedRequest).durablePrincipal ?? anonymousAdmin;
}

/**
 * Connect-style middleware run before Nest's router: every request is checked against the access
 * table before anything reads its body. Failures answer `{ error, message }` like the rest of the API.
 */
export function httpAuthMiddleware(
  authenticator: Authenticator,
  table = new HttpAccessTable(),
): (req: IncomingMessage, res: ServerResponse, next: (error?: unknown) => void) => void {
  return (req, res, next) => {
    const rule = table.lookup(req.method ?? 'GET', req.url ?? '/');
    authenticator.authorize(rule?.access, req.headers.authorization, requestedTaskHub(req.url)).then(
      (principal) => {
        (req as AuthenticatedRequest).durablePrincipal = principal;
        next();
      },
      (error: unknown) => {
        if (error instanceof UnauthenticatedError) {
          // RFC 6750: tell the client which scheme to use.
          res.setHeader('WWW-Authenticate', 'Bearer realm="durable"');
          reply(res, 401, error.name, error.message);
        } else if (error instanceof PermissionDeniedError) reply(res, 403, error.name, error.message);
        else next(error);
      },
    );
  };
}

/**
 * The task hub the request names in `taskHub`, whose roles apply; none (the default hub's roles) when
 * it names none or names it twice, which the API then refuses.
 */
function requestedTaskHub(url: string | undefined): string | undefined {
  const query = url?.split('?', 2)[1];
  if (query === undefined) return undefined;
  const values = new URLSearchParams(query).getAll('taskHub');
  return values.length === 1 && values[0] !== '' ? values[0] : undefined;
}

function reply(res: ServerResponse, status: number, error: string, message: string): void {
  res.statusCode = status;
  res.setHeader('content-type', 'application/json; charset=utf-8');
  res.end(JSON.stringify({ error, message }));
}
