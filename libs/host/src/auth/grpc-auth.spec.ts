// Every RPC of TaskHubSidecarService (and the internal RemoteWork service) against the access table,
// and the official JS SDK worker and client with worker/contributor tokens (call metadata).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import {
  NoOpLogger,
  TaskHubGrpcClient,
  TaskHubGrpcWorker,
  type ActivityContext,
  type OrchestrationContext,
  type Task,
} from '@microsoft/durabletask-js';
import { Authenticator, grpcAccess, grpcAccessOf, parseApiKeys, roles, type Role } from '@durable/auth';
import { Registry } from '@durable/engine';
import { GrpcFrontend, remoteWorkService, WorkItemHub } from '@durable/grpc';
import { TaskHubSidecarServiceService as sidecarService } from '@microsoft/durabletask-js/dist/proto/orchestrator_service_grpc_pb';
import { EmbeddedPlatform } from '../embedded/embedded-platform';

jest.setTimeout(60_000);

const keyOf = (role: Role) => `${role}-grpc-key-0123456789`;
const methods = [
  ...Object.values(sidecarService),
  ...Object.values(remoteWorkService),
] as grpc.MethodDefinition<unknown, unknown>[];

let dataDir: string;
let platform: EmbeddedPlatform;
let frontend: GrpcFrontend;
let address: string;
let stub: grpc.Client;

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'durable-grpc-auth-'));
  const hub = new WorkItemHub();
  platform = await EmbeddedPlatform.start({ dataDir, registry: new Registry(), partitions: 2, remote: hub });
  const authenticator = new Authenticator({
    apiKeys: parseApiKeys(roles.map((role) => `${role}:${keyOf(role)}`).join('\n'), 'test'),
  });
  frontend = await GrpcFrontend.start({
    client: platform.client,
    hub,
    host: '127.0.0.1',
    port: 0,
    authenticator,
  });
  address = `127.0.0.1:${frontend.port}`;
  stub = new grpc.Client(address, grpc.credentials.createInsecure());
});

afterAll(async () => {
  stub?.close();
  await frontend?.stop();
  await platform?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

/** Calls a method with an empty message; resolves with the status code it ended with (0: OK). */
function statusOf(method: grpc.MethodDefinition<unknown, unknown>, key?: string): Promise<number> {
  const metadata = new grpc.Metadata();
  if (key !== undefined) metadata.set('authorization', `Bearer ${key}`);
  const serialize = () => Buffer.alloc(0);
  const deserialize = (bytes: Buffer) => bytes;
  const deadline = Date.now() + 1500;
  return new Promise((resolve) => {
    if (method.responseStream) {
      const call = stub.makeServerStreamRequest(method.path, serialize, deserialize, {}, metadata, {
        deadline,
      });
      call.on('data', () => call.cancel());
      call.on('error', (error: grpc.ServiceError) => resolve(error.code));
      call.on('end', () => resolve(0));
    } else
      stub.makeUnaryRequest(method.path, serialize, deserialize, {}, metadata, { deadline }, (error) =>
        resolve(error?.code ?? 0),
      );
  });
}

describe('the access table covers every RPC', () => {
  it('has a rule for every method of the service definitions, and none besides', () => {
    expect(methods.filter((m) => grpcAccessOf(m.path) === undefined).map((m) => m.path)).toEqual([]);
    expect(Object.keys(grpcAccess).sort()).toEqual(methods.map((m) => m.path.slice(1)).sort());
  });
});

describe.each(methods.map((m) => [m.path, m] as const))('%s', (path, method) => {
  const access = grpcAccessOf(path)!;
  const allowed = roles.filter((role) => access === 'public' || role === 'admin' || access.includes(role));
  const denied = roles.filter((role) => !allowed.includes(role));

  it('answers UNAUTHENTICATED without credentials or with a bad one', async () => {
    expect(await statusOf(method)).toBe(grpc.status.UNAUTHENTICATED);
    expect(await statusOf(method, 'not-a-key-of-anyone-12345')).toBe(grpc.status.UNAUTHENTICATED);
  });

  if (denied.length > 0)
    it(`answers PERMISSION_DENIED to ${denied.join(', ')}`, async () => {
      for (const role of denied)
        expect([role, await statusOf(method, keyOf(role))]).toEqual([role, grpc.status.PERMISSION_DENIED]);
    });

  it(`lets ${allowed.join(', ')} through`, async () => {
    for (const role of allowed) {
      const code = await statusOf(method, keyOf(role));
      expect([role, code]).not.toEqual([role, grpc.status.UNAUTHENTICATED]);
      expect([role, code]).not.toEqual([role, grpc.status.PERMISSION_DENIED]);
    }
  });
});

describe('the official JS SDK with bearer tokens as call metadata', () => {
  const withToken = (key: string) => () => {
    const metadata = new grpc.Metadata();
    metadata.set('authorization', `Bearer ${key}`);
    return Promise.resolve(metadata);
  };

  it('runs an orchestration with a worker token and a contributor token', async () => {
    const worker = new TaskHubGrpcWorker({
      hostAddress: address,
      metadataGenerator: withToken(keyOf('worker')),
      logger: new NoOpLogger(),
    });
    const hello = async (_: ActivityContext, name: string): Promise<string> => `Hello ${name}!`;
    worker.addNamedActivity('AuthHello', hello);
    worker.addNamedOrchestrator(
      'AuthFlow',
      async function* (
        ctx: OrchestrationContext,
        name: string,
      ): AsyncGenerator<Task<string>, string, string> {
        return yield ctx.callActivity('AuthHello', name);
      },
    );
    await worker.start();
    const client = new TaskHubGrpcClient({
      hostAddress: address,
      metadataGenerator: withToken(keyOf('contributor')),
    });
    try {
      const id = await client.scheduleNewOrchestration('AuthFlow', 'Ada');
      const state = await client.waitForOrchestrationCompletion(id, true, 30);
      expect(state?.serializedOutput).toBe(JSON.stringify('Hello Ada!'));
    } finally {
      await client.stop();
      await worker.stop();
    }
  });

  it('fails cleanly without a token, and with a reader token where it needs contributor', async () => {
    const anonymous = new TaskHubGrpcClient({ hostAddress: address });
    const reader = new TaskHubGrpcClient({
      hostAddress: address,
      metadataGenerator: withToken(keyOf('reader')),
    });
    try {
      await expect(anonymous.scheduleNewOrchestration('AuthFlow', 'x')).rejects.toMatchObject({
        code: grpc.status.UNAUTHENTICATED,
      });
      await expect(reader.scheduleNewOrchestration('AuthFlow', 'x')).rejects.toMatchObject({
        code: grpc.status.PERMISSION_DENIED,
      });
    } finally {
      await anonymous.stop();
      await reader.stop();
    }
  });
});
