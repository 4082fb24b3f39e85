import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type INestApplication, Module } from '@nestjs/common';
import { bootstrapApp } from './bootstrap';
import { DashboardModule, findDashboardDir } from './dashboard.module';

const root = mkdtempSync(join(tmpdir(), 'durable-dashboard-'));
const built = join(root, 'dist', 'apps', 'dashboard');
mkdirSync(join(built, 'assets'), { recursive: true });
writeFileSync(join(built, 'index.html'), '<!doctype html><title>Durable dashboard</title>');
writeFileSync(join(built, 'assets', 'app.js'), 'console.log(1)');

afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('findDashboardDir', () => {
  it('finds the build from the sources and from an app build output', () => {
    expect(findDashboardDir({}, join(root, 'libs', 'host', 'src'))).toBe(built);
    expect(findDashboardDir({}, join(root, 'dist', 'apps', 'frontend', 'libs', 'host', 'src'))).toBe(built);
  });

  it('takes DASHBOARD_DIR when set, and nothing that is not a build', () => {
    expect(findDashboardDir({ DASHBOARD_DIR: built }, '/')).toBe(built);
    expect(findDashboardDir({ DASHBOARD_DIR: root }, join(root, 'libs'))).toBeUndefined();
  });
});

describe('DashboardModule', () => {
  let app: INestApplication;
  let origin: string;

  beforeAll(async () => {
    @Module({ imports: [DashboardModule.forRoot(built)] })
    class TestModule {}
    app = await bootstrapApp(TestModule, { port: 0, host: '127.0.0.1', logger: false });
    origin = `http://127.0.0.1:${(app.getHttpServer().address() as { port: number }).port}`;
  });

  afterAll(() => app.close());

  it('serves the page and its assets under /dashboard/, redirecting /dashboard', async () => {
    const page = await fetch(`${origin}/dashboard/`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('Durable dashboard');
    expect((await fetch(`${origin}/dashboard/assets/app.js`)).status).toBe(200);
    const bare = await fetch(`${origin}/dashboard`, { redirect: 'manual' });
    expect(bare.status).toBe(301);
    expect(bare.headers.get('location')).toBe('/dashboard/');
    expect((await fetch(`${origin}/dashboard/missing.js`)).status).toBe(404);
  });

  it('answers no OIDC client in config.json when none is configured', async () => {
    const config = await fetch(`${origin}/dashboard/config.json`);
    expect(config.status).toBe(200);
    expect(config.headers.get('cache-control')).toBe('no-store');
    await expect(config.json()).resolves.toEqual({ oidc: null });
  });
});

describe('DashboardModule with an OIDC client', () => {
  it("serves the client's public settings and the path to come back to", async () => {
    const oidc = { issuer: 'https://login.example/t/v2.0', clientId: 'dashboard', scopes: 'openid api' };
    @Module({ imports: [DashboardModule.forRoot(built, oidc)] })
    class TestModule {}
    const app = await bootstrapApp(TestModule, { port: 0, host: '127.0.0.1', logger: false });
    try {
      const { port } = app.getHttpServer().address() as { port: number };
      const config = await fetch(`http://127.0.0.1:${port}/dashboard/config.json`);
      await expect(config.json()).resolves.toEqual({ oidc: { ...oidc, redirectPath: '/dashboard/' } });
    } finally {
      await app.close();
    }
  });
});
