import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HttpAccessTable } from './access';
import { parseApiKeys, sha256 } from './api-keys';
import {
  authenticatorFromEnv,
  checkListenAddress,
  dashboardOidcFromEnv,
  isLoopback,
  roleMapFromEnv,
} from './config';
import { AuthConfigError, PermissionDeniedError, UnauthenticatedError } from './errors';

const readerKey = 'reader-key-0123456789';
const adminKey = 'admin-key-0123456789';

describe('API keys', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'durable-keys-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('reads hashed keys from a file and matches the key that hashes to them', async () => {
    const file = join(dir, 'keys');
    writeFileSync(file, `# comment\nreader:sha256:${sha256(readerKey).toString('hex')}\nadmin:${adminKey}\n`);
    const auth = authenticatorFromEnv({ DURABLE_API_KEYS: file });
    expect((await auth.authenticate(`Bearer ${readerKey}`)).roles).toEqual(['reader']);
    expect((await auth.authenticate(`bearer ${adminKey}`)).roles).toEqual(['admin']);
    await expect(auth.authenticate('Bearer not-a-key-at-all-000')).rejects.toThrow(UnauthenticatedError);
  });

  it('takes entries from the value when it names no file', async () => {
    const auth = authenticatorFromEnv({ DURABLE_API_KEYS: `contributor:${readerKey},worker:${adminKey}` });
    expect((await auth.authenticate(`Bearer ${adminKey}`)).roles).toEqual(['worker']);
  });

  it('refuses a bad entry without echoing the key', () => {
    expect(() => parseApiKeys(`writer:${readerKey}`, 'X')).toThrow(AuthConfigError);
    try {
      parseApiKeys(`writer:${readerKey}`, 'X');
    } catch (error) {
      expect(String(error)).not.toContain(readerKey);
    }
    expect(() => parseApiKeys('reader:short', 'X')).toThrow(/at least 16/);
    expect(() => parseApiKeys('reader:sha256:abc', 'X')).toThrow(/64 hexadecimal/);
  });
});

describe('roles for one task hub', () => {
  const ordersKey = 'orders-contributor-key-0123';
  const billingKey = 'billing-admin-key-0123456';
  const env = {
    DURABLE_API_KEYS: `contributor@orders:${ordersKey},admin@billing:${billingKey},reader:${readerKey}`,
    DURABLE_OIDC_ROLE_MAP: undefined,
  };

  it('holds only where TASK_HUB is that hub; a key of another hub is known but has no role (403)', async () => {
    const orders = authenticatorFromEnv({ ...env, TASK_HUB: 'Orders' });
    expect((await orders.authenticate(`Bearer ${ordersKey}`)).roles).toEqual(['contributor']);
    expect((await orders.authenticate(`Bearer ${readerKey}`)).roles).toEqual(['reader']);
    const start = ['contributor'] as const;
    await expect(orders.authorize(start, `Bearer ${billingKey}`)).rejects.toThrow(
      new PermissionDeniedError('this operation needs the role contributor; the caller has none'),
    );
    const byDefault = authenticatorFromEnv(env);
    await expect(byDefault.authorize(start, `Bearer ${ordersKey}`)).rejects.toThrow(PermissionDeniedError);
  });

  it('holds in the hub a request names, whatever the default hub (several task hubs)', async () => {
    const orders = authenticatorFromEnv({ ...env, TASK_HUB: 'orders' });
    expect((await orders.authenticate(`Bearer ${billingKey}`, 'BILLING')).roles).toEqual(['admin']);
    expect((await orders.authenticate(`Bearer ${ordersKey}`, 'billing')).roles).toEqual([]);
    expect((await orders.authenticate(`Bearer ${readerKey}`, 'billing')).roles).toEqual(['reader']);
    await expect(orders.authorize(['admin'], `Bearer ${billingKey}`, 'billing')).resolves.toMatchObject({
      roles: ['admin'],
    });
    await expect(orders.authorize(['admin'], `Bearer ${billingKey}`)).rejects.toThrow(PermissionDeniedError);
  });

  it('maps claim values to roles of one hub, and refuses a bad hub name', () => {
    expect(roleMapFromEnv('Orders.Writer=contributor@orders,Durable.Reader=reader')).toEqual({
      'Orders.Writer': { role: 'contributor', hub: 'orders' },
      'Durable.Reader': 'reader',
    });
    expect(() => roleMapFromEnv('X=reader@no hub')).toThrow(/role@taskhub for one hub/);
    expect(() => parseApiKeys(`reader@-bad:${readerKey}`, 'X')).toThrow(/role@taskhub:key/);
  });
});

describe('authorization by the access table', () => {
  const table = new HttpAccessTable();
  const auth = authenticatorFromEnv({ DURABLE_API_KEYS: `reader:${readerKey},admin:${adminKey}` });
  const rule = (method: string, url: string) => table.lookup(method, url)?.access;

  it('answers 401 without credentials, 403 with the wrong role, and lets the right role in', async () => {
    const purge = rule('DELETE', '/runtime/webhooks/durabletask/instances/abc');
    await expect(auth.authorize(purge, undefined)).rejects.toThrow(UnauthenticatedError);
    await expect(auth.authorize(purge, `Bearer ${readerKey}`)).rejects.toThrow(PermissionDeniedError);
    await expect(auth.authorize(purge, `Bearer ${adminKey}`)).resolves.toMatchObject({ roles: ['admin'] });
    const status = rule('GET', '/runtime/webhooks/durabletask/instances/abc?showHistory=true');
    await expect(auth.authorize(status, `Bearer ${readerKey}`)).resolves.toMatchObject({ roles: ['reader'] });
  });

  it('prefers literal segments, and matches as Express does (case, trailing slash, HEAD)', () => {
    expect(table.lookup('POST', '/runtime/webhooks/durabletask/entities/clean')?.key).toMatch(/clean$/);
    expect(table.lookup('GET', '/runtime/webhooks/durabletask/entities/clean')?.key).toMatch(
      /\{entityName\}$/,
    );
    expect(table.lookup('DELETE', '/RUNTIME/webhooks/durabletask/Instances/x/')?.access).toEqual([
      'contributor',
    ]);
    expect(table.lookup('HEAD', '/health')?.access).toBe('public');
    expect(table.lookup('GET', '/dashboard/assets/app.js')?.access).toBe('public');
  });

  it('requires admin where no rule applies', async () => {
    const none = rule('PUT', '/runtime/webhooks/durabletask/instances/abc');
    expect(none).toBeUndefined();
    await expect(auth.authorize(none, `Bearer ${readerKey}`)).rejects.toThrow(PermissionDeniedError);
  });
});

describe('the listen address rule', () => {
  const warnings: string[] = [];
  const warn = (message: string) => warnings.push(message);

  it('knows loopback addresses', () => {
    expect(['127.0.0.1', '127.1.2.3', '::1', '[::1]', 'localhost'].every(isLoopback)).toBe(true);
    expect(['0.0.0.0', '::', '10.0.0.1', 'example.com'].some(isLoopback)).toBe(false);
  });

  it('refuses a non-loopback address without authentication', () => {
    expect(() => checkListenAddress('0.0.0.0', authenticatorFromEnv({}), {}, warn)).toThrow(
      /refusing to listen/,
    );
  });

  it('serves it open when DURABLE_AUTH=off says so, with a warning', () => {
    const env = { DURABLE_AUTH: 'off' };
    checkListenAddress('0.0.0.0', authenticatorFromEnv(env), env, warn);
    expect(warnings.join()).toMatch(/authentication is off/);
  });

  it('serves a non-loopback address with authentication', () => {
    const env = { DURABLE_API_KEYS: `reader:${readerKey}` };
    expect(() => checkListenAddress('0.0.0.0', authenticatorFromEnv(env), env, warn)).not.toThrow();
  });

  it('refuses contradictory settings', () => {
    expect(() =>
      authenticatorFromEnv({ DURABLE_AUTH: 'off', DURABLE_API_KEYS: `reader:${readerKey}` }),
    ).toThrow(/choose one/);
    expect(() => authenticatorFromEnv({ DURABLE_AUTH: 'on' })).toThrow(/needs/);
    expect(() => authenticatorFromEnv({ DURABLE_OIDC_ISSUER: 'https://x' })).toThrow(/go together/);
    expect(() =>
      authenticatorFromEnv({
        DURABLE_OIDC_ROLE_MAP: 'x',
        DURABLE_OIDC_ISSUER: 'https://x',
        DURABLE_OIDC_AUDIENCE: 'a',
      }),
    ).toThrow(/claimValue=role/);
  });
});

describe("the dashboard's OIDC client", () => {
  const api = {
    DURABLE_OIDC_ISSUER: 'https://login.example/tenant/v2.0',
    DURABLE_OIDC_AUDIENCE: 'api://durable',
  };

  it('is off without DURABLE_OIDC_CLIENT_ID', () => {
    expect(dashboardOidcFromEnv(api)).toBeUndefined();
    expect(dashboardOidcFromEnv({})).toBeUndefined();
  });

  it('gives the issuer, the client and the scopes, openid always among them', () => {
    expect(
      dashboardOidcFromEnv({
        ...api,
        DURABLE_OIDC_CLIENT_ID: 'dashboard',
        DURABLE_OIDC_SCOPES: ' api://durable/Durable.Access  profile ',
      }),
    ).toEqual({
      issuer: 'https://login.example/tenant/v2.0',
      clientId: 'dashboard',
      scopes: 'openid api://durable/Durable.Access profile',
    });
    expect(dashboardOidcFromEnv({ ...api, DURABLE_OIDC_CLIENT_ID: 'dashboard' })?.scopes).toBe('openid');
  });

  it('refuses a client without the issuer and audience the API checks, and scopes without a client', () => {
    expect(() => dashboardOidcFromEnv({ DURABLE_OIDC_CLIENT_ID: 'dashboard' })).toThrow(
      /needs DURABLE_OIDC_ISSUER and DURABLE_OIDC_AUDIENCE/,
    );
    expect(() => dashboardOidcFromEnv({ ...api, DURABLE_OIDC_SCOPES: 'openid' })).toThrow(
      /DURABLE_OIDC_SCOPES needs DURABLE_OIDC_CLIENT_ID/,
    );
  });
});
