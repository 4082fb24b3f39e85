import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { INestApplication } from '@nestjs/common';
import { bootstrapApp, EmbeddedPlatform } from '@durable/host';
import { registry } from '@durable/samples';
import { appModule } from './app.module';

describe('frontend app on the embedded platform', () => {
  let dir: string;
  let platform: EmbeddedPlatform;
  let app: INestApplication;
  let base: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'durable-frontend-'));
    platform = await EmbeddedPlatform.start({ dataDir: dir, registry, partitions: 2 });
    app = await bootstrapApp(
      appModule({ name: 'durable', client: platform.client, retention: platform.retention }, [], 1024),
      {
        port: 0,
        host: '127.0.0.1',
        logger: false,
        bodyParser: false,
      },
    );
    const { port } = app.getHttpServer().address() as { port: number };
    base = `http://127.0.0.1:${port}`;
  });

  afterAll(async () => {
    await app.close();
    await platform.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('reports healthy', async () => {
    expect(await (await fetch(`${base}/health`)).json()).toEqual({ status: 'ok', app: 'frontend' });
  });

  it('starts a sample orchestration over HTTP and serves its output', async () => {
    const started = await fetch(`${base}/runtime/webhooks/durabletask/orchestrators/HelloSequence`, {
      method: 'POST',
    });
    expect(started.status).toBe(202);
    const { statusQueryGetUri } = (await started.json()) as { statusQueryGetUri: string };
    let response = await fetch(statusQueryGetUri);
    for (let i = 0; i < 200 && response.status === 202; i++) {
      await new Promise((resolve) => setTimeout(resolve, 10));
      response = await fetch(statusQueryGetUri);
    }
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({
      runtimeStatus: 'Completed',
      output: ['Hello Tokyo!', 'Hello Seattle!', 'Hello London!'],
    });
  });

  it('refuses an input over the configured payload limit with 413', async () => {
    const response = await fetch(`${base}/runtime/webhooks/durabletask/orchestrators/FanOutFanIn`, {
      method: 'POST',
      body: JSON.stringify({ padding: 'x'.repeat(2048) }),
      headers: { 'content-type': 'application/json' },
    });
    expect(response.status).toBe(413);
  });
});
