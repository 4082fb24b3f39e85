// `node -r @swc-node/register tools/bench/grpc.ts`: HelloSequence5 on the embedded product, run by
// the in-process TypeScript SDK and by the official JS SDK worker (@microsoft/durabletask-js) over
// gRPC, each driven closed-loop by its own client (REST-less: the instance client, and the SDK's
// gRPC client). Prints both figures as a markdown table.
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
import { closedLoop, type ClosedLoopResult } from './closed-loop';

async function* sdkHelloSequence5(ctx: OrchestrationContext): AsyncGenerator<Task<string>, string[], string> {
  const out: string[] = [];
  for (const city of ['Tokyo', 'Seattle', 'London', 'Paris', 'Cairo'])
    out.push(yield ctx.callActivity('SdkSayHello', city));
  return out;
}

async function main(): Promise<void> {
  const seconds = Number(process.env['BENCH_SECONDS'] ?? 10);
  const concurrency = Number(process.env['BENCH_CONCURRENCY'] ?? 50);
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
  const options = { warmupSeconds: 2, seconds, concurrency };
  try {
    const inProcess = await closedLoop(
      async () => {
        const { instanceId } = await platform.client.start('HelloSequence5');
        const status = await platform.client.waitForCompletion(instanceId, { timeoutMs: 60_000 });
        if (status?.runtimeStatus !== 'Completed') throw new Error(`${instanceId}: ${status?.runtimeStatus}`);
      },
      options,
      'in-process SDK',
    );
    const overGrpc = await closedLoop(
      async () => {
        const id = await client.scheduleNewOrchestration('SdkHelloSequence5');
        const state = await client.waitForOrchestrationCompletion(id, true, 60);
        if (state?.serializedOutput === undefined) throw new Error(`${id} did not complete`);
      },
      options,
      'JS SDK over gRPC',
    );
    const row = (label: string, r: ClosedLoopResult) =>
      `| ${label} | ${r.completedPerSec.toFixed(0)} | ${r.p50Ms.toFixed(1)} | ${r.p95Ms.toFixed(1)} | ${r.p99Ms.toFixed(1)} |`;
    console.log(
      [
        `HelloSequence5, embedded, ${concurrency} callers, ${seconds} s (node ${process.version})`,
        '',
        '| worker | orchestrations/s | p50 ms | p95 ms | p99 ms |',
        '| --- | ---: | ---: | ---: | ---: |',
        row('in-process TypeScript SDK', inProcess),
        row('@microsoft/durabletask-js 0.4.0 over gRPC', overGrpc),
      ].join('\n'),
    );
  } finally {
    await worker.stop().catch(() => undefined);
    await client.stop();
    await grpc.stop();
    await platform.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
