import { Authenticator } from './authenticator';
import { UnauthenticatedError } from './errors';
import { JwtVerifier } from './jwt';
import { TestIssuer, unsignedToken } from './testing';

let issuer: TestIssuer;
let auth: Authenticator;

beforeAll(async () => {
  issuer = await TestIssuer.start();
});
afterAll(() => issuer.stop());
beforeEach(() => {
  // Cooldown 0 so a rotated key is fetched at once; production keeps jose's 30 s.
  const jwt = new JwtVerifier({
    issuer: issuer.issuer,
    audience: issuer.audience,
    jwksCooldownMs: 0,
    roleMap: { 'Durable.Worker': 'worker' },
  });
  auth = new Authenticator({ jwt });
});

const bearer = (token: string) => `Bearer ${token}`;

async function rejection(token: string): Promise<string> {
  const error = await auth.authenticate(bearer(token)).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(UnauthenticatedError);
  return (error as Error).message;
}

describe('JWT bearer tokens from a real JWKS server', () => {
  it('accepts a valid token and maps its roles claim', async () => {
    const principal = await auth.authenticate(
      bearer(await issuer.token({ roles: ['reader', 'Durable.Worker', 'other'] })),
    );
    expect(principal).toEqual({
      authenticated: true,
      subject: 'test-user',
      roles: ['reader', 'worker'],
      via: 'jwt',
    });
  });

  it('counts roles granted for the task hub it serves, and not those of other hubs', async () => {
    const scoped = new Authenticator({
      jwt: new JwtVerifier({
        issuer: issuer.issuer,
        audience: issuer.audience,
        hub: 'orders',
        roleMap: {
          'Orders.Worker': { role: 'worker', hub: 'Orders' },
          'Billing.Admin': { role: 'admin', hub: 'billing' },
        },
      }),
    });
    const token = await issuer.token({
      roles: ['contributor@orders', 'admin@billing', 'Orders.Worker', 'Billing.Admin', 'reader@bad hub'],
    });
    expect((await scoped.authenticate(bearer(token))).roles).toEqual(['contributor', 'worker']);
    // A request naming another hub gets that hub's grants instead.
    expect((await scoped.authenticate(bearer(token), 'Billing')).roles).toEqual(['admin']);
  });

  it('rejects an expired token', async () => {
    expect(await rejection(await issuer.token({ expiresIn: -120 }))).toMatch(/expired/);
  });

  it('rejects a token not yet valid', async () => {
    expect(await rejection(await issuer.token({ notBefore: 600 }))).toMatch(/nbf/);
  });

  it('rejects a token of another issuer', async () => {
    expect(await rejection(await issuer.token({ issuer: 'https://evil.example' }))).toMatch(/iss/);
  });

  it('rejects a token for another audience', async () => {
    expect(await rejection(await issuer.token({ audience: 'api://other' }))).toMatch(/aud/);
  });

  it('rejects a token signed with an unknown key id', async () => {
    const stranger = await issuer.newKey();
    expect(await rejection(await issuer.token({}, stranger))).toMatch(/key id/);
  });

  it('rejects a token signed by an unpublished key under a published key id', async () => {
    const stranger = await issuer.newKey();
    const published = (await issuer.token()).split('.')[0] as string;
    const kid = (JSON.parse(Buffer.from(published, 'base64url').toString()) as { kid: string }).kid;
    expect(await rejection(await issuer.token({ kid }, stranger))).toMatch(/signature/);
  });

  it("rejects alg 'none'", async () => {
    const now = Math.floor(Date.now() / 1000);
    const token = unsignedToken({
      iss: issuer.issuer,
      aud: issuer.audience,
      exp: now + 300,
      roles: ['admin'],
    });
    expect(await rejection(token)).toMatch(/algorithm|malformed|Unsupported/i);
  });

  it('rejects a tampered payload', async () => {
    const [header, , signature] = (await issuer.token({ roles: ['reader'] })).split('.');
    const now = Math.floor(Date.now() / 1000);
    const forged = Buffer.from(
      JSON.stringify({
        iss: issuer.issuer,
        aud: issuer.audience,
        exp: now + 300,
        roles: ['admin'],
        sub: 'x',
      }),
    ).toString('base64url');
    expect(await rejection(`${header}.${forged}.${signature}`)).toMatch(/signature/);
  });

  it('picks up a rotated key, and refuses tokens of the retired one', async () => {
    const old = await issuer.token({ roles: ['reader'] });
    await auth.authenticate(bearer(old));
    await issuer.rotate();
    const fresh = await issuer.token({ roles: ['contributor'] });
    expect((await auth.authenticate(bearer(fresh))).roles).toEqual(['contributor']);
    expect(await rejection(old)).toMatch(/key id/);
  });

  it('finds the JWKS by OpenID discovery when no JWKS URL is set', async () => {
    const discovered = new Authenticator({
      jwt: new JwtVerifier({ issuer: issuer.issuer, audience: issuer.audience }),
    });
    const principal = await discovered.authenticate(bearer(await issuer.token({ roles: ['admin'] })));
    expect(principal.roles).toEqual(['admin']);
  });

  it('rejects a header that is not a bearer token', async () => {
    await expect(auth.authenticate('Basic dXNlcjpwYXNz')).rejects.toThrow(/Bearer/);
  });
});
