import {
  OrchestrationExecutor,
  type ActivityRunner,
  type EpisodeExecutor,
  type Logger,
  type Registry,
} from '@durable/engine';
import { RemoteWorkClient, routingActivityRunner, RoutingEntityRunner, RoutingExecutor } from '@durable/grpc';

/**
 * Distributed mode: worker processes send the work of names they do not have in process to the
 * frontend at `DURABLE_GRPC_FRONTEND` (host:port of its gRPC port), where the SDK workers are
 * connected. Unset: every name runs in process.
 */
export function remoteWorkFromEnv(env: NodeJS.ProcessEnv): RemoteWorkClient | undefined {
  const address = env['DURABLE_GRPC_FRONTEND'];
  return address === undefined || address === '' ? undefined : new RemoteWorkClient(address);
}

export function routedExecutor(
  registry: Registry,
  logger: Logger,
  remote: RemoteWorkClient | undefined,
): EpisodeExecutor {
  const local = new OrchestrationExecutor(registry, { logger });
  return remote === undefined ? local : new RoutingExecutor(registry, local, remote);
}

/** Entities not registered in process run on remote workers (none without a frontend to reach). */
export function routedEntities(
  registry: Registry,
  logger: Logger,
  remote: RemoteWorkClient | undefined,
): { entities?: RoutingEntityRunner } {
  return remote === undefined ? {} : { entities: new RoutingEntityRunner(registry, remote, logger) };
}

export function routedActivities(
  registry: Registry,
  logger: Logger,
  remote: RemoteWorkClient | undefined,
): { runActivity?: ActivityRunner } {
  return remote === undefined ? {} : { runActivity: routingActivityRunner(registry, remote, logger) };
}
