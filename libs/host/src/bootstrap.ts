import 'reflect-metadata';
import type { INestApplication, Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';

export interface BootstrapOptions {
  readonly port: number;
  readonly host: string;
  readonly logger?: false;
  /**
   * Nest's JSON and urlencoded body parsers (default on). Apps serving the durable HTTP API turn
   * them off: DurableHttpModule reads bodies itself, with its own size limit.
   */
  readonly bodyParser?: boolean;
  /** Nest's own SIGTERM/SIGINT handling (default on); off when the caller orders the shutdown itself. */
  readonly shutdownHooks?: boolean;
}

/** Starts a Nest app with graceful shutdown hooks, bound to loopback unless told otherwise. */
export async function bootstrapApp(
  module: Type<unknown>,
  options: BootstrapOptions,
): Promise<INestApplication> {
  const app = await NestFactory.create(module, {
    ...(options.logger === false ? { logger: false } : {}),
    ...(options.bodyParser === false ? { bodyParser: false } : {}),
  });
  if (options.shutdownHooks !== false) app.enableShutdownHooks();
  try {
    await app.listen(options.port, options.host);
  } catch (error) {
    await app.close().catch(() => undefined);
    throw error;
  }
  return app;
}

/** Port and host from the environment: `PORT` (default given) and `HOST` (default 127.0.0.1). */
export function listenOptionsFromEnv(env: NodeJS.ProcessEnv, defaultPort: number): BootstrapOptions {
  const port = env['PORT'] === undefined ? defaultPort : Number(env['PORT']);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new Error(`PORT must be a port number, got '${env['PORT']}'`);
  return { port, host: env['HOST'] ?? '127.0.0.1' };
}
