// The frontend: the Durable Functions HTTP API. `npm start` runs the whole product in this one
// process on the embedded default (SQLite); with DURABLE_MODE=distributed it serves the API over
// Kafka and Cosmos DB and runs the Kafka triggers, while workers run as their own processes.
// Settings come from the environment (see README).
import {
  bootstrapApp,
  consoleLogger,
  distributedConfigFromEnv,
  dashboardPath,
  embeddedHubDataDir,
  EmbeddedPlatform,
  embeddedConfigFromEnv,
  findDashboardDir,
  GrpcFrontend,
  grpcLimitsFromEnv,
  grpcMaxMessageBytes,
  grpcPortFromEnv,
  type EmbeddedConfig,
  isDistributed,
  loadRegistry,
  securityFromEnv,
  startFrontend,
  startPerTaskHub,
  startTelemetry,
  WorkItemHub,
} from '@durable/host';
import { registry as samples } from '@durable/samples';
import { appModule } from './app.module';

async function main(): Promise<void> {
  // First, so that every instrument and span of the platform uses the configured providers.
  const telemetry = startTelemetry('durable-frontend');
  const distributed = isDistributed(process.env)
    ? distributedConfigFromEnv(process.env, process.cwd(), 7071)
    : undefined;
  const embedded: EmbeddedConfig | undefined =
    distributed === undefined ? embeddedConfigFromEnv(process.env, process.cwd()) : undefined;
  const config = distributed ?? (embedded as EmbeddedConfig);
  const logger = consoleLogger(config.logLevel);
  // Before anything starts: refuses an open non-loopback address and bad auth or TLS settings.
  const security = securityFromEnv(process.env, config.host, logger);
  const registry = config.appModule === undefined ? samples : await loadRegistry(config.appModule);
  // Durable Task SDK workers connect to the gRPC endpoint; names not registered here run on them.
  const grpcPort = grpcPortFromEnv(process.env);
  const grpcLimits = grpcLimitsFromEnv(process.env);
  const taskHubs = config.taskHubs;
  // One platform per task hub, each on its own SQLite file or its own topics and containers; a
  // request's `taskHub` (REST) or `taskhub` metadata (gRPC) picks one, else the default hub.
  const hubs = await startPerTaskHub(taskHubs.hubs, async (name) => {
    const remote = grpcPort === undefined ? undefined : new WorkItemHub({ logger });
    const platform =
      distributed !== undefined
        ? await startFrontend(
            // Trigger topics start orchestrations in the default hub only.
            { ...distributed, hub: name, triggers: name === taskHubs.defaultHub ? distributed.triggers : '' },
            registry,
            logger,
          )
        : await EmbeddedPlatform.start({
            dataDir: embeddedHubDataDir((embedded as EmbeddedConfig).dataDir, name, taskHubs),
            registry,
            partitions: config.partitions,
            logger,
            ...(remote !== undefined ? { remote } : {}),
            ...(config.retention !== undefined ? { retention: config.retention } : {}),
            ...(config.versioning !== undefined ? { versioning: config.versioning } : {}),
          });
    return { client: platform.client, retention: platform.retention, remote, stop: () => platform.stop() };
  });
  const [defaultHub, ...otherHubs] = hubs.map(({ name, started }) => ({ name, ...started }));
  if (defaultHub === undefined) throw new Error('no task hub to serve');
  const grpc =
    defaultHub.remote === undefined || grpcPort === undefined
      ? undefined
      : await GrpcFrontend.start({
          taskHub: defaultHub.name,
          client: defaultHub.client,
          hub: defaultHub.remote,
          otherTaskHubs: otherHubs.map(({ name, client, remote }) => ({
            name,
            client,
            hub: remote as WorkItemHub,
          })),
          host: config.host,
          port: grpcPort,
          logger,
          maxMessageBytes: grpcMaxMessageBytes(config.maxPayloadBytes),
          limits: grpcLimits,
          authenticator: security.authenticator,
          ...(security.tls !== undefined ? { tls: security.tls } : {}),
        });
  const dashboardDir = findDashboardDir(process.env);
  const module = appModule(
    defaultHub,
    otherHubs,
    config.maxPayloadBytes,
    dashboardDir,
    security.dashboardOidc,
  );
  const app = await bootstrapApp(module, {
    port: config.port,
    host: config.host,
    bodyParser: false,
    shutdownHooks: false,
    security,
  });
  const address = app.getHttpServer().address() as { port: number };
  const scheme = security.tls !== undefined ? 'https' : 'http';
  logger.info(
    `Durable is listening on ${scheme}://${config.host}:${address.port}/runtime/webhooks/durabletask`,
    {
      mode: distributed !== undefined ? 'distributed' : 'embedded',
      partitions: config.partitions,
      orchestrations: registry.orchestratorNames,
      entities: registry.entityNames,
      auth: security.authenticator.enabled ? 'on' : 'off',
      taskHubs: taskHubs.hubs,
      retention: defaultHub.retention.state().policy,
      ...(grpc !== undefined ? { grpc: `${config.host}:${grpc.port}` } : {}),
    },
  );
  if (dashboardDir !== undefined)
    logger.info(`Dashboard: ${scheme}://${config.host}:${address.port}${dashboardPath}/`);
  else logger.warn('the dashboard is not built (npm run build builds it): /dashboard is not served');
  let stopping = false;
  const shutdown = async (signal: string): Promise<void> => {
    if (stopping) return;
    stopping = true;
    logger.info(`stopping on ${signal}`);
    // First the gRPC workers: work items they hold go back to the log, unblocking the batches.
    await grpc?.stop();
    await app.close();
    await Promise.all(hubs.map(({ started }) => started.stop()));
    await telemetry.shutdown().catch(() => undefined);
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
