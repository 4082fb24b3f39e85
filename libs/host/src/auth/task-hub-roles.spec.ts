// Roles for one task hub over the HTTP API: a process serving task hub `orders` honours the grants
// for `orders` and for every hub, and treats a key granted for another hub as known but powerless.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type INestApplication, Module } from '@nestjs/common';
import { authenticatorFromEnv } from '@durable/auth';
import { defineOrchestration, Registry } from '@durable/engine';
import { bootstrapApp } from '../bootstrap';
import { EmbeddedPlatform } from '../embedded/embedded-platform';
import { DurableHttpModule } from '../http/durable-http.module';
import { durableBasePath } from '../http/routes';

const keys = {
  ordersContributor: 'orders-contributor-key-0123',
  billingAdmin: 'billing-admin-key-0123456',
  everywhereReader: 'reader-everywhere-key-0123',
};

let dataDir: string;
let platform: EmbeddedPlatform;
let app: INestApplication;
let api: string;

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'durable-hub-roles-'));
  const registry = new Registry().add(defineOrchestration('Hello', async () => 'done'));
  platform = await EmbeddedPlatform.start({ dataDir, registry, partitions: 1 });
  @Module({
    imports: [DurableHttpModule.forRoot({ instanceService: { useValue: platform.client } })],
  })
  class HubModule {}
  const authenticator = authenticatorFromEnv({
    TASK_HUB: 'orders',
    DURABLE_API_KEYS: [
      `contributor@orders:${keys.ordersContributor}`,
      `admin@billing:${keys.billingAdmin}`,
      `reader:${keys.everywhereReader}`,
    ].join('\n'),
  });
  app = await bootstrapApp(HubModule, {
    port: 0,
    host: '127.0.0.1',
    logger: false,
    bodyParser: false,
    shutdownHooks: false,
    security: { authenticator },
  });
  api = `http://127.0.0.1:${(app.getHttpServer().address() as { port: number }).port}${durableBasePath}`;
});

afterAll(async () => {
  await app?.close();
  await platform?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

const as = (key: string, init: RequestInit = {}) => ({
  ...init,
  headers: { authorization: `Bearer ${key}` },
});

it('lets the contributor of this hub start, and the reader of every hub read', async () => {
  const started = await fetch(`${api}/orchestrators/Hello`, as(keys.ordersContributor, { method: 'POST' }));
  expect(started.status).toBe(202);
  const whoami = await fetch(`${api}/auth/whoami`, as(keys.everywhereReader));
  expect(await whoami.json()).toEqual({ authenticated: true, roles: ['reader'] });
  expect((await fetch(`${api}/instances`, as(keys.everywhereReader))).status).toBe(200);
});

it("answers 403 to an admin of another hub: the key is known, its role is not this hub's", async () => {
  const whoami = await fetch(`${api}/auth/whoami`, as(keys.billingAdmin));
  expect(await whoami.json()).toEqual({ authenticated: true, roles: [] });
  const purge = await fetch(`${api}/instances/any`, as(keys.billingAdmin, { method: 'DELETE' }));
  expect(purge.status).toBe(403);
  expect(await purge.json()).toMatchObject({ message: expect.stringContaining('the caller has none') });
});
