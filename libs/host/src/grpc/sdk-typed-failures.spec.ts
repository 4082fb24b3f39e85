// Typed failures over the Durable Task protocol: `isNonRetriable` reaches the official SDK's retry
// policy, and a thrown error's own fields travel in TaskFailureDetails.properties.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { credentials } from '@grpc/grpc-js';
import {
  NoOpLogger,
  OrchestrationStatus,
  RetryPolicy,
  TaskHubGrpcClient,
  TaskHubGrpcWorker,
  type OrchestrationContext,
  type Task,
} from '@microsoft/durabletask-js';
import { TaskHubSidecarServiceClient } from '@microsoft/durabletask-js/dist/proto/orchestrator_service_grpc_pb';
import * as pb from '@microsoft/durabletask-js/dist/proto/orchestrator_service_pb';
import { defineActivity, defineOrchestration, Registry } from '@durable/engine';
import { GrpcFrontend, WorkItemHub } from '@durable/grpc';
import { EmbeddedPlatform } from '../embedded/embedded-platform';

jest.setTimeout(60_000);

class PaymentError extends Error {
  override readonly name = 'PaymentError';
  readonly retriable = false;
  constructor(
    readonly code: string,
    readonly details: { readonly amount: number },
  ) {
    super(`payment refused (${code})`);
  }
}

let payAttempts = 0;
const pay = defineActivity('Pay', () => {
  payAttempts++;
  throw new PaymentError('E_FRAUD', { amount: 12 });
});
const localCheckout = defineOrchestration('LocalCheckout', (ctx) => ctx.callActivity(pay, undefined));

async function* remoteCheckout(ctx: OrchestrationContext): AsyncGenerator<Task<unknown>, unknown, unknown> {
  const retry = new RetryPolicy({ maxNumberOfAttempts: 3, firstRetryIntervalInMilliseconds: 10 });
  return yield ctx.callActivity('Pay', undefined, { retry });
}

let dataDir: string;
let platform: EmbeddedPlatform;
let grpc: GrpcFrontend;
let client: TaskHubGrpcClient;
let worker: TaskHubGrpcWorker;
let stub: TaskHubSidecarServiceClient;

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'durable-grpc-failures-'));
  const hub = new WorkItemHub({ pingIntervalMs: 1000 });
  platform = await EmbeddedPlatform.start({
    dataDir,
    registry: new Registry().add(pay, localCheckout),
    partitions: 2,
    remote: hub,
  });
  grpc = await GrpcFrontend.start({ client: platform.client, hub, host: '127.0.0.1', port: 0 });
  const address = `127.0.0.1:${grpc.port}`;
  client = new TaskHubGrpcClient({ hostAddress: address, logger: new NoOpLogger() });
  worker = new TaskHubGrpcWorker({ hostAddress: address, logger: new NoOpLogger(), shutdownTimeoutMs: 200 });
  worker.addNamedOrchestrator('RemoteCheckout', remoteCheckout);
  await worker.start();
  stub = new TaskHubSidecarServiceClient(address, credentials.createInsecure());
});

afterAll(async () => {
  stub?.close();
  await worker?.stop().catch(() => undefined);
  await client?.stop();
  await grpc?.stop();
  await platform?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

function getInstance(instanceId: string): Promise<pb.GetInstanceResponse> {
  const request = new pb.GetInstanceRequest();
  request.setInstanceid(instanceId);
  return new Promise((resolve, reject) =>
    stub.getInstance(request, (error, response) => (error ? reject(error) : resolve(response))),
  );
}

describe('typed failures over gRPC', () => {
  it("stops the official SDK's retry policy on a failure marked non-retriable", async () => {
    payAttempts = 0;
    const id = await client.scheduleNewOrchestration('RemoteCheckout');
    const state = await client.waitForOrchestrationCompletion(id, true, 30);
    expect(state?.runtimeStatus).toBe(OrchestrationStatus.FAILED);
    expect(payAttempts).toBe(1);
  });

  it("carries the thrown error's fields in TaskFailureDetails.properties", async () => {
    const id = await client.scheduleNewOrchestration('LocalCheckout');
    await client.waitForOrchestrationCompletion(id, false, 30);
    const failure = (await getInstance(id)).getOrchestrationstate()?.getFailuredetails();
    const inner = failure?.getInnerfailure();
    expect(inner?.getErrortype()).toBe('PaymentError');
    expect(inner?.getIsnonretriable()).toBe(true);
    const properties = inner?.getPropertiesMap();
    expect(properties?.get('code')?.toJavaScript()).toBe('E_FRAUD');
    expect(properties?.get('details')?.toJavaScript()).toEqual({ amount: 12 });
  });
});
