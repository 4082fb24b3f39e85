// Code passed to page.evaluate runs in the browser.
/// <reference lib="dom" />
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { freePort } from '@durable/tools/net';
import { OidcProviderProcess } from '@durable/tools/servers';
import { launchChromium } from '../support/chromium';
import { DurableProcess } from '../support/durable-process';

// The dashboard signing in with a real OpenID Provider (oidc-provider, its development login form) by
// authorization code + PKCE, in real Chromium, against the product started as `npm start` does, which
// checks the provider's JWT access tokens and their roles.
const root = join(__dirname, '..', '..');
const shots = join(root, 'test', 'artifacts', 'dashboard');
const audience = 'api://durable';

describe('the dashboard signing in with OIDC', () => {
  let provider: OidcProviderProcess;
  let product: DurableProcess;
  let dashboard: string;
  const browsers: Array<{ context: BrowserContext; profile: string }> = [];

  beforeAll(async () => {
    execFileSync(process.execPath, ['tools/build-dashboard.mjs', '--if-stale'], {
      cwd: root,
      stdio: 'inherit',
    });
    const port = await freePort();
    dashboard = `http://127.0.0.1:${port}/dashboard/`;
    provider = await OidcProviderProcess.start({
      clientId: 'durable-dashboard',
      redirectUris: [dashboard],
      audience,
      roles: { rita: ['reader'], carl: ['contributor'] },
    });
    product = new DurableProcess({
      PORT: String(port),
      DURABLE_OIDC_ISSUER: provider.issuer,
      DURABLE_OIDC_AUDIENCE: audience,
      DURABLE_OIDC_CLIENT_ID: 'durable-dashboard',
      DURABLE_OIDC_SCOPES: 'durable',
    });
    await product.start();
    mkdirSync(shots, { recursive: true });
  });

  afterAll(async () => {
    for (const { context, profile } of browsers) {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    }
    await product?.stop();
    product?.cleanup();
    await provider?.stop();
  });

  /** A browser of its own for each user: the provider's session cookie would sign in the last one. */
  async function newPage(): Promise<Page> {
    const profile = mkdtempSync(join(tmpdir(), 'durable-chromium-'));
    const context = await launchChromium(profile);
    browsers.push({ context, profile });
    const page = context.pages()[0] ?? (await context.newPage());
    page.setDefaultTimeout(15_000);
    return page;
  }

  /** From the dashboard's sign-in box to the provider's login form and back, as `login`. */
  async function signIn(page: Page, login: string, role: string): Promise<void> {
    await page.goto(`${dashboard}#/instances`);
    await page.getByTestId('oidc-sign-in').getByText(`Sign in with 127.0.0.1:${provider.port}`).click();
    await page.locator('input[name=login]').fill(login);
    await page.locator('input[name=password]').fill('any password');
    await page.getByRole('button', { name: 'Sign-in' }).click();
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.getByText(`roles: ${role}`).waitFor();
    // The provider's answer (code, state) left the address bar; the page asked for is back.
    expect(page.url()).toBe(`${dashboard}#/instances`);
  }

  const tokenIn = (page: Page): Promise<string | null> =>
    page.evaluate(() => sessionStorage.getItem('durable.token'));

  const api = (path: string, token: string | null, method = 'GET') =>
    fetch(`${product.baseUrl}${path}`, {
      method,
      headers: token === null ? {} : { authorization: `Bearer ${token}` },
    });

  let contributor: Page;
  let contributorToken: string | null;

  it('signs a contributor in at the provider, who then starts an instance from the dashboard', async () => {
    contributor = await newPage();
    await contributor.goto(`${dashboard}#/instances`);
    await contributor.getByTestId('sign-in').waitFor();
    await signIn(contributor, 'carl', 'contributor');
    contributorToken = await tokenIn(contributor);
    // The stored token is the provider's JWT access token for the API's audience.
    const payload = String(contributorToken).split('.')[1] ?? '';
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString()) as Record<string, unknown>;
    expect(claims).toMatchObject({ aud: audience, iss: provider.issuer, roles: ['contributor'] });
    await contributor.getByTestId('start').click();
    await contributor.getByTestId('start-name').selectOption('HelloSequence');
    await contributor.getByTestId('start-id').fill('oidc-hello');
    await contributor.getByTestId('confirm').click();
    await contributor.getByTestId('api-answer').getByText('HTTP 202').waitFor();
    await contributor.getByTestId('close').click();
    await contributor.goto(`${dashboard}#/instances/oidc-hello`);
    await contributor.locator('h2 .badge', { hasText: 'Completed' }).waitFor();
    await contributor.getByTestId('output').getByText('Hello London!').waitFor();
  });

  it('shows a reader the instances read-only, and the server refuses its terminate', async () => {
    const started = await api('/orchestrators/Approval/oidc-waiting', contributorToken, 'POST');
    expect(started.status).toBe(202);
    const reader = await newPage();
    await signIn(reader, 'rita', 'reader');
    await reader.getByTestId('instance-row').filter({ hasText: 'oidc-hello' }).waitFor();
    await reader.getByTestId('instance-row').filter({ hasText: 'oidc-waiting' }).waitFor();
    await expect(reader.getByTestId('start').count()).resolves.toBe(0);
    await reader.goto(`${dashboard}#/instances/oidc-waiting`);
    await reader.locator('h2 .badge', { hasText: 'Running' }).waitFor();
    await reader.getByText('Read-only: actions need the contributor or admin role.').waitFor();
    await expect(reader.getByTestId('action-terminate').count()).resolves.toBe(0);
    await reader.screenshot({ path: join(shots, 'oidc-reader.png') });
    const terminate = await api('/instances/oidc-waiting/terminate?reason=no', await tokenIn(reader), 'POST');
    expect(terminate.status).toBe(403);
    expect(((await terminate.json()) as { error: string }).error).toBe('PermissionDeniedError');
  });

  it('sends a user whose token the API refuses back to the sign-in box, and signs in again', async () => {
    const token = String(await tokenIn(contributor));
    // A changed signature: the API answers 401, as for an expired token.
    const refused = `${token.slice(0, -4)}${token.endsWith('AAAA') ? 'BBBB' : 'AAAA'}`;
    expect((await api('/instances', refused)).status).toBe(401);
    await contributor.evaluate((bad) => sessionStorage.setItem('durable.token', bad), refused);
    await contributor.goto(`${dashboard}#/instances`);
    await contributor.reload();
    await contributor.getByTestId('sign-in').waitFor();
    await expect(tokenIn(contributor)).resolves.toBeNull();
    await contributor.getByTestId('oidc-sign-in').click();
    // Still signed in at the provider: it sends the browser straight back with a new code.
    await contributor.getByText('roles: contributor').waitFor();
    await expect(contributor.getByTestId('sign-in').count()).resolves.toBe(0);
  });

  it('signs out to the sign-in box, offering the provider and the pasted token', async () => {
    await contributor.getByText('sign out').click();
    await contributor.getByTestId('sign-in').waitFor();
    await contributor.getByTestId('oidc-sign-in').waitFor();
    await contributor.getByTestId('token').waitFor();
    await expect(tokenIn(contributor)).resolves.toBeNull();
    await contributor.screenshot({ path: join(shots, 'oidc-sign-in.png') });
    // Dismissed, the box opens again from the header.
    await contributor.getByRole('button', { name: 'Cancel' }).click();
    await expect(contributor.getByTestId('sign-in').count()).resolves.toBe(0);
    await contributor.getByTestId('open-sign-in').click();
    await contributor.getByTestId('oidc-sign-in').waitFor();
  });

  it('refuses an answer from the provider that this tab did not ask for, or with another state', async () => {
    const page = await newPage();
    await page.goto(`${dashboard}?code=forged&state=forged#/instances`);
    await page
      .getByTestId('sign-in-failure')
      .getByText(/did not ask for/)
      .waitFor();
    expect(page.url()).toBe(`${dashboard}#/instances`);
    await page.getByTestId('oidc-sign-in').click();
    await page.locator('input[name=login]').waitFor();
    await page.goto(`${dashboard}?code=forged&state=forged&iss=${encodeURIComponent(provider.issuer)}`);
    await page
      .getByTestId('sign-in-failure')
      .getByText(/unexpected "state"/)
      .waitFor();
    await expect(tokenIn(page)).resolves.toBeNull();
  });

  it('says why when the user cancels at the provider', async () => {
    const page = await newPage();
    await page.goto(`${dashboard}#/entities`);
    await page.getByTestId('oidc-sign-in').click();
    await page.getByText('[ Cancel ]').click();
    await page
      .getByTestId('sign-in-failure')
      .getByText(/access_denied/)
      .waitFor();
    expect(page.url()).toBe(`${dashboard}#/entities`);
    await expect(tokenIn(page)).resolves.toBeNull();
  });

  it('serves the public client settings to the page, and no secret', async () => {
    const config = await fetch(`${dashboard}config.json`);
    await expect(config.json()).resolves.toEqual({
      oidc: {
        issuer: provider.issuer,
        clientId: 'durable-dashboard',
        scopes: 'openid durable',
        redirectPath: '/dashboard/',
      },
    });
  });
});
