import 'reflect-metadata';
import type { INestApplication, Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';

export interface BootstrapOptions {
  readonly port: number;
  readonly host: string;
  readonly logger?: false;
}

/** Starts a Nest app with graceful shutdown hooks, bound to loopback unless told otherwise. */
export async function bootstrapApp(module: Type<unknown>, options: BootstrapOptions): Promise<INestApplication> {
  const app = await NestFactory.create(module, options.logger === false ? { logger: false } : {});
  app.enableShutdownHooks();
  await app.listen(options.port, options.host);
  return app;
}

/** Port and host from the environment: `PORT` (default given) and `HOST` (default 127.0.0.1). */
export function listenOptionsFromEnv(env: NodeJS.ProcessEnv, defaultPort: number): BootstrapOptions {
  const port = env['PORT'] === undefined ? defaultPort : Number(env['PORT']);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`PORT must be a port number, got '${env['PORT']}'`);
  return { port, host: env['HOST'] ?? '127.0.0.1' };
}
