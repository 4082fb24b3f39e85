// Orchestration versioning with the official Durable Task JavaScript SDK's workers (unchanged): the
// version a client gives in CreateInstanceRequest reaches the worker in ExecutionStarted; a worker
// whose VersioningOptions reject it abandons the work item, and the hub hands it to another worker
// (or parks the instance until one connects) instead of back to the same one.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  NoOpLogger,
  OrchestrationStatus,
  TaskHubGrpcClient,
  TaskHubGrpcWorker,
  VersionFailureStrategy,
  VersionMatchStrategy,
  type OrchestrationContext,
  type VersioningOptions,
} from '@microsoft/durabletask-js';
import { defineOrchestration, Registry } from '@durable/engine';
import { GrpcFrontend, WorkItemHub } from '@durable/grpc';
import { EmbeddedPlatform } from '../embedded/embedded-platform';

jest.setTimeout(60_000);

let dataDir: string;
let platform: EmbeddedPlatform;
let grpc: GrpcFrontend;
let hub: WorkItemHub;
let client: TaskHubGrpcClient;
const workers: TaskHubGrpcWorker[] = [];

async function startWorker(versioning: VersioningOptions): Promise<TaskHubGrpcWorker> {
  const worker = new TaskHubGrpcWorker({
    hostAddress: `127.0.0.1:${grpc.port}`,
    logger: new NoOpLogger(),
    shutdownTimeoutMs: 200,
    versioning,
  });
  const ranBy = versioning.version ?? 'none';
  worker.addNamedOrchestrator('Versioned', async function* (ctx: OrchestrationContext) {
    return { version: ctx.version, ranBy, newerThan1: ctx.compareVersionTo('1.0') > 0 };
  });
  await worker.start();
  workers.push(worker);
  return worker;
}

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'durable-grpc-versioning-'));
  hub = new WorkItemHub({ pingIntervalMs: 1000 });
  platform = await EmbeddedPlatform.start({
    dataDir,
    registry: new Registry().add(
      defineOrchestration('LocalVersioned', (ctx) => ({
        version: ctx.version,
        newer: ctx.compareVersionTo('1.10') > 0,
      })),
    ),
    partitions: 2,
    remote: hub,
    parkedRetryMs: 200,
  });
  grpc = await GrpcFrontend.start({ client: platform.client, hub, host: '127.0.0.1', port: 0 });
  client = new TaskHubGrpcClient({ hostAddress: `127.0.0.1:${grpc.port}`, logger: new NoOpLogger() });
});

afterAll(async () => {
  for (const worker of workers) await worker.stop().catch(() => undefined);
  await client?.stop();
  await grpc?.stop();
  await platform?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('versioning with the official JS SDK over gRPC (embedded)', () => {
  it('Reject: a new version waits while only an old worker is connected, then runs on the new worker', async () => {
    const strict = {
      matchStrategy: VersionMatchStrategy.Strict,
      failureStrategy: VersionFailureStrategy.Reject,
    };
    const old = await startWorker({ version: '1.0', ...strict });
    await client.scheduleNewOrchestration('Versioned', undefined, { instanceId: 'grpc-v1', version: '1.0' });
    await client.scheduleNewOrchestration('Versioned', undefined, { instanceId: 'grpc-v2', version: '2.0' });
    const v1 = await client.waitForOrchestrationCompletion('grpc-v1', true, 30);
    expect(JSON.parse(v1?.serializedOutput ?? 'null')).toEqual({
      version: '1.0',
      ranBy: '1.0',
      newerThan1: false,
    });
    // The old worker abandons it each time it is offered: it stays unfinished, parked.
    for (let i = 0; i < 200 && (await platform.client.getStatus('grpc-v2'))?.runtimeStatus === 'Pending'; i++)
      await new Promise((resolve) => setTimeout(resolve, 10));
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect((await client.getOrchestrationState('grpc-v2'))?.runtimeStatus).not.toBe(
      OrchestrationStatus.COMPLETED,
    );

    await startWorker({ version: '2.0', ...strict });
    const v2 = await client.waitForOrchestrationCompletion('grpc-v2', true, 30);
    expect(v2?.runtimeStatus).toBe(OrchestrationStatus.COMPLETED);
    expect(JSON.parse(v2?.serializedOutput ?? 'null')).toEqual({
      version: '2.0',
      ranBy: '2.0',
      newerThan1: true,
    });
    expect((await platform.client.getStatus('grpc-v2'))?.version).toBe('2.0');
    await old.stop();
  });

  it('gives CreateInstanceRequest.version to an in-process orchestration as ctx.version', async () => {
    await client.scheduleNewOrchestration('LocalVersioned', undefined, {
      instanceId: 'grpc-local',
      version: '1.9',
    });
    const state = await client.waitForOrchestrationCompletion('grpc-local', true, 30);
    expect(JSON.parse(state?.serializedOutput ?? 'null')).toEqual({ version: '1.9', newer: false });
  });

  it('Fail: a worker that fails other versions fails the instance with VersionMismatch', async () => {
    for (const worker of workers.splice(0)) await worker.stop().catch(() => undefined);
    await startWorker({
      version: '1.0',
      matchStrategy: VersionMatchStrategy.CurrentOrOlder,
      failureStrategy: VersionFailureStrategy.Fail,
    });
    await client.scheduleNewOrchestration('Versioned', undefined, { instanceId: 'grpc-v3', version: '3.0' });
    const state = await client.waitForOrchestrationCompletion('grpc-v3', true, 30);
    expect(state?.runtimeStatus).toBe(OrchestrationStatus.FAILED);
    expect(state?.failureDetails?.errorType).toBe('VersionMismatch');
  });
});
