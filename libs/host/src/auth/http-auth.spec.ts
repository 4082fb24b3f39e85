// Every route of the HTTP API against the access table, on the real embedded platform with real
// credentials: API keys and JWTs of a local JWKS server. No credentials: 401; a role the table
// does not allow: 403; one it allows: through to the handler.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type INestApplication, Module } from '@nestjs/common';
import {
  Authenticator,
  HttpAccessTable,
  httpAccess,
  JwtVerifier,
  parseApiKeys,
  roles,
  type Role,
} from '@durable/auth';
import { TestIssuer } from '@durable/auth/testing';
import { defineOrchestration, Registry } from '@durable/engine';
import { bootstrapApp } from '../bootstrap';
import { EmbeddedPlatform } from '../embedded/embedded-platform';
import { HealthModule } from '../health.module';
import { DurableHttpModule } from '../http/durable-http.module';
import { openApiDocument } from '../http/openapi';

jest.setTimeout(60_000);

const keyOf = (role: Role) => `${role}-key-for-tests-0123456789`;
// Routes other branches serve (dashboard, metrics) or other modules (health): not in the document.
const outsideTheDocument = [
  'GET /dashboard',
  'GET /dashboard/{*rest}',
  'GET /health',
  'GET /health/ready',
  'GET /metrics',
];

interface Operation {
  readonly key: string;
  readonly method: string;
  readonly url: string;
  readonly body?: string;
}

type Doc = {
  paths: Record<
    string,
    Record<string, { parameters?: Array<Record<string, unknown>>; requestBody?: unknown }>
  >;
  components: { parameters: Record<string, Record<string, unknown>> };
};

/** Every operation of the OpenAPI document, with its path and required query parameters filled in. */
function documentedOperations(): Operation[] {
  const doc = openApiDocument() as unknown as Doc;
  const operations: Operation[] = [];
  for (const [path, methods] of Object.entries(doc.paths)) {
    for (const [method, operation] of Object.entries(methods)) {
      const params = (operation.parameters ?? []).map((p) =>
        typeof p['$ref'] === 'string'
          ? (doc.components.parameters[String(p['$ref']).split('/').pop() as string] as Record<
              string,
              unknown
            >)
          : p,
      );
      const search = new URLSearchParams();
      for (const p of params)
        if (p['in'] === 'query' && p['required'] === true)
          search.set(String(p['name']), p['name'] === 'op' ? 'add' : '2020-01-01T00:00:00Z');
      const url = path.replace(/\{[^}]+\}/g, 'x') + (search.size > 0 ? `?${search}` : '');
      operations.push({
        key: `${method.toUpperCase()} ${path}`,
        method: method.toUpperCase(),
        url,
        ...(operation.requestBody !== undefined ? { body: '1' } : {}),
      });
    }
  }
  return operations;
}

let issuer: TestIssuer;
let dataDir: string;
let platform: EmbeddedPlatform;
let app: INestApplication;
let base: string;

beforeAll(async () => {
  issuer = await TestIssuer.start();
  dataDir = mkdtempSync(join(tmpdir(), 'durable-auth-'));
  const registry = new Registry().add(defineOrchestration('x', async () => 'done'));
  platform = await EmbeddedPlatform.start({ dataDir, registry, partitions: 2 });
  const authenticator = new Authenticator({
    apiKeys: parseApiKeys(roles.map((role) => `${role}:${keyOf(role)}`).join('\n'), 'test'),
    jwt: new JwtVerifier({ issuer: issuer.issuer, audience: issuer.audience }),
  });
  @Module({
    imports: [
      HealthModule.forApp('frontend'),
      DurableHttpModule.forRoot({ instanceService: { useValue: platform.client } }),
    ],
  })
  class TestModule {}
  app = await bootstrapApp(TestModule, {
    port: 0,
    host: '127.0.0.1',
    logger: false,
    bodyParser: false,
    shutdownHooks: false,
    security: { authenticator },
  });
  base = `http://127.0.0.1:${(app.getHttpServer().address() as { port: number }).port}`;
});

afterAll(async () => {
  await app?.close();
  await platform?.stop();
  await issuer?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

async function call(
  op: Operation,
  token?: string,
): Promise<{ status: number; body: string; headers: Headers }> {
  const response = await fetch(base + op.url, {
    method: op.method,
    headers: {
      ...(token !== undefined ? { authorization: `Bearer ${token}` } : {}),
      ...(op.body !== undefined ? { 'content-type': 'application/json' } : {}),
    },
    ...(op.body !== undefined ? { body: op.body } : {}),
  });
  return { status: response.status, body: await response.text(), headers: response.headers };
}

describe('the access table covers every route', () => {
  it('has a rule for every operation of the OpenAPI document', () => {
    const table = new HttpAccessTable();
    const missing = documentedOperations().filter((op) => table.lookup(op.method, op.url)?.key !== op.key);
    expect(missing.map((op) => op.key)).toEqual([]);
  });

  it('has a rule for every route the app serves', () => {
    const express = app.getHttpAdapter().getInstance() as {
      router: { stack: Array<{ route?: { path: string; methods?: Record<string, boolean> } }> };
    };
    const table = new HttpAccessTable();
    const served = express.router.stack.flatMap((layer) =>
      layer.route === undefined
        ? []
        : Object.keys(layer.route.methods ?? {}).map((method) => ({
            method: method.toUpperCase(),
            // Nest registers `@Get()` of a controller with a trailing slash.
            path: layer.route!.path.replace(/(.)\/$/, '$1'),
          })),
    );
    expect(served.length).toBeGreaterThan(20);
    const unruled = served.filter(({ method, path }) => {
      const template = path.replace(/:(\w+)/g, '{$1}');
      return table.lookup(method, path.replace(/:\w+/g, 'x'))?.key !== `${method} ${template}`;
    });
    expect(unruled).toEqual([]);
  });

  it('names only documented routes, besides those served outside the document', () => {
    const documented = new Set(documentedOperations().map((op) => op.key));
    const extra = Object.keys(httpAccess).filter((key) => !documented.has(key));
    expect(extra.sort()).toEqual([...outsideTheDocument].sort());
  });
});

describe.each(documentedOperations())('$key', (op) => {
  const access = httpAccess[op.key]!;
  const allowed = roles.filter((role) => access === 'public' || role === 'admin' || access.includes(role));
  const denied = roles.filter((role) => !allowed.includes(role));

  it(access === 'public' ? 'is public' : 'answers 401 without credentials, and with a bad one', async () => {
    const none = await call(op);
    if (access === 'public') {
      expect(none.status).toBeLessThan(400);
      return;
    }
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toMatch(/^Bearer/);
    expect(JSON.parse(none.body)).toMatchObject({ error: 'UnauthenticatedError' });
    expect((await call(op, 'not-a-key-of-anyone-12345')).status).toBe(401);
    expect((await call(op, await issuer.token({ roles: ['admin'], expiresIn: -600 }))).status).toBe(401);
  });

  if (denied.length > 0)
    it(`answers 403 to ${denied.join(', ')}`, async () => {
      for (const role of denied) {
        const answer = await call(op, keyOf(role));
        expect([role, answer.status]).toEqual([role, 403]);
        expect(JSON.parse(answer.body)).toMatchObject({ error: 'PermissionDeniedError' });
        expect((await call(op, await issuer.token({ roles: [role] }))).status).toBe(403);
      }
    });

  it(`lets ${allowed.join(', ')} through`, async () => {
    for (const role of allowed) {
      const answer = await call(op, keyOf(role));
      expect([role, answer.status]).not.toEqual([role, 401]);
      expect([role, answer.status]).not.toEqual([role, 403]);
      expect(answer.status).toBeLessThan(500);
      const viaJwt = await call(op, await issuer.token({ roles: [role] }));
      expect([401, 403]).not.toContain(viaJwt.status);
    }
  });
});

describe('whoami', () => {
  const whoami: Operation = { key: '', method: 'GET', url: '/runtime/webhooks/durabletask/auth/whoami' };

  it('names the roles of the caller', async () => {
    expect(JSON.parse((await call(whoami, keyOf('reader'))).body)).toEqual({
      authenticated: true,
      roles: ['reader'],
    });
    const jwt = await issuer.token({ roles: ['contributor', 'worker'] });
    expect(JSON.parse((await call(whoami, jwt)).body)).toEqual({
      authenticated: true,
      roles: ['contributor', 'worker'],
    });
  });

  it('answers an anonymous caller with no roles, and a bad token with 401', async () => {
    expect(JSON.parse((await call(whoami)).body)).toEqual({ authenticated: false, roles: [] });
    expect((await call(whoami, 'bad-token-of-nobody-0000')).status).toBe(401);
  });

  it('answers an unauthenticated admin with authentication off', async () => {
    const off = Authenticator.off();
    @Module({ imports: [DurableHttpModule.forRoot({ instanceService: { useValue: platform.client } })] })
    class OpenModule {}
    const open = await bootstrapApp(OpenModule, {
      port: 0,
      host: '127.0.0.1',
      logger: false,
      bodyParser: false,
      shutdownHooks: false,
      security: { authenticator: off },
    });
    try {
      const port = (open.getHttpServer().address() as { port: number }).port;
      const response = await fetch(`http://127.0.0.1:${port}${whoami.url}`);
      expect(await response.json()).toEqual({ authenticated: false, roles: ['admin'] });
    } finally {
      await open.close();
    }
  });
});
