import { readFileSync } from 'node:fs';
import {
  AuthConfigError,
  authenticatorFromEnv,
  checkListenAddress,
  dashboardOidcFromEnv,
  type Authenticator,
  type DashboardOidc,
} from '@durable/auth';
import type { Logger } from '@durable/engine';

/** A server certificate and key, in PEM; with `clientCa`, gRPC clients must show a certificate it signed. */
export interface TlsFiles {
  readonly cert: Buffer;
  readonly key: Buffer;
  readonly clientCa?: Buffer;
}

export interface Security {
  readonly authenticator: Authenticator;
  readonly tls?: TlsFiles;
  /** The public client the dashboard signs in with, when configured. */
  readonly dashboardOidc?: DashboardOidc;
}

/**
 * Authentication and TLS from the environment, for a process listening on `host`: refuses a
 * non-loopback address without authentication (unless `DURABLE_AUTH=off`), and bad settings.
 */
export function securityFromEnv(env: NodeJS.ProcessEnv, host: string, logger: Logger): Security {
  const authenticator = authenticatorFromEnv(env);
  checkListenAddress(host, authenticator, env, (message) => logger.warn(message));
  const tls = tlsFromEnv(env);
  const dashboardOidc = dashboardOidcFromEnv(env);
  return {
    authenticator,
    ...(tls !== undefined ? { tls } : {}),
    ...(dashboardOidc !== undefined ? { dashboardOidc } : {}),
  };
}

/** `DURABLE_TLS_CERT` + `DURABLE_TLS_KEY` (PEM files) and `DURABLE_GRPC_CLIENT_CA` for mTLS. */
export function tlsFromEnv(env: NodeJS.ProcessEnv): TlsFiles | undefined {
  const certFile = env['DURABLE_TLS_CERT'] ?? '';
  const keyFile = env['DURABLE_TLS_KEY'] ?? '';
  const caFile = env['DURABLE_GRPC_CLIENT_CA'] ?? '';
  if (certFile === '' && keyFile === '') {
    if (caFile !== '')
      throw new AuthConfigError('DURABLE_GRPC_CLIENT_CA needs DURABLE_TLS_CERT and DURABLE_TLS_KEY');
    return undefined;
  }
  if (certFile === '' || keyFile === '')
    throw new AuthConfigError('DURABLE_TLS_CERT and DURABLE_TLS_KEY go together: set both');
  const cert = readPem(certFile, 'DURABLE_TLS_CERT');
  const key = readPem(keyFile, 'DURABLE_TLS_KEY');
  return { cert, key, ...(caFile !== '' ? { clientCa: readPem(caFile, 'DURABLE_GRPC_CLIENT_CA') } : {}) };
}

function readPem(file: string, setting: string): Buffer {
  let text: Buffer;
  try {
    text = readFileSync(file);
  } catch (error) {
    throw new AuthConfigError(`${setting}: cannot read ${file}: ${(error as Error).message}`);
  }
  if (!text.includes('-----BEGIN ')) throw new AuthConfigError(`${setting}: ${file} is not a PEM file`);
  return text;
}
