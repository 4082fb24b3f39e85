// The frontend: the Durable Functions HTTP API. `npm start` runs the whole product in this one
// process on the embedded default (SQLite); with DURABLE_MODE=distributed it serves the API over
// Kafka and Cosmos DB and runs the Kafka triggers, while workers run as their own processes.
// Settings come from the environment (see README).
import {
  bootstrapApp,
  consoleLogger,
  distributedConfigFromEnv,
  EmbeddedPlatform,
  embeddedConfigFromEnv,
  type EmbeddedConfig,
  isDistributed,
  loadRegistry,
  startFrontend,
} from '@durable/host';
import { registry as samples } from '@durable/samples';
import { appModule } from './app.module';

async function main(): Promise<void> {
  const distributed = isDistributed(process.env)
    ? distributedConfigFromEnv(process.env, process.cwd(), 7071)
    : undefined;
  const embedded: EmbeddedConfig | undefined =
    distributed === undefined ? embeddedConfigFromEnv(process.env, process.cwd()) : undefined;
  const config = distributed ?? (embedded as EmbeddedConfig);
  const logger = consoleLogger(config.logLevel);
  const registry = config.appModule === undefined ? samples : await loadRegistry(config.appModule);
  const platform =
    distributed !== undefined
      ? await startFrontend(distributed, registry, logger)
      : await EmbeddedPlatform.start({
          dataDir: (embedded as EmbeddedConfig).dataDir,
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
    mode: distributed !== undefined ? 'distributed' : 'embedded',
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
