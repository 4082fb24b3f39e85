import { Module } from '@nestjs/common';
import type { Logger, Registry } from '@durable/engine';
import { securityFromEnv } from '../auth/security';
import { bootstrapApp } from '../bootstrap';
import { consoleLogger } from '../embedded/system-ports';
import { loadRegistry } from '../embedded/user-app';
import { HealthModule } from '../health.module';
import { startTelemetry } from '../telemetry';
import { distributedConfigFromEnv, type DistributedConfig } from './config';
import { startPerTaskHub } from '../task-hubs';
import type { Role } from './roles';

export interface WorkerAppOptions {
  readonly name: string;
  readonly defaultPort: number;
  /** The user's app when `DURABLE_APP` is not set. */
  readonly defaultRegistry: Registry;
  readonly start: (config: DistributedConfig, registry: Registry, logger: Logger) => Promise<Role>;
}

export interface WorkerState {
  role?: Role;
  /** Set on SIGTERM/SIGINT: a stopping worker takes no new work, so it is no longer ready. */
  stopping: boolean;
}

/** Ready once the role runs, until the worker begins to stop, and while the role says it can work. */
export function workerReady(state: WorkerState): boolean {
  return state.role !== undefined && !state.stopping && (state.role.ready?.() ?? true);
}

/**
 * Runs a worker app: health and readiness over HTTP at once (so probes see it start), the role
 * once Kafka and Cosmos DB are reachable, and a graceful stop on SIGTERM/SIGINT that hands the
 * partitions back before exiting.
 */
export async function runWorkerApp(
  options: WorkerAppOptions,
  env: NodeJS.ProcessEnv,
  cwd: string,
): Promise<void> {
  const telemetry = startTelemetry(`durable-${options.name}`);
  const config = distributedConfigFromEnv(env, cwd, options.defaultPort);
  const logger = consoleLogger(config.logLevel);
  const security = securityFromEnv(env, config.host, logger);
  const registry =
    config.appModule === undefined ? options.defaultRegistry : await loadRegistry(config.appModule);
  const running: WorkerState = { stopping: false };
  @Module({ imports: [HealthModule.forApp(options.name, () => workerReady(running))] })
  class WorkerModule {}
  const app = await bootstrapApp(WorkerModule, {
    port: config.port,
    host: config.host,
    logger: false,
    shutdownHooks: false,
    security,
  });
  const shutdown = async (signal: string): Promise<void> => {
    if (running.stopping) return;
    running.stopping = true;
    logger.info(`${options.name} stopping on ${signal}`);
    await running.role
      ?.stop()
      .catch((error: unknown) => logger.error('stopping failed', { error: String(error) }));
    await app.close();
    await telemetry.shutdown().catch(() => undefined);
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  // One role per task hub served: each joins its own hub's groups over its own topics and containers.
  const roles = await startPerTaskHub(config.taskHubs.hubs, (hub) =>
    options.start({ ...config, hub }, registry, logger),
  );
  running.role = allOf(roles.map((role) => role.started));
  logger.info(`${options.name} is ready`, { hubs: config.taskHubs.hubs, port: config.port });
}

/** The roles of every task hub as one: ready when all are, stopped together. */
function allOf(roles: readonly Role[]): Role {
  return {
    ready: () => roles.every((role) => role.ready?.() ?? true),
    stop: async () => {
      await Promise.all(roles.map((role) => role.stop()));
    },
  };
}
