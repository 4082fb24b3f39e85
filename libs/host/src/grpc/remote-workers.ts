import { readFileSync } from 'node:fs';
import { credentials } from '@grpc/grpc-js';
import {
  OrchestrationExecutor,
  type ActivityRunner,
  type EpisodeExecutor,
  type Logger,
  type Registry,
  type VersioningOptions,
} from '@durable/engine';
import { RemoteWorkClient, routingActivityRunner, RoutingEntityRunner, RoutingExecutor } from '@durable/grpc';

/**
 * Distributed mode: worker processes send the work of names they do not have in process to the
 * frontend at `DURABLE_GRPC_FRONTEND` (host:port of its gRPC port), where the SDK workers are
 * connected. Unset: every name runs in process. `DURABLE_GRPC_TOKEN`: a worker's bearer token for a
 * frontend with authentication; `DURABLE_GRPC_CA`: the CA (PEM file) of a frontend serving TLS, with
 * `DURABLE_GRPC_CLIENT_CERT`/`_KEY` when it asks for client certificates. The calls name `taskHub`, so
 * that the frontend hands the work to the SDK workers of that hub.
 */
export function remoteWorkFromEnv(env: NodeJS.ProcessEnv, taskHub: string): RemoteWorkClient | undefined {
  const address = env['DURABLE_GRPC_FRONTEND'];
  if (address === undefined || address === '') return undefined;
  const file = (name: string) => {
    const path = env[name];
    return path === undefined || path === '' ? undefined : readFileSync(path);
  };
  const ca = file('DURABLE_GRPC_CA');
  const cert = file('DURABLE_GRPC_CLIENT_CERT');
  const key = file('DURABLE_GRPC_CLIENT_KEY');
  const token = env['DURABLE_GRPC_TOKEN'];
  return new RemoteWorkClient(address, undefined, {
    taskHub,
    ...(token !== undefined && token !== '' ? { token } : {}),
    ...(ca !== undefined || cert !== undefined
      ? { credentials: credentials.createSsl(ca ?? null, key ?? null, cert ?? null) }
      : {}),
  });
}

export function routedExecutor(
  registry: Registry,
  logger: Logger,
  remote: RemoteWorkClient | undefined,
  versioning?: VersioningOptions,
): EpisodeExecutor {
  const local = new OrchestrationExecutor(registry, {
    logger,
    ...(versioning !== undefined ? { versioning } : {}),
  });
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
