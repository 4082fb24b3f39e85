import { existsSync, readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import type { Role } from './access';
import { parseApiKeys, type ApiKeyEntry } from './api-keys';
import { Authenticator } from './authenticator';
import { AuthConfigError } from './errors';
import { parseGrant, type Grant } from './grant';
import { JwtVerifier } from './jwt';

/**
 * The authenticator the environment asks for (README: Security):
 * `DURABLE_API_KEYS` (a file, or the value itself, of `role:key` entries),
 * `DURABLE_OIDC_ISSUER` + `DURABLE_OIDC_AUDIENCE` (+ `DURABLE_OIDC_JWKS_URL`, `DURABLE_OIDC_ROLES_CLAIM`,
 * `DURABLE_OIDC_ROLE_MAP`), or `DURABLE_AUTH=off`. Neither configured: off. Grants for one task hub
 * (`role@hub`) hold only for requests to that hub: the hub a request names (REST `taskHub`, gRPC
 * `taskhub` metadata), else the default hub, `TASK_HUB` (default `durable`).
 */
export function authenticatorFromEnv(env: NodeJS.ProcessEnv): Authenticator {
  const hub = env['TASK_HUB'] === undefined || env['TASK_HUB'] === '' ? 'durable' : env['TASK_HUB'];
  const mode = env['DURABLE_AUTH'];
  if (mode !== undefined && mode !== '' && mode !== 'off' && mode !== 'on')
    throw new AuthConfigError(`DURABLE_AUTH must be 'on' or 'off', got '${mode}'`);
  const apiKeys = apiKeysFromEnv(env);
  const issuer = env['DURABLE_OIDC_ISSUER'];
  const audience = env['DURABLE_OIDC_AUDIENCE'];
  let jwt: JwtVerifier | undefined;
  if ((issuer ?? '') !== '' || (audience ?? '') !== '') {
    if ((issuer ?? '') === '' || (audience ?? '') === '')
      throw new AuthConfigError('DURABLE_OIDC_ISSUER and DURABLE_OIDC_AUDIENCE go together: set both');
    const jwksUrl = env['DURABLE_OIDC_JWKS_URL'];
    const rolesClaim = env['DURABLE_OIDC_ROLES_CLAIM'];
    jwt = new JwtVerifier({
      issuer: issuer as string,
      audience: audience as string,
      ...(jwksUrl !== undefined && jwksUrl !== '' ? { jwksUrl } : {}),
      ...(rolesClaim !== undefined && rolesClaim !== '' ? { rolesClaim } : {}),
      roleMap: roleMapFromEnv(env['DURABLE_OIDC_ROLE_MAP']),
      hub,
    });
  }
  if (mode === 'off') {
    if (apiKeys !== undefined || jwt !== undefined)
      throw new AuthConfigError('DURABLE_AUTH=off, but API keys or OIDC are configured: choose one');
    return Authenticator.off();
  }
  const authenticator = new Authenticator({ ...(apiKeys ? { apiKeys } : {}), ...(jwt ? { jwt } : {}), hub });
  if (mode === 'on' && !authenticator.enabled)
    throw new AuthConfigError('DURABLE_AUTH=on needs DURABLE_API_KEYS or DURABLE_OIDC_ISSUER/AUDIENCE');
  return authenticator;
}

function apiKeysFromEnv(env: NodeJS.ProcessEnv): ApiKeyEntry[] | undefined {
  const value = env['DURABLE_API_KEYS'];
  if (value === undefined || value === '') return undefined;
  const fromFile = existsSync(value);
  const entries = fromFile
    ? parseApiKeys(readFileSync(value, 'utf8'), `DURABLE_API_KEYS file ${value}`)
    : parseApiKeys(value, 'DURABLE_API_KEYS (not an existing file, so read as entries)');
  if (entries.length === 0) throw new AuthConfigError('DURABLE_API_KEYS holds no role:key entry');
  return entries;
}

/**
 * `claimValue=role` pairs, comma-separated: `Durable.Reader=reader,Durable.Worker=worker`; a role
 * written `role@hub` holds in that task hub only (`Orders.Writer=contributor@orders`).
 */
export function roleMapFromEnv(value: string | undefined): Record<string, Role | Grant> {
  const map: Record<string, Role | Grant> = {};
  for (const pair of (value ?? '').split(',')) {
    if (pair.trim() === '') continue;
    const at = pair.lastIndexOf('=');
    const claim = pair.slice(0, at).trim();
    const grant = parseGrant(pair.slice(at + 1).trim());
    if (at < 1 || grant === undefined)
      throw new AuthConfigError(
        `DURABLE_OIDC_ROLE_MAP entries are claimValue=role (reader, contributor, worker, admin; role@taskhub for one hub), got '${pair}'`,
      );
    map[claim] = grant.hub === undefined ? grant.role : grant;
  }
  return map;
}

export function isLoopback(host: string): boolean {
  const bare = host.replace(/^\[|\]$/g, '');
  if (bare === 'localhost') return true;
  if (isIP(bare) === 4) return bare.startsWith('127.');
  return bare === '::1';
}

/**
 * Refuses to serve a non-loopback address with no authentication, unless `DURABLE_AUTH=off` says so
 * (then warns): anyone reaching the port could read every input and run as a worker.
 */
export function checkListenAddress(
  host: string,
  authenticator: Authenticator,
  env: NodeJS.ProcessEnv,
  warn: (message: string) => void,
): void {
  if (authenticator.enabled || isLoopback(host)) return;
  if (env['DURABLE_AUTH'] === 'off') {
    warn(
      `authentication is off (DURABLE_AUTH=off) on ${host}: anyone who reaches this port can read and control every instance`,
    );
    return;
  }
  throw new AuthConfigError(
    `refusing to listen on ${host} without authentication: set DURABLE_API_KEYS or DURABLE_OIDC_ISSUER/AUDIENCE, ` +
      'or DURABLE_AUTH=off to serve it open on purpose',
  );
}

/** What the dashboard needs to sign in with the OIDC issuer: public values only (a public client). */
export interface DashboardOidc {
  readonly issuer: string;
  readonly clientId: string;
  /** Space-separated; the access token the issuer answers for them must be for `DURABLE_OIDC_AUDIENCE`. */
  readonly scopes: string;
}

/**
 * `DURABLE_OIDC_CLIENT_ID` (+ `DURABLE_OIDC_SCOPES`, default `openid`): the dashboard's public client
 * at `DURABLE_OIDC_ISSUER`, which it signs in with by authorization code + PKCE. Unset: no sign-in
 * button, tokens are pasted.
 */
export function dashboardOidcFromEnv(env: NodeJS.ProcessEnv): DashboardOidc | undefined {
  const clientId = env['DURABLE_OIDC_CLIENT_ID'] ?? '';
  const scopes = (env['DURABLE_OIDC_SCOPES'] ?? '')
    .trim()
    .split(/\s+/)
    .filter((s) => s !== '');
  if (clientId === '') {
    if (scopes.length > 0) throw new AuthConfigError('DURABLE_OIDC_SCOPES needs DURABLE_OIDC_CLIENT_ID');
    return undefined;
  }
  const issuer = env['DURABLE_OIDC_ISSUER'] ?? '';
  if (issuer === '' || (env['DURABLE_OIDC_AUDIENCE'] ?? '') === '')
    throw new AuthConfigError(
      'DURABLE_OIDC_CLIENT_ID needs DURABLE_OIDC_ISSUER and DURABLE_OIDC_AUDIENCE: the API must accept the tokens the dashboard gets',
    );
  if (!scopes.includes('openid')) scopes.unshift('openid');
  return { issuer, clientId, scopes: scopes.join(' ') };
}
