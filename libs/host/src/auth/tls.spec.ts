// TLS from certificate files on both ports, and mTLS for gRPC workers, with certificates this test
// makes with the openssl CLI: a CA, a server certificate for 127.0.0.1 and a client certificate.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { Module } from '@nestjs/common';
import { TaskHubGrpcClient } from '@microsoft/durabletask-js';
import { Authenticator } from '@durable/auth';
import { Registry } from '@durable/engine';
import { GrpcFrontend, WorkItemHub } from '@durable/grpc';
import { bootstrapApp } from '../bootstrap';
import { EmbeddedPlatform } from '../embedded/embedded-platform';
import { HealthModule } from '../health.module';
import { tlsFromEnv } from './security';

jest.setTimeout(60_000);

let dir: string;
const file = (name: string) => join(dir, name);
const openssl = (...args: string[]) => execFileSync('openssl', args, { stdio: 'pipe' });

function issue(name: string, ca: boolean, extensions?: string): void {
  openssl(
    'req',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:P-256',
    '-nodes',
    '-keyout',
    file(`${name}.key`),
    '-out',
    file(`${name}.csr`),
    '-subj',
    `/CN=${name}`,
  );
  if (ca) {
    openssl(
      'x509',
      '-req',
      '-in',
      file(`${name}.csr`),
      '-signkey',
      file(`${name}.key`),
      '-out',
      file(`${name}.crt`),
      '-days',
      '2',
      '-extfile',
      file('ca.ext'),
    );
  } else {
    writeFileSync(file(`${name}.ext`), extensions ?? '');
    openssl(
      'x509',
      '-req',
      '-in',
      file(`${name}.csr`),
      '-CA',
      file('ca.crt'),
      '-CAkey',
      file('ca.key'),
      '-CAcreateserial',
      '-out',
      file(`${name}.crt`),
      '-days',
      '2',
      '-extfile',
      file(`${name}.ext`),
    );
  }
}

let platform: EmbeddedPlatform;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'durable-tls-'));
  writeFileSync(file('ca.ext'), 'basicConstraints=critical,CA:TRUE\nkeyUsage=keyCertSign\n');
  issue('ca', true);
  issue('server', false, 'subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n');
  issue('worker', false, 'extendedKeyUsage=clientAuth\n');
  platform = await EmbeddedPlatform.start({
    dataDir: dir,
    registry: new Registry(),
    partitions: 1,
    remote: new WorkItemHub(),
  });
});

afterAll(async () => {
  await platform?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const tls = () =>
  tlsFromEnv({
    DURABLE_TLS_CERT: file('server.crt'),
    DURABLE_TLS_KEY: file('server.key'),
    DURABLE_GRPC_CLIENT_CA: file('ca.crt'),
  })!;

describe('TLS', () => {
  it('serves HTTPS with the certificate files', async () => {
    @Module({ imports: [HealthModule.forApp('frontend')] })
    class TlsModule {}
    const app = await bootstrapApp(TlsModule, {
      port: 0,
      host: '127.0.0.1',
      logger: false,
      shutdownHooks: false,
      security: { authenticator: Authenticator.off(), tls: tls() },
    });
    try {
      const port = (app.getHttpServer().address() as { port: number }).port;
      const status = await new Promise<number>((resolve, reject) =>
        request({ host: '127.0.0.1', port, path: '/health', ca: readFileSync(file('ca.crt')) }, (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        })
          .on('error', reject)
          .end(),
      );
      expect(status).toBe(200);
    } finally {
      await app.close();
    }
  });

  it('serves gRPC over TLS to a client with a certificate the CA signed, and refuses one without', async () => {
    const hub = new WorkItemHub();
    const frontend = await GrpcFrontend.start({
      client: platform.client,
      hub,
      host: '127.0.0.1',
      port: 0,
      tls: tls(),
    });
    const address = `127.0.0.1:${frontend.port}`;
    const ca = readFileSync(file('ca.crt'));
    const mutual = new TaskHubGrpcClient({
      hostAddress: address,
      credentials: grpc.credentials.createSsl(
        ca,
        readFileSync(file('worker.key')),
        readFileSync(file('worker.crt')),
      ),
    });
    const anonymous = new TaskHubGrpcClient({
      hostAddress: address,
      credentials: grpc.credentials.createSsl(ca),
    });
    try {
      expect(await mutual.getOrchestrationState('nobody')).toBeUndefined();
      await expect(anonymous.getOrchestrationState('nobody')).rejects.toMatchObject({
        code: grpc.status.UNAVAILABLE,
      });
    } finally {
      await mutual.stop();
      await anonymous.stop();
      await frontend.stop();
    }
  });

  it('refuses half the settings, or a file that is not PEM', () => {
    expect(() => tlsFromEnv({ DURABLE_TLS_CERT: file('server.crt') })).toThrow(/go together/);
    expect(() =>
      tlsFromEnv({ DURABLE_TLS_CERT: file('ca.ext'), DURABLE_TLS_KEY: file('server.key') }),
    ).toThrow(/not a PEM/);
  });
});
