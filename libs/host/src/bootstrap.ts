import 'reflect-metadata';
import type { INestApplication, Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { httpAuthMiddleware } from './auth/http-auth';
import type { Security } from './auth/security';

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
  /** Authentication on every request, and TLS (HTTPS) when certificate files are given. */
  readonly security?: Security;
  /** Longest a client may take to send one whole request (default 30 s): slow clients hold sockets. */
  readonly requestTimeoutMs?: number;
}

/** Starts a Nest app with graceful shutdown hooks, bound to loopback unless told otherwise. */
export async function bootstrapApp(
  module: Type<unknown>,
  options: BootstrapOptions,
): Promise<INestApplication> {
  const tls = options.security?.tls;
  const app = await NestFactory.create(module, {
    ...(options.logger === false ? { logger: false } : {}),
    ...(options.bodyParser === false ? { bodyParser: false } : {}),
    ...(tls !== undefined ? { httpsOptions: { cert: tls.cert, key: tls.key } } : {}),
  });
  if (options.shutdownHooks !== false) app.enableShutdownHooks();
  // Before Nest's router, so no handler or body reader runs for a caller the access table refuses.
  if (options.security !== undefined) app.use(httpAuthMiddleware(options.security.authenticator));
  const server = app.getHttpServer() as { requestTimeout: number; headersTimeout: number };
  server.requestTimeout = options.requestTimeoutMs ?? 30_000;
  server.headersTimeout = Math.min(server.headersTimeout, server.requestTimeout);
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
