// A bounded gRPC fuzz: every RPC of TaskHubSidecarService gets an empty message and random bytes, as
// an admin; the server never crashes, and never answers INTERNAL to a message it could decode.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { TaskHubSidecarServiceService as sidecarService } from '@microsoft/durabletask-js/dist/proto/orchestrator_service_grpc_pb';
import { Registry } from '@durable/engine';
import { GrpcFrontend, WorkItemHub } from '@durable/grpc';
import { EmbeddedPlatform } from '../embedded/embedded-platform';

// Each call has a 1.5 s deadline; under a loaded CI machine a method's many calls can add up past 2 minutes.
jest.setTimeout(300_000);

let dataDir: string;
let platform: EmbeddedPlatform;
let frontend: GrpcFrontend;
let stub: grpc.Client;

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'durable-grpc-fuzz-'));
  const hub = new WorkItemHub();
  platform = await EmbeddedPlatform.start({ dataDir, registry: new Registry(), partitions: 2, remote: hub });
  frontend = await GrpcFrontend.start({ client: platform.client, hub, host: '127.0.0.1', port: 0 });
  stub = new grpc.Client(`127.0.0.1:${frontend.port}`, grpc.credentials.createInsecure());
});

afterAll(async () => {
  stub?.close();
  await frontend?.stop();
  await platform?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

function send(
  method: grpc.MethodDefinition<unknown, unknown>,
  bytes: Buffer,
): Promise<grpc.ServiceError | undefined> {
  const deadline = Date.now() + 1500;
  return new Promise((resolve) => {
    if (method.responseStream) {
      const call = stub.makeServerStreamRequest(
        method.path,
        () => bytes,
        (b: Buffer) => b,
        {},
        new grpc.Metadata(),
        {
          deadline,
        },
      );
      call.on('data', () => call.cancel());
      call.on('error', (error: grpc.ServiceError) => resolve(error));
      call.on('end', () => resolve(undefined));
    } else
      stub.makeUnaryRequest(
        method.path,
        () => bytes,
        (b: Buffer) => b,
        {},
        new grpc.Metadata(),
        { deadline },
        (error) => resolve(error ?? undefined),
      );
  });
}

const methods = Object.values(sidecarService) as grpc.MethodDefinition<unknown, unknown>[];

it.each(methods.map((m) => [m.path, m] as const))(
  '%s survives empty and random messages',
  async (_path, method) => {
    const empty = await send(method, Buffer.alloc(0));
    expect([method.path, empty?.code]).not.toEqual([method.path, grpc.status.INTERNAL]);
    for (let i = 0; i < 20; i++) {
      const error = await send(method, randomBytes(1 + ((i * 37) % 200)));
      // Undecodable bytes are refused by grpc-js's decoder; anything decoded must not be a server fault.
      if (error?.code === grpc.status.INTERNAL) expect(error.details).toMatch(/parse|deserializ/i);
    }
    const alive = await send(
      sidecarService.hello as grpc.MethodDefinition<unknown, unknown>,
      Buffer.alloc(0),
    );
    expect(alive).toBeUndefined();
  },
);
