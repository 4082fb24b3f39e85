// A real OpenID issuer for tests: keys it generates, a JWKS and discovery document served over HTTP
// on 127.0.0.1, and tokens signed with those keys.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT, type JWK, type KeyLike } from 'jose';

interface SigningKey {
  readonly kid: string;
  readonly privateKey: KeyLike;
  readonly jwk: JWK;
}

export interface TokenOptions {
  readonly roles?: readonly string[];
  readonly subject?: string;
  readonly issuer?: string;
  readonly audience?: string;
  /** Seconds from now; negative for an expired token. */
  readonly expiresIn?: number;
  /** Seconds from now the token becomes valid. */
  readonly notBefore?: number;
  /** Sign with a key the JWKS does not publish. */
  readonly kid?: string;
}

export class TestIssuer {
  private keys: SigningKey[] = [];
  private server: Server | undefined;
  private counter = 0;
  /** How often the JWKS was fetched. */
  jwksFetches = 0;
  readonly audience = 'api://durable-test';

  private constructor(private port = 0) {}

  get issuer(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get jwksUrl(): string {
    return `${this.issuer}/keys`;
  }

  static async start(): Promise<TestIssuer> {
    const issuer = new TestIssuer();
    await issuer.rotate();
    const server = createServer((req, res) => {
      if (req.url === '/keys') {
        issuer.jwksFetches++;
        res.setHeader('content-type', 'application/json');
        res.end(JSON.stringify({ keys: issuer.keys.map((k) => k.jwk) }));
      } else if (req.url === '/.well-known/openid-configuration') {
        res.setHeader('content-type', 'application/json');
        res.end(JSON.stringify({ issuer: issuer.issuer, jwks_uri: issuer.jwksUrl }));
      } else {
        res.statusCode = 404;
        res.end();
      }
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    issuer.server = server;
    issuer.port = (server.address() as AddressInfo).port;
    return issuer;
  }

  /** Replaces the published key with a new one (old tokens then fail, new ones pass). */
  async rotate(): Promise<void> {
    this.keys = [await this.newKey()];
  }

  /** A key pair that signs tokens but is not published. */
  async newKey(): Promise<SigningKey> {
    const { privateKey, publicKey } = await generateKeyPair('ES256');
    const kid = `key-${++this.counter}`;
    return { kid, privateKey, jwk: { ...(await exportJWK(publicKey)), kid, alg: 'ES256', use: 'sig' } };
  }

  async token(options: TokenOptions = {}, key?: SigningKey): Promise<string> {
    const signing = key ?? (this.keys[0] as SigningKey);
    const now = Math.floor(Date.now() / 1000);
    const jwt = new SignJWT({ roles: [...(options.roles ?? [])] })
      .setProtectedHeader({ alg: 'ES256', kid: options.kid ?? signing.kid, typ: 'JWT' })
      .setSubject(options.subject ?? 'test-user')
      .setIssuer(options.issuer ?? this.issuer)
      .setAudience(options.audience ?? this.audience)
      .setIssuedAt(now)
      .setExpirationTime(now + (options.expiresIn ?? 300));
    if (options.notBefore !== undefined) jwt.setNotBefore(now + options.notBefore);
    return jwt.sign(signing.privateKey);
  }

  async stop(): Promise<void> {
    const server = this.server;
    if (server === undefined) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

/** An unsigned `alg: none` token with the given claims. */
export function unsignedToken(claims: Record<string, unknown>): string {
  const part = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  return `${part({ alg: 'none', typ: 'JWT' })}.${part(claims)}.`;
}
