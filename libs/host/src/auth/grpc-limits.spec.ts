// gRPC time limits through a real gRPC client: a unary call is cut at the server's cap whatever the
// client's deadline, an idle connection is closed, and a worker that stops answering pings (a frozen
// process) loses its GetWorkItems stream, so none of them holds the server's resources for good.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { TaskHubSidecarServiceService as sidecarService } from '@microsoft/durabletask-js/dist/proto/orchestrator_service_grpc_pb';
import * as pb from '@microsoft/durabletask-js/dist/proto/orchestrator_service_pb';
import { defineOrchestration, Registry } from '@durable/engine';
import { GrpcFrontend, WorkItemHub } from '@durable/grpc';
import { EmbeddedPlatform } from '../embedded/embedded-platform';

jest.setTimeout(60_000);

const maxCallMs = 700;
const root = resolve(__dirname, '../../../..');

let dataDir: string;
let platform: EmbeddedPlatform;
let hub: WorkItemHub;
let frontend: GrpcFrontend;
let address: string;

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'durable-grpc-limits-'));
  hub = new WorkItemHub();
  const registry = new Registry().add(
    defineOrchestration('AwaitApproval', async (ctx) => ctx.waitForExternalEvent('Approval')),
  );
  platform = await EmbeddedPlatform.start({ dataDir, registry, partitions: 2, remote: hub });
  frontend = await GrpcFrontend.start({
    client: platform.client,
    hub,
    host: '127.0.0.1',
    port: 0,
    limits: { maxCallMs, maxIdleMs: 300, keepaliveMs: 300, keepaliveTimeoutMs: 300 },
  });
  address = `127.0.0.1:${frontend.port}`;
});

afterAll(async () => {
  await frontend?.stop();
  await platform?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

function unaryCall<Res>(
  client: grpc.Client,
  method: grpc.MethodDefinition<unknown, Res>,
  request: { serializeBinary(): Uint8Array },
  deadline?: Date,
): Promise<{ error: grpc.ServiceError | null; response?: Res }> {
  return new Promise((done) =>
    client.makeUnaryRequest(
      method.path,
      () => Buffer.from(request.serializeBinary()),
      method.responseDeserialize,
      {},
      new grpc.Metadata(),
      deadline === undefined ? {} : { deadline },
      (error, response) => done({ error, ...(response !== undefined ? { response } : {}) }),
    ),
  );
}

const method = <Res>(name: keyof typeof sidecarService) =>
  sidecarService[name] as unknown as grpc.MethodDefinition<unknown, Res>;

it('cuts a wait call at the server cap, with or without a client deadline, and keeps serving', async () => {
  const client = new grpc.Client(address, grpc.credentials.createInsecure());
  try {
    const start = new pb.CreateInstanceRequest();
    start.setName('AwaitApproval');
    const started = await unaryCall<pb.CreateInstanceResponse>(client, method('startInstance'), start);
    expect(started.error).toBeNull();
    const instanceId = started.response?.getInstanceid() ?? '';

    const wait = new pb.GetInstanceRequest();
    wait.setInstanceid(instanceId);
    const hourFromNow = new Date(Date.now() + 3600_000);
    for (const deadline of [undefined, hourFromNow]) {
      const waited = await unaryCall(client, method('waitForInstanceCompletion'), wait, deadline);
      expect([waited.error?.code, waited.error?.details]).toEqual([
        grpc.status.DEADLINE_EXCEEDED,
        `the call ran longer than the server's limit of ${maxCallMs / 1000} s; call again`,
      ]);
    }

    // The instance is untouched and the server answers the next call.
    const read = await unaryCall<pb.GetInstanceResponse>(client, method('getInstance'), wait);
    expect(read.response?.getOrchestrationstate()?.getOrchestrationstatus()).toBe(
      pb.OrchestrationStatus.ORCHESTRATION_STATUS_RUNNING,
    );
  } finally {
    client.close();
  }
});

it('closes a connection that has no call open', async () => {
  const client = new grpc.Client(address, grpc.credentials.createInsecure());
  try {
    expect((await unaryCall(client, method('hello'), new pb.CreateInstanceRequest())).error).toBeNull();
    const channel = client.getChannel();
    expect(channel.getConnectivityState(false)).toBe(grpc.connectivityState.READY);
    // The server's GOAWAY takes the channel out of READY; the bound only keeps a broken test finite.
    const changed = await new Promise<boolean>((done) =>
      channel.watchConnectivityState(grpc.connectivityState.READY, Date.now() + 20_000, (error) =>
        done(error === undefined),
      ),
    );
    expect(changed).toBe(true);
    expect(channel.getConnectivityState(false)).not.toBe(grpc.connectivityState.READY);
  } finally {
    client.close();
  }
});

it("drops the work-item stream of a worker that stops answering the server's pings", async () => {
  // A worker in its own process, so that SIGSTOP freezes it as a hung host would.
  const script = `
    const grpc = require('@grpc/grpc-js');
    const client = new grpc.Client(process.argv[1], grpc.credentials.createInsecure());
    const call = client.makeServerStreamRequest(process.argv[2], () => Buffer.alloc(0), (b) => b, {});
    call.on('metadata', () => console.log('connected'));
    call.on('error', () => undefined);
  `;
  const worker: ChildProcess = spawn(
    process.execPath,
    ['-e', script, address, sidecarService.getWorkItems.path],
    { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] },
  );
  try {
    await until(() => hub.connectedWorkers === 1);
    worker.kill('SIGSTOP');
    await until(() => hub.connectedWorkers === 0);
    expect(hub.connectedWorkers).toBe(0);
  } finally {
    worker.kill('SIGKILL');
  }
});

/** Polls `condition`; the bound only keeps a broken test finite. */
async function until(condition: () => boolean): Promise<void> {
  const bound = Date.now() + 30_000;
  while (!condition()) {
    if (Date.now() > bound) throw new Error('the condition did not hold within 30 s');
    await new Promise((done) => setTimeout(done, 50));
  }
}
