import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type INestApplication, Module } from '@nestjs/common';
import { defineActivity, defineOrchestration, Registry } from '@durable/engine';
import { approval, helloSequence, sayHello } from '@durable/samples';
import { SqliteStateStore } from '@durable/storage-sqlite';
import { bootstrapApp } from '../bootstrap';
import { EmbeddedPlatform } from '../embedded/embedded-platform';
import { DurableHttpModule } from './durable-http.module';

// An activity that never answers until the test lets it, so the instance stays waiting on it.
let release: (() => void) | undefined;
const slow = defineActivity(
  'Slow',
  () => new Promise<string>((resolve) => (release = () => resolve('done'))),
);
const waitsOnActivity = defineOrchestration('WaitsOnActivity', (ctx) => ctx.callActivity(slow, undefined));
const registry = new Registry().add(slow, waitsOnActivity, approval, helloSequence, sayHello);

let dir: string;
let platform: EmbeddedPlatform;
let app: INestApplication;
let api: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'durable-waiting-'));
  platform = await EmbeddedPlatform.start({ dataDir: dir, registry, partitions: 2 });
  @Module({ imports: [DurableHttpModule.forRoot({ instanceService: { useValue: platform.client } })] })
  class TestModule {}
  app = await bootstrapApp(TestModule, { port: 0, host: '127.0.0.1', logger: false, bodyParser: false });
  const { port } = app.getHttpServer().address() as { port: number };
  api = `http://127.0.0.1:${port}/runtime/webhooks/durabletask`;
});

afterAll(async () => {
  release?.();
  await app.close();
  await platform.stop();
  rmSync(dir, { recursive: true, force: true });
});

async function getJson(path: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(`${api}${path}`);
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

/** Polls `/waiting` until `ready` accepts it (the instance's first episode runs asynchronously). */
async function waitingUntil(
  instanceId: string,
  ready: (body: Record<string, unknown>) => boolean,
): Promise<Record<string, unknown>> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const { status, body } = await getJson(`/instances/${instanceId}/waiting`);
    expect(status).toBe(200);
    if (ready(body) || Date.now() > deadline) return body;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('GET /instances/{id}/waiting', () => {
  it('names the awaited event and the timer with its due time', async () => {
    await fetch(`${api}/orchestrators/Approval/order-1`, { method: 'POST', body: '{"timeoutSeconds":600}' });
    const body = await waitingUntil('order-1', (b) => (b.timers as unknown[]).length > 0);
    expect(body).toMatchObject({
      instanceId: 'order-1',
      name: 'Approval',
      runtimeStatus: 'Running',
      activities: [],
      events: [{ name: 'Approval' }],
      subOrchestrations: [],
      entityLocks: { held: [], awaiting: [] },
      partitionOwned: true,
      notes: [],
    });
    const [timer] = body.timers as Array<{ timerId: number; fireAt: string; createdAt: string }>;
    expect(Date.parse(timer!.fireAt) - Date.parse(timer!.createdAt)).toBe(600_000);
    expect(typeof body.partition).toBe('number');
  });

  it('reads the awaited events the orchestration worker recorded, not a replay', async () => {
    await fetch(`${api}/orchestrators/Approval/order-2`, { method: 'POST', body: '{"timeoutSeconds":600}' });
    await waitingUntil('order-2', (b) => (b.timers as unknown[]).length > 0);
    // A second connection to the product's database: what any reader of the store sees.
    const store = new SqliteStateStore(join(dir, 'durable.db'));
    try {
      const stored = await store.getInstance('order-2');
      expect(stored?.record.awaitedEvents).toEqual([{ name: 'Approval', since: expect.any(String) }]);
    } finally {
      await store.close();
    }
  });

  it('lists an activity scheduled and not completed, with its attempt', async () => {
    await fetch(`${api}/orchestrators/WaitsOnActivity/slow-1`, { method: 'POST' });
    const body = await waitingUntil('slow-1', (b) => (b.activities as unknown[]).length > 0);
    expect(body.activities).toEqual([
      { taskId: 0, name: 'Slow', scheduledAt: expect.any(String), attempt: 1 },
    ]);
    expect(body.events).toEqual([]);
  });

  it('says a finished instance waits on nothing', async () => {
    await fetch(`${api}/orchestrators/HelloSequence/done-1`, { method: 'POST' });
    await platform.client.waitForCompletion('done-1', { timeoutMs: 10_000 });
    const { status, body } = await getJson('/instances/done-1/waiting');
    expect(status).toBe(200);
    expect(body).toMatchObject({ runtimeStatus: 'Completed', activities: [], timers: [], events: [] });
    expect(body.notes).toEqual(['completed: a finished instance waits on nothing']);
  });

  it('answers 404 for an unknown instance and 400 for an invalid id', async () => {
    const missing = await getJson('/instances/nobody/waiting');
    expect(missing.status).toBe(404);
    expect(missing.body).toMatchObject({ error: 'InstanceNotFoundError' });
    const invalid = await getJson(`/instances/${'x'.repeat(300)}/waiting`);
    expect(invalid.status).toBe(400);
  });
});

describe('GET /orchestrators', () => {
  it('lists the registered orchestration names, sorted', async () => {
    const { status, body } = await getJson('/orchestrators');
    expect(status).toBe(200);
    const names = (body.orchestrators as Array<{ name: string }>).map((o) => o.name);
    expect(names).toEqual([...registry.orchestratorNames].sort((a, b) => a.localeCompare(b)));
    expect(names).toContain('HelloSequence');
  });

  it('documents both endpoints in the OpenAPI document', async () => {
    const doc = (await (
      await fetch(api.replace('/runtime/webhooks/durabletask', '/openapi.json'))
    ).json()) as {
      paths: Record<string, unknown>;
    };
    expect(doc.paths).toHaveProperty(['/runtime/webhooks/durabletask/orchestrators']);
    expect(doc.paths).toHaveProperty(['/runtime/webhooks/durabletask/instances/{instanceId}/waiting']);
  });
});
