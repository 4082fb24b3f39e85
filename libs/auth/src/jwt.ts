// OpenID Connect / JWT bearer tokens, checked with `jose` (signature against the issuer's JWKS,
// exp/nbf, iss, aud, and an allow-list of asymmetric algorithms, so `alg: none` and HMAC tokens
// signed with a public key are refused).
import { createRemoteJWKSet, errors, jwtVerify, type JWTPayload } from 'jose';
import type { Role } from './access';
import { holdsIn, parseGrant, type Grant } from './grant';
import { AuthConfigError, UnauthenticatedError } from './errors';

export interface JwtSettings {
  readonly issuer: string;
  readonly audience: string;
  /** The JWKS address; when absent it comes from `<issuer>/.well-known/openid-configuration`. */
  readonly jwksUrl?: string;
  /** The claim listing the caller's roles (default `roles`, Entra ID's app roles). */
  readonly rolesClaim?: string;
  /**
   * Claim values to Durable roles, for every task hub or for one; a value that is a Durable role's
   * name (`reader`, or `reader@orders`) maps to it as well.
   */
  readonly roleMap?: Readonly<Record<string, Role | Grant>>;
  /** The default task hub: grants for other hubs do not count where a request names no hub. */
  readonly hub?: string;
  /** Seconds of clock skew allowed on exp/nbf (default 60). */
  readonly clockToleranceSeconds?: number;
  /** Least time between two JWKS fetches for an unknown key id (default 30 s). */
  readonly jwksCooldownMs?: number;
}

const algorithms = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA'];

export interface JwtIdentity {
  readonly subject: string;
  readonly roles: Role[];
}

export class JwtVerifier {
  private jwks: Promise<ReturnType<typeof createRemoteJWKSet>> | undefined;

  constructor(private readonly settings: JwtSettings) {
    if (settings.jwksUrl !== undefined) parseUrl(settings.jwksUrl, 'DURABLE_OIDC_JWKS_URL');
    parseUrl(settings.issuer, 'DURABLE_OIDC_ISSUER');
  }

  /**
   * Verifies a compact JWS and gives its roles in task hub `hub`; throws UnauthenticatedError with
   * the reason when it does not hold.
   */
  async verify(token: string, hub = this.settings.hub): Promise<JwtIdentity> {
    const keys = await this.keySet();
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, keys, {
        issuer: this.settings.issuer,
        audience: this.settings.audience,
        algorithms,
        clockTolerance: this.settings.clockToleranceSeconds ?? 60,
        requiredClaims: ['exp'],
      }));
    } catch (error) {
      throw new UnauthenticatedError(`invalid token: ${reasonOf(error)}`);
    }
    return { subject: String(payload.sub ?? ''), roles: this.rolesOf(payload, hub) };
  }

  private rolesOf(payload: JWTPayload, hub: string | undefined): Role[] {
    const claim = payload[this.settings.rolesClaim ?? 'roles'];
    const values = Array.isArray(claim)
      ? claim.filter((v): v is string => typeof v === 'string')
      : typeof claim === 'string'
        ? claim.split(' ')
        : [];
    const granted = new Set<Role>();
    for (const value of values) {
      const mapped = this.settings.roleMap?.[value] ?? parseGrant(value);
      const grant = typeof mapped === 'string' ? { role: mapped } : mapped;
      if (grant !== undefined && holdsIn(grant, hub)) granted.add(grant.role);
    }
    return [...granted];
  }

  private keySet(): Promise<ReturnType<typeof createRemoteJWKSet>> {
    // A failed discovery is tried again on the next token rather than remembered.
    this.jwks ??= this.discover().catch((error: unknown) => {
      this.jwks = undefined;
      throw error;
    });
    return this.jwks;
  }

  private async discover(): Promise<ReturnType<typeof createRemoteJWKSet>> {
    const options = { cooldownDuration: this.settings.jwksCooldownMs ?? 30_000, timeoutDuration: 5000 };
    if (this.settings.jwksUrl !== undefined)
      return createRemoteJWKSet(new URL(this.settings.jwksUrl), options);
    const address = `${this.settings.issuer.replace(/\/$/, '')}/.well-known/openid-configuration`;
    let document: { issuer?: unknown; jwks_uri?: unknown };
    try {
      const response = await fetch(address, { signal: AbortSignal.timeout(5000) });
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      document = (await response.json()) as typeof document;
    } catch (error) {
      throw new UnauthenticatedError(`OpenID discovery at ${address} failed: ${reasonOf(error)}`);
    }
    if (typeof document.jwks_uri !== 'string')
      throw new UnauthenticatedError(`OpenID discovery at ${address} names no jwks_uri`);
    return createRemoteJWKSet(new URL(document.jwks_uri), options);
  }
}

function parseUrl(value: string, setting: string): URL {
  try {
    return new URL(value);
  } catch {
    throw new AuthConfigError(`${setting} must be an absolute URL, got '${value}'`);
  }
}

function reasonOf(error: unknown): string {
  if (error instanceof errors.JWTExpired) return 'expired';
  if (error instanceof errors.JWTClaimValidationFailed) return `claim ${error.claim} ${error.reason}`;
  if (error instanceof errors.JWKSNoMatchingKey) return 'no key of the issuer matches its key id';
  if (error instanceof errors.JOSEAlgNotAllowed) return 'algorithm not allowed';
  if (error instanceof errors.JWSSignatureVerificationFailed) return 'signature verification failed';
  if (error instanceof errors.JWSInvalid || error instanceof errors.JWTInvalid) return 'malformed token';
  return error instanceof Error ? error.message : String(error);
}
