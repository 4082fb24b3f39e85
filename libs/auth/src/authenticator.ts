import { allows, type Access, type Role } from './access';
import { isKnownApiKey, rolesOfApiKey, type ApiKeyEntry } from './api-keys';
import { PermissionDeniedError, UnauthenticatedError } from './errors';
import type { JwtVerifier } from './jwt';

/** Who a request comes from. With authentication off, everyone is an unauthenticated admin. */
export interface Principal {
  readonly authenticated: boolean;
  readonly subject: string;
  readonly roles: readonly Role[];
  readonly via: 'api-key' | 'jwt' | 'none';
}

export const anonymousAdmin: Principal = { authenticated: false, subject: '', roles: ['admin'], via: 'none' };
const nobody: Principal = { authenticated: false, subject: '', roles: [], via: 'none' };

export interface AuthenticatorOptions {
  readonly apiKeys?: readonly ApiKeyEntry[];
  readonly jwt?: JwtVerifier;
  /**
   * The default task hub: grants for other hubs (`role@hub:key`) do not count for a request that
   * names no hub of its own.
   */
  readonly hub?: string;
}

// header.payload.signature, each base64url: what a JWT looks like, as opposed to an API key.
const compactJws = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;

/** Turns an `Authorization` header into a principal and checks it against a rule of the access table. */
export class Authenticator {
  readonly enabled: boolean;

  constructor(private readonly options: AuthenticatorOptions) {
    this.enabled = (options.apiKeys?.length ?? 0) > 0 || options.jwt !== undefined;
  }

  /** Everyone may do everything: the zero-config default on loopback. */
  static off(): Authenticator {
    return new Authenticator({});
  }

  /**
   * The principal of the header, with its roles in task hub `hub` (default: the default hub): none
   * when absent (an unauthenticated nobody), and an UnauthenticatedError with the reason when it is
   * present but not valid.
   */
  async authenticate(authorization: string | undefined, hub = this.options.hub): Promise<Principal> {
    if (!this.enabled) return anonymousAdmin;
    if (authorization === undefined || authorization === '') return nobody;
    const match = /^Bearer[ ]+(\S+)\s*$/i.exec(authorization);
    if (match === null) throw new UnauthenticatedError("the Authorization header must be 'Bearer <token>'");
    const token = match[1] as string;
    const { apiKeys, jwt } = this.options;
    if (jwt !== undefined && compactJws.test(token)) {
      const identity = await jwt.verify(token, hub);
      return { authenticated: true, subject: identity.subject, roles: identity.roles, via: 'jwt' };
    }
    const roles = apiKeys === undefined ? [] : rolesOfApiKey(apiKeys, token, hub);
    // A key of another task hub is known, just not here: authenticated with no role, so 403.
    if (roles.length === 0 && apiKeys !== undefined && isKnownApiKey(apiKeys, token))
      return { authenticated: true, subject: 'api-key', roles: [], via: 'api-key' };
    if (roles.length === 0)
      throw new UnauthenticatedError(jwt === undefined ? 'unknown API key' : 'not a known API key or a JWT');
    return { authenticated: true, subject: `api-key:${roles.join(',')}`, roles, via: 'api-key' };
  }

  /**
   * The principal, if the rule lets it in with its roles in task hub `hub` (default: the default
   * hub); else UnauthenticatedError or PermissionDeniedError.
   */
  async authorize(
    access: Access | undefined,
    authorization: string | undefined,
    hub?: string,
  ): Promise<Principal> {
    const principal = await this.authenticate(authorization, hub ?? this.options.hub);
    // A route without a rule is open to admins only: fail closed.
    const rule: Access = access ?? ['admin'];
    if (allows(rule, principal.roles)) return principal;
    if (!principal.authenticated)
      throw new UnauthenticatedError('authentication required: send Authorization: Bearer <token>');
    throw new PermissionDeniedError(
      `this operation needs the role ${rule === 'public' ? '' : rule.join(' or ')}; the caller has ${
        principal.roles.length === 0 ? 'none' : principal.roles.join(', ')
      }`,
    );
  }
}
