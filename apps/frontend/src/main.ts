// `npm start`: the whole product in one process on the embedded default (SQLite), serving the
// Durable Functions HTTP API. Settings come from the environment (see README).
import {
  bootstrapApp,
  consoleLogger,
  EmbeddedPlatform,
  embeddedConfigFromEnv,
  loadRegistry,
} from '@durable/host';
import { registry as samples } from '@durable/samples';
import { appModule } from './app.module';

async function main(): Promise<void> {
  const config = embeddedConfigFromEnv(process.env, process.cwd());
  const logger = consoleLogger(config.logLevel);
  const registry = config.appModule === undefined ? samples : await loadRegistry(config.appModule);
  const platform = await EmbeddedPlatform.start({
    dataDir: config.dataDir,
    registry,
    partitions: config.partitions,
    logger,
  });
  const app = await bootstrapApp(appModule(platform.client, config.maxPayloadBytes), {
    port: config.port,
    host: config.host,
    bodyParser: false,
    shutdownHooks: false,
  });
  const address = app.getHttpServer().address() as { port: number };
  logger.info(`Durable is listening on http://${config.host}:${address.port}/runtime/webhooks/durabletask`, {
    dataDir: config.dataDir,
    partitions: config.partitions,
    orchestrations: registry.orchestratorNames,
  });
  let stopping = false;
  const shutdown = async (signal: string): Promise<void> => {
    if (stopping) return;
    stopping = true;
    logger.info(`stopping on ${signal}`);
    await app.close();
    await platform.stop();
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
