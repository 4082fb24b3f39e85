// No secret is ever logged: the distributed apps run with API keys, a Cosmos DB key and Kafka SASL
// credentials (against a broker that requires SASL), at debug level; the test signs in with the right
// keys and with wrong ones over HTTP and gRPC, runs an orchestration, then searches everything the
// processes wrote to stdout and stderr for each secret.
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
};

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

beforeAll(async () => {
  [broker, cosmos] = await Promise.all([
    KafkaBroker.start({ sasl: { users: { durable: secrets.kafkaPassword } } }),
    CosmosServer.start(),
  ]);
  const grpcPort = await freePort();
  const env = {
    ...DistributedCluster.environment(broker, cosmos, { partitions: 2 }),
    COSMOS_KEY: secrets.cosmosKey,
    KAFKA_SASL_MECHANISM: 'plain',
    KAFKA_SASL_USERNAME: 'durable',
    KAFKA_SASL_PASSWORD: secrets.kafkaPassword,
    DURABLE_API_KEYS: [
      `admin:${secrets.adminKey}`,
      `reader:${secrets.readerKey}`,
      `worker:${secrets.workerKey}`,
    ].join(','),
    DURABLE_LOG_LEVEL: 'debug',
  };
  frontend = new AppProcess('frontend', { ...env, GRPC_PORT: String(grpcPort) });
  grpcAddress = `127.0.0.1:${grpcPort}`;
  apps = [new AppProcess('orchestration-worker', env), new AppProcess('activity-worker', env), frontend];
  for (const app of apps) await app.start();
});

afterAll(async () => {
  await Promise.all((apps ?? []).map((app) => app.stop()));
  await broker?.stop();
  await cosmos?.stop();
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
