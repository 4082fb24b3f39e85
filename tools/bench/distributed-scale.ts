// `npm run bench:distributed-scale -- [--partitions N] [--orchestration-workers N] [--activity-workers N]
// [--seconds N] [--concurrency N] [--poll]`: HelloSequence5 alone, closed loop, on the distributed product, with
// CPU per process and Cosmos DB usage per instance. For profiling (DURABLE_NODE_ARGS=--cpu-prof,
// DURABLE_KAFKA_JVM_ARGS=-XX:StartFlightRecording=…) and for measuring how throughput scales.
import { distributedBenchSizes, helloCostMarkdown, startDistributedBench } from './distributed';
import { Progress } from './progress';

function flag(args: readonly string[], name: string, fallback: number): number {
  const index = args.indexOf(`--${name}`);
  if (index < 0) return fallback;
  const value = Number(args[index + 1]);
  if (!Number.isInteger(value) || value < 1) throw new Error(`--${name} takes a positive integer`);
  return value;
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const base = distributedBenchSizes.full;
  const sizes = {
    ...base,
    partitions: flag(args, 'partitions', base.partitions),
    orchestrationWorkers: flag(args, 'orchestration-workers', base.orchestrationWorkers),
    activityWorkers: flag(args, 'activity-workers', base.activityWorkers),
    warmupSeconds: flag(args, 'warmup', base.warmupSeconds),
    seconds: flag(args, 'seconds', base.seconds),
    concurrency: flag(args, 'concurrency', base.concurrency),
    wait: args.includes('--poll') ? ('poll' as const) : ('notified' as const),
  };
  const progress = new Progress();
  const rig = await startDistributedBench(sizes, progress);
  try {
    const run = await rig.helloSequence5('distributed: HelloSequence5 closed loop', progress);
    progress.done('distributed: done');
    console.log(
      `${sizes.partitions} partitions, ${sizes.orchestrationWorkers} orchestration worker(s), ` +
        `${sizes.activityWorkers} activity worker(s), ${sizes.concurrency} in flight: ` +
        `${run.completedPerSec}/s, p50 ${run.p50Ms} ms, p99 ${run.p99Ms} ms\n`,
    );
    console.log(helloCostMarkdown(run));
  } finally {
    await rig.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
