import { Module } from '@nestjs/common';
import { bootstrapApp, listenOptionsFromEnv } from './bootstrap';
import { HealthModule } from './health.module';

@Module({ imports: [HealthModule.forApp('test-app')] })
class TestModule {}

describe('health endpoint', () => {
  it('answers GET /health with the app name over HTTP', async () => {
    const app = await bootstrapApp(TestModule, { port: 0, host: '127.0.0.1', logger: false });
    try {
      const address = app.getHttpServer().address() as { port: number };
      const response = await fetch(`http://127.0.0.1:${address.port}/health`);
      expect(response.status).toBe(200);
      expect(await response.json()).toEqual({ status: 'ok', app: 'test-app' });
    } finally {
      await app.close();
    }
  });
});

describe('readiness endpoint', () => {
  it('answers 503 while the app is starting and 200 once it is ready', async () => {
    let ready = false;
    @Module({ imports: [HealthModule.forApp('worker', () => ready)] })
    class WorkerModule {}
    const app = await bootstrapApp(WorkerModule, { port: 0, host: '127.0.0.1', logger: false });
    try {
      const address = app.getHttpServer().address() as { port: number };
      const url = `http://127.0.0.1:${address.port}/health/ready`;
      expect((await fetch(url)).status).toBe(503);
      ready = true;
      const response = await fetch(url);
      expect(response.status).toBe(200);
      expect(await response.json()).toEqual({ status: 'ok', app: 'worker' });
    } finally {
      await app.close();
    }
  });
});

describe('listenOptionsFromEnv', () => {
  it('defaults to loopback and the given port', () => {
    expect(listenOptionsFromEnv({}, 7071)).toEqual({ port: 7071, host: '127.0.0.1' });
  });

  it('rejects a PORT that is not a port number', () => {
    expect(() => listenOptionsFromEnv({ PORT: 'abc' }, 7071)).toThrow(
      "PORT must be a port number, got 'abc'",
    );
  });
});
