// Distributed benchmark: a real Kafka broker, the Cosmos DB protocol server and the worker apps as
// separate processes on this machine; the benchmark process plays the frontend (the instance
// client behind the REST API) and polls for completion as a REST caller would.
import { performance } from 'node:perf_hooks';
import { consoleLogger, distributedConfigFromEnv, startFrontend } from '@durable/host';
import { registry as samples } from '@durable/samples';
import { DistributedCluster } from '../servers';
import { closedLoop, type ClosedLoopResult } from './closed-loop';
import type { Progress } from './progress';

export interface DistributedBenchSizes {
  readonly warmupSeconds: number;
  readonly seconds: number;
  readonly concurrency: number;
  readonly orchestrationWorkers: number;
  readonly activityWorkers: number;
  readonly partitions: number;
  /** How often a waiting caller polls the instance status. */
  readonly pollMs: number;
}

export const distributedBenchSizes = {
  full: {
    warmupSeconds: 5,
    seconds: 20,
    concurrency: 300,
    orchestrationWorkers: 1,
    activityWorkers: 1,
    partitions: 8,
    pollMs: 100,
  },
  quick: {
    warmupSeconds: 3,
    seconds: 10,
    concurrency: 300,
    orchestrationWorkers: 1,
    activityWorkers: 1,
    partitions: 8,
    pollMs: 100,
  },
  tiny: {
    warmupSeconds: 0,
    seconds: 5,
    concurrency: 4,
    orchestrationWorkers: 1,
    activityWorkers: 1,
    partitions: 2,
    pollMs: 50,
  },
} satisfies Record<string, DistributedBenchSizes>;

export interface DistributedBenchResult {
  readonly helloSequence5: ClosedLoopResult;
  readonly setup: string;
}

export async function runDistributedBench(
  sizes: DistributedBenchSizes,
  progress?: Progress,
): Promise<DistributedBenchResult> {
  progress?.update('distributed: starting Kafka, Cosmos DB and the workers…');
  const cluster = await DistributedCluster.start({
    frontend: false,
    orchestrationWorkers: sizes.orchestrationWorkers,
    activityWorkers: sizes.activityWorkers,
    partitions: sizes.partitions,
    env: { DURABLE_LOG_LEVEL: 'error' },
  });
  // The benchmark plays the frontend: the same instance client, over the same Kafka and Cosmos DB.
  const frontend = await startFrontend(
    distributedConfigFromEnv(cluster.env, process.cwd(), 0),
    samples,
    consoleLogger('error'),
  );
  const { client } = frontend;
  try {
    const runOne = async (): Promise<void> => {
      const t0 = performance.now();
      const { instanceId } = await client.start('HelloSequence5');
      for (;;) {
        await new Promise((resolve) => setTimeout(resolve, sizes.pollMs));
        const status = await client.getStatus(instanceId);
        if (status?.runtimeStatus === 'Completed') return;
        if (status !== undefined && status.runtimeStatus !== 'Running' && status.runtimeStatus !== 'Pending')
          throw new Error(`HelloSequence5 ended ${status.runtimeStatus}`);
        if (performance.now() - t0 > 120_000) throw new Error('HelloSequence5 did not complete in 120 s');
      }
    };
    const helloSequence5 = await closedLoop(runOne, sizes, 'distributed: HelloSequence5', progress);
    progress?.done('distributed: done');
    return {
      helloSequence5,
      setup: `${sizes.orchestrationWorkers} orchestration worker(s), ${sizes.activityWorkers} activity worker(s), ${sizes.partitions} partitions; status polled every ${sizes.pollMs} ms`,
    };
  } finally {
    await frontend.stop();
    await cluster.stop();
  }
}

export function distributedMarkdown(result: DistributedBenchResult): string {
  const h = result.helloSequence5;
  return [
    '### Distributed (Kafka broker + Cosmos DB protocol server on this machine, workers as processes)',
    '',
    '| workload | completed/s | p50 ms | p99 ms | notes |',
    '| --- | ---: | ---: | ---: | --- |',
    `| HelloSequence5, ${h.concurrency} in flight | ${h.completedPerSec} | ${h.p50Ms} | ${h.p99Ms} | ${h.completed} completed in the window |`,
    '',
    `Setup: ${result.setup}.`,
  ].join('\n');
}
