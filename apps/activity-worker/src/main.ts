import { bootstrapApp, listenOptionsFromEnv } from '@durable/host';
import { AppModule } from './app.module';

async function main(): Promise<void> {
  await bootstrapApp(AppModule, listenOptionsFromEnv(process.env, 7073));
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
