// HelloSequence5 on the embedded product, run by the in-process TypeScript SDK and by the official
// JS SDK worker (@microsoft/durabletask-js) over gRPC, each driven closed-loop by its own client
// (the instance client, and the SDK's gRPC client). Part of `npm run bench` (`--only grpc`).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  NoOpLogger,
  TaskHubGrpcClient,
  TaskHubGrpcWorker,
  type ActivityContext,
  type OrchestrationContext,
  type Task,
} from '@microsoft/durabletask-js';
import { Registry } from '@durable/engine';
import { EmbeddedPlatform, GrpcFrontend, WorkItemHub } from '@durable/host';
import { helloSequence5, sayHello } from '@durable/samples';
import { closedLoop, type ClosedLoopOptions, type ClosedLoopResult } from './closed-loop';
import type { Progress } from './progress';

export const grpcBenchSizes = {
  full: { warmupSeconds: 2, seconds: 10, concurrency: 50 },
  quick: { warmupSeconds: 1, seconds: 5, concurrency: 50 },
  tiny: { warmupSeconds: 0, seconds: 0.5, concurrency: 2 },
} satisfies Record<string, ClosedLoopOptions>;

export interface GrpcBenchResult {
  readonly inProcess: ClosedLoopResult;
  readonly overGrpc: ClosedLoopResult;
}

async function* sdkHelloSequence5(ctx: OrchestrationContext): AsyncGenerator<Task<string>, string[], string> {
  const out: string[] = [];
  for (const city of ['Tokyo', 'Seattle', 'London', 'Paris', 'Cairo'])
    out.push(yield ctx.callActivity('SdkSayHello', city));
  return out;
}

export async function runGrpcBench(
  options: ClosedLoopOptions,
  progress?: Progress,
): Promise<GrpcBenchResult> {
  const dataDir = mkdtempSync(join(tmpdir(), 'durable-bench-grpc-'));
  const hub = new WorkItemHub();
  const platform = await EmbeddedPlatform.start({
    dataDir,
    registry: new Registry().add(sayHello, helloSequence5),
    remote: hub,
  });
  const grpc = await GrpcFrontend.start({ client: platform.client, hub, host: '127.0.0.1', port: 0 });
  const address = `127.0.0.1:${grpc.port}`;
  const worker = new TaskHubGrpcWorker({ hostAddress: address, logger: new NoOpLogger() });
  worker.addNamedActivity('SdkSayHello', async (_: ActivityContext, name: string) => `Hello ${name}!`);
  worker.addNamedOrchestrator('SdkHelloSequence5', sdkHelloSequence5);
  await worker.start();
  const client = new TaskHubGrpcClient({ hostAddress: address, logger: new NoOpLogger() });
  try {
    const inProcess = await closedLoop(
      async () => {
        const { instanceId } = await platform.client.start('HelloSequence5');
        const status = await platform.client.waitForCompletion(instanceId, { timeoutMs: 60_000 });
        if (status?.runtimeStatus !== 'Completed') throw new Error(`${instanceId}: ${status?.runtimeStatus}`);
      },
      options,
      'grpc: in-process SDK',
      progress,
    );
    const overGrpc = await closedLoop(
      async () => {
        const id = await client.scheduleNewOrchestration('SdkHelloSequence5');
        const state = await client.waitForOrchestrationCompletion(id, true, 60);
        if (state?.serializedOutput === undefined) throw new Error(`${id} did not complete`);
      },
      options,
      'grpc: JS SDK over gRPC',
      progress,
    );
    progress?.done('grpc: done');
    return { inProcess, overGrpc };
  } finally {
    await worker.stop().catch(() => undefined);
    await client.stop();
    await grpc.stop();
    await platform.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

export function grpcMarkdown(result: GrpcBenchResult): string {
  const row = (label: string, r: ClosedLoopResult) =>
    `| ${label}, ${r.concurrency} in flight | ${r.completedPerSec} | ${r.p50Ms} | ${r.p95Ms} | ${r.p99Ms} |`;
  return [
    '### HelloSequence5 over the Durable Task gRPC protocol (embedded)',
    '',
    '| worker | orchestrations/s | p50 ms | p95 ms | p99 ms |',
    '| --- | ---: | ---: | ---: | ---: |',
    row('in-process TypeScript SDK', result.inProcess),
    row('@microsoft/durabletask-js 0.4.0 worker over gRPC', result.overGrpc),
  ].join('\n');
}
