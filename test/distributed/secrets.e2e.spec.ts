// Distributed-mode secrets, on a Kafka broker that requires SASL and the Cosmos DB protocol server.
// The frontend signs in with a Cosmos DB key and a SASL/PLAIN password; the workers with a managed
// identity (Entra ID) instead: DefaultAzureCredential takes IDENTITY_ENDPOINT / IDENTITY_HEADER, as
// on Container Apps and App Service, from a token endpoint the test runs, and sends the token to
// Cosmos DB (AAD authorization) and to Kafka (SASL/OAUTHBEARER, as Event Hubs takes it; the broker
// validates unsigned tokens). With API keys too, at debug level, the test signs in with right and
// wrong keys over HTTP and gRPC, runs an orchestration, and finds no secret in anything the
// processes wrote to stdout and stderr.
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { TaskHubGrpcClient } from '@microsoft/durabletask-js';
import * as grpc from '@grpc/grpc-js';
import { AppProcess, CosmosServer, DistributedCluster, KafkaBroker } from '@durable/tools/servers';
import { freePort } from '@durable/tools/net';

const secrets = {
  adminKey: 'admin-key-SECRET-7f3a9c1e2b',
  readerKey: 'reader-key-SECRET-5d8e0b4a61',
  workerKey: 'worker-key-SECRET-a2c4e6f8b0',
  // Any key opens the Cosmos DB protocol server; this one is only there to be looked for.
  cosmosKey: 'Y29zbW9zLWtleS1TRUNSRVQtOWI3ZDVmM2ExYw0KIHRoYXQgc2hvdWxkIG5ldmVyIGJlIGxvZ2dlZA==',
  kafkaPassword: 'kafka-password-SECRET-c0ffee1234',
  // Presented by the client, never configured: a wrong key must not be echoed either.
  wrongKey: 'wrong-key-SECRET-0badc0de99',
  identityHeader: 'identity-header-SECRET-77e1d2c3',
  // An unsecured JWT (alg none), which Kafka's built-in OAUTHBEARER validator accepts.
  token: `${base64url({ alg: 'none' })}.${base64url({ sub: 'durable-worker', iat: 1, exp: 4102444800, n: 'SECRET-TOKEN-4e5f' })}.`,
};

function base64url(value: object): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

/** A managed identity endpoint (App Service / Container Apps protocol), recording what it was asked. */
async function startTokenEndpoint(asked: string[]): Promise<Server> {
  const server = createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://localhost');
    if (request.headers['x-identity-header'] !== secrets.identityHeader) {
      response.writeHead(401).end();
      return;
    }
    asked.push(url.searchParams.get('resource') ?? '');
    response.writeHead(200, { 'content-type': 'application/json' }).end(
      JSON.stringify({
        access_token: secrets.token,
        expires_on: String(Math.floor(Date.now() / 1000) + 3600),
        resource: url.searchParams.get('resource'),
        token_type: 'Bearer',
      }),
    );
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  return server;
}

/** The parts of a secret that would give it away even if a log cut it or escaped it. */
function fragments(secret: string): string[] {
  return [secret, secret.slice(0, 16), secret.slice(-16), Buffer.from(secret).toString('base64')];
}

jest.setTimeout(240_000);

let broker: KafkaBroker;
let cosmos: CosmosServer;
let apps: AppProcess[];
let frontend: AppProcess;
let grpcAddress: string;
let tokenEndpoint: Server;
const tokenRequests: string[] = [];
const cosmosAuthorizations: string[] = [];

beforeAll(async () => {
  tokenEndpoint = await startTokenEndpoint(tokenRequests);
  const onRequest = (headers: IncomingHttpHeaders) =>
    cosmosAuthorizations.push(decodeURIComponent(headers.authorization ?? ''));
  [broker, cosmos] = await Promise.all([
    KafkaBroker.start({ sasl: { users: { durable: secrets.kafkaPassword } } }),
    CosmosServer.start({ onRequest }),
  ]);
  const grpcPort = await freePort();
  const common = {
    ...DistributedCluster.environment(broker, cosmos, { partitions: 2 }),
    DURABLE_API_KEYS: [
      `admin:${secrets.adminKey}`,
      `reader:${secrets.readerKey}`,
      `worker:${secrets.workerKey}`,
    ].join(','),
    DURABLE_LOG_LEVEL: 'debug',
  };
  const withKeys = {
    ...common,
    COSMOS_KEY: secrets.cosmosKey,
    KAFKA_SASL_MECHANISM: 'plain',
    KAFKA_SASL_USERNAME: 'durable',
    KAFKA_SASL_PASSWORD: secrets.kafkaPassword,
  };
  const withIdentity = {
    ...common,
    COSMOS_KEY: '',
    COSMOS_AUTH: 'identity',
    KAFKA_SASL_MECHANISM: 'oauthbearer',
    KAFKA_OAUTH_SCOPE: 'https://kafka.local/.default',
    IDENTITY_ENDPOINT: `http://127.0.0.1:${(tokenEndpoint.address() as AddressInfo).port}/msi/token`,
    IDENTITY_HEADER: secrets.identityHeader,
  };
  frontend = new AppProcess('frontend', { ...withKeys, GRPC_PORT: String(grpcPort) });
  grpcAddress = `127.0.0.1:${grpcPort}`;
  apps = [
    new AppProcess('orchestration-worker', withIdentity),
    new AppProcess('activity-worker', withIdentity),
    frontend,
  ];
  for (const app of apps) await app.start();
});

afterAll(async () => {
  await Promise.all((apps ?? []).map((app) => app.stop()));
  await broker?.stop();
  await cosmos?.stop();
  tokenEndpoint?.close();
});

const bearer = (key: string) => ({ authorization: `Bearer ${key}` });

async function signInAttempts(): Promise<void> {
  const base = frontend.baseUrl;
  expect((await fetch(`${base}/instances`)).status).toBe(401);
  expect((await fetch(`${base}/instances`, { headers: bearer(secrets.wrongKey) })).status).toBe(401);
  expect((await fetch(`${base}/instances`, { headers: { authorization: secrets.wrongKey } })).status).toBe(
    401,
  );
  const asReader = await fetch(`${base}/orchestrators/HelloSequence`, {
    method: 'POST',
    headers: bearer(secrets.readerKey),
  });
  expect(asReader.status).toBe(403);
  const whoami = await fetch(`${base}/auth/whoami`, { headers: bearer(secrets.workerKey) });
  expect(await whoami.json()).toMatchObject({ roles: ['worker'] });

  const wrong = new TaskHubGrpcClient({
    hostAddress: grpcAddress,
    metadataGenerator: async () => {
      const metadata = new grpc.Metadata();
      metadata.set('authorization', `Bearer ${secrets.wrongKey}`);
      return metadata;
    },
  });
  try {
    await expect(wrong.getOrchestrationState('any')).rejects.toMatchObject({
      code: grpc.status.UNAUTHENTICATED,
    });
  } finally {
    await wrong.stop();
  }
}

it('runs an orchestration with every secret set, and logs none of them', async () => {
  await signInAttempts();
  const started = await fetch(`${frontend.baseUrl}/orchestrators/HelloSequence`, {
    method: 'POST',
    headers: bearer(secrets.adminKey),
  });
  expect(started.status).toBe(202);
  const { statusQueryGetUri } = (await started.json()) as { statusQueryGetUri: string };
  let status: { runtimeStatus?: string; output?: unknown } = {};
  while (status.runtimeStatus !== 'Completed' && status.runtimeStatus !== 'Failed') {
    await new Promise((resolve) => setTimeout(resolve, 200));
    status = (await (await fetch(statusQueryGetUri, { headers: bearer(secrets.readerKey) })).json()) as {
      runtimeStatus?: string;
    };
  }
  expect(status).toMatchObject({ runtimeStatus: 'Completed', output: expect.any(Array) });

  // The apps did log (at debug level): the search below is over real output.
  for (const app of apps) expect(app.logs).toMatch(/"level":"info"/);
  const leaks = apps.flatMap((app) =>
    Object.entries(secrets).flatMap(([name, secret]) =>
      fragments(secret)
        .filter((fragment) => app.logs.includes(fragment))
        .map(() => `${app.label} logged ${name}`),
    ),
  );
  expect([...new Set(leaks)]).toEqual([]);
});

it('signs the workers in with the managed identity: its token goes to Cosmos DB and to Kafka', () => {
  // The orchestration above ran, so the workers were in: the broker takes PLAIN or OAUTHBEARER only,
  // and they had no password. What they asked the token endpoint for, and what Cosmos DB saw:
  expect(new Set(tokenRequests)).toEqual(
    new Set([`https://127.0.0.1:${cosmos.port}`, 'https://kafka.local']),
  );
  const kinds = new Set(cosmosAuthorizations.map((header) => /^type=(\w+)/.exec(header)?.[1]));
  expect(kinds).toEqual(new Set(['master', 'aad']));
  expect(cosmosAuthorizations.filter((h) => h.startsWith('type=aad'))).toContain(
    `type=aad&ver=1.0&sig=${secrets.token}`,
  );
});

it('refuses a bad key entry at start without echoing the entry', async () => {
  const tooShort = 'SECRET-short1';
  const app = new AppProcess('frontend', {
    ...DistributedCluster.environment(broker, cosmos, { partitions: 2 }),
    DURABLE_API_KEYS: `reader:${'r'.repeat(20)},admin:${tooShort}`,
  });
  const failure = await app.start().then(
    () => 'started',
    (error: Error) => error.message,
  );
  await app.stop();
  expect(failure).toMatch(/DURABLE_API_KEYS.*entry 2: an API key must be at least 16 characters/);
  expect(app.logs).not.toContain(tooShort);
});
