// The official JS SDK worker (@microsoft/durabletask-js, unchanged) as its own process, the way a
// user runs one: `node -r @swc-node/register tools/bench/sdk-worker.ts HOST:PORT`. It serves
// SdkHelloSequence5 and its activity, and prints `ready` once it has started.
import {
  NoOpLogger,
  TaskHubGrpcWorker,
  type ActivityContext,
  type OrchestrationContext,
  type Task,
} from '@microsoft/durabletask-js';

async function* sdkHelloSequence5(ctx: OrchestrationContext): AsyncGenerator<Task<string>, string[], string> {
  const out: string[] = [];
  for (const city of ['Tokyo', 'Seattle', 'London', 'Paris', 'Cairo'])
    out.push(yield ctx.callActivity('SdkSayHello', city));
  return out;
}

async function main(): Promise<void> {
  const address = process.argv[2];
  if (address === undefined) throw new Error('usage: sdk-worker.ts HOST:PORT');
  const worker = new TaskHubGrpcWorker({ hostAddress: address, logger: new NoOpLogger() });
  worker.addNamedActivity('SdkSayHello', async (_: ActivityContext, name: string) => `Hello ${name}!`);
  worker.addNamedOrchestrator('SdkHelloSequence5', sdkHelloSequence5);
  await worker.start();
  const stop = (): void => {
    worker.stop().then(
      () => process.exit(0),
      () => process.exit(0),
    );
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  process.stdout.write('ready\n');
}

main().catch((error: unknown) => {
  process.stderr.write(`${String(error)}\n`);
  process.exit(1);
});
