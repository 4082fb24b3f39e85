import { bootstrapApp } from '@durable/host';
import { AppModule } from './app.module';

describe('frontend app', () => {
  it('starts and reports healthy', async () => {
    const app = await bootstrapApp(AppModule, { port: 0, host: '127.0.0.1', logger: false });
    try {
      const { port } = app.getHttpServer().address() as { port: number };
      const response = await fetch(`http://127.0.0.1:${port}/health`);
      expect(await response.json()).toEqual({ status: 'ok', app: 'frontend' });
    } finally {
      await app.close();
    }
  });
});
