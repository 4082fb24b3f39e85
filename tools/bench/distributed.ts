// Distributed benchmark: a real Kafka broker, the Cosmos DB protocol server and the worker apps as
// separate processes on this machine; the benchmark process plays the frontend (the instance
// client behind the REST API) and polls for completion as a REST caller would.
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { RuntimeStatus } from '@durable/core';
import { consoleLogger, distributedConfigFromEnv, startFrontend } from '@durable/host';
import type { InstanceService, InstanceStatus } from '@durable/runtime';
import { DistributedCluster } from '../servers';
import { benchAppPath, registry } from './bench-app';
import { closedLoop } from './closed-loop';
import { openLoop } from './open-loop';
import type { Progress } from './progress';
import { engineResourcesMarkdown, engineRunsMarkdown } from './report';
import { metered, type MeteredProcess } from './resources';
import {
  fanOutRuns,
  completedTimer,
  openLoopRate,
  timerResult,
  withLimit,
  type EngineRuns,
  type WorkloadSizes,
} from './workloads';

export interface DistributedBenchSizes extends WorkloadSizes {
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
    openLoopFraction: 0.7,
    openLoopSeconds: 10,
    fanOutSmall: 100,
    fanOutSmallConcurrency: 8,
    fanOutSmallSeconds: 10,
    fanOutLarge: 10_000,
    timers: 1000,
    timerDelayMs: 1000,
    orchestrationWorkers: 1,
    activityWorkers: 1,
    partitions: 8,
    pollMs: 100,
  },
  quick: {
    warmupSeconds: 3,
    seconds: 8,
    concurrency: 300,
    openLoopFraction: 0.7,
    openLoopSeconds: 4,
    fanOutSmall: 100,
    fanOutSmallConcurrency: 8,
    fanOutSmallSeconds: 4,
    fanOutLarge: 10_000,
    timers: 1000,
    timerDelayMs: 1000,
    orchestrationWorkers: 1,
    activityWorkers: 1,
    partitions: 8,
    pollMs: 100,
  },
  tiny: {
    warmupSeconds: 0,
    seconds: 3,
    concurrency: 4,
    openLoopFraction: 0.5,
    openLoopSeconds: 1,
    fanOutSmall: 10,
    fanOutSmallConcurrency: 2,
    fanOutSmallSeconds: 1,
    fanOutLarge: 20,
    timers: 5,
    timerDelayMs: 200,
    orchestrationWorkers: 1,
    activityWorkers: 1,
    partitions: 2,
    pollMs: 50,
  },
} satisfies Record<string, DistributedBenchSizes>;

export interface DistributedBenchResult extends EngineRuns {
  readonly helloSequence5: NonNullable<EngineRuns['helloSequence5']>;
  readonly helloSequence5Open: NonNullable<EngineRuns['helloSequence5Open']>;
  readonly fanOutSmall: NonNullable<EngineRuns['fanOutSmall']>;
  readonly fanOutLarge: NonNullable<EngineRuns['fanOutLarge']>;
  readonly timers: NonNullable<EngineRuns['timers']>;
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
    app: benchAppPath,
    env: { DURABLE_LOG_LEVEL: 'error' },
  });
  // The benchmark plays the frontend: the same instance client, over the same Kafka and Cosmos DB.
  const frontend = await startFrontend(
    distributedConfigFromEnv(cluster.env, process.cwd(), 0),
    registry,
    consoleLogger('error'),
  );
  const { client } = frontend;
  const processes: MeteredProcess[] = [
    { label: 'bench (driver, frontend client, Cosmos DB server)', pid: 'self' },
    ...(cluster.broker.pid === undefined ? [] : [{ label: 'Kafka broker (JVM)', pid: cluster.broker.pid }]),
    ...[...cluster.orchestrationWorkers, ...cluster.activityWorkers].flatMap((app) =>
      app.pid === undefined ? [] : [{ label: app.label, pid: app.pid }],
    ),
  ];
  try {
    const complete = (name: string, input?: string, pollMs = sizes.pollMs) =>
      runToCompletion(client, name, input, pollMs);
    const helloSequence5Once = async (): Promise<void> => {
      await complete('HelloSequence5');
    };

    const closed = await metered(processes, () =>
      closedLoop(helloSequence5Once, sizes, 'distributed: HelloSequence5 closed loop', progress),
    );
    const helloSequence5 = { ...closed.result, resources: closed.resources };

    const rate = openLoopRate(helloSequence5, sizes);
    const open = await metered(processes, () =>
      openLoop(
        helloSequence5Once,
        { warmupSeconds: 1, seconds: sizes.openLoopSeconds, rate },
        `distributed: HelloSequence5 open loop at ${rate}/s`,
        progress,
      ),
    );
    const helloSequence5Open = { ...open.result, resources: open.resources };

    const { fanOutSmall, fanOutLarge } = await fanOutRuns(
      'distributed',
      processes,
      complete,
      sizes,
      progress,
    );

    const timerRun = await metered(processes, async () => {
      progress?.update(`distributed: ${sizes.timers} durable timers of ${sizes.timerDelayMs} ms…`);
      const prefix = `timer-${randomUUID().slice(0, 8)}-`;
      const firstStart = Date.now();
      const t0 = performance.now();
      await withLimit(Array.from({ length: sizes.timers }), 100, (_, i) =>
        client.start('DurableTimer', { instanceId: `${prefix}${i}`, input: String(sizes.timerDelayMs) }),
      );
      const startMs = performance.now() - t0;
      // One listing per poll instead of a status read per instance.
      const deadline = performance.now() + 120_000;
      for (;;) {
        const done = await completedWithPrefix(client, prefix);
        progress?.update(`distributed: durable timers ${done.length}/${sizes.timers} completed…`);
        if (done.length >= sizes.timers)
          return timerResult(done.map(completedTimer), firstStart, startMs, sizes.timerDelayMs);
        if (performance.now() > deadline) throw new Error('the durable timers did not all complete in 120 s');
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
    });
    const timers = { ...timerRun.result, resources: timerRun.resources };

    progress?.done('distributed: done');
    return {
      engine: 'durable distributed',
      helloSequence5,
      helloSequence5Open,
      fanOutSmall,
      fanOutLarge,
      timers,
      setup: `${sizes.orchestrationWorkers} orchestration worker(s), ${sizes.activityWorkers} activity worker(s), ${sizes.partitions} partitions; status polled every ${sizes.pollMs} ms`,
    };
  } finally {
    await frontend.stop();
    await cluster.stop();
  }
}

/** Starts an instance and polls its status until it completes, as a REST caller would. */
async function runToCompletion(
  client: InstanceService,
  name: string,
  input: string | undefined,
  pollMs: number,
): Promise<void> {
  const t0 = performance.now();
  const { instanceId } = await client.start(name, input === undefined ? {} : { input });
  for (;;) {
    await new Promise((resolve) => setTimeout(resolve, pollMs));
    const status = await client.getStatus(instanceId, { includeInput: false, includeOutput: false });
    if (status?.runtimeStatus === 'Completed') return;
    if (status !== undefined && status.runtimeStatus !== 'Running' && status.runtimeStatus !== 'Pending')
      throw new Error(`${name} ended ${status.runtimeStatus}`);
    if (performance.now() - t0 > 300_000) throw new Error(`${name} did not complete in 300 s`);
  }
}

async function completedWithPrefix(client: InstanceService, prefix: string): Promise<InstanceStatus[]> {
  const out: InstanceStatus[] = [];
  let continuationToken: string | undefined;
  do {
    const page = await client.list({
      instanceIdPrefix: prefix,
      statuses: [RuntimeStatus.Completed],
      pageSize: 1000,
      ...(continuationToken === undefined ? {} : { continuationToken }),
    });
    out.push(...page.instances);
    continuationToken = page.continuationToken;
  } while (continuationToken !== undefined);
  return out;
}

export function distributedMarkdown(result: DistributedBenchResult): string {
  return [
    '### Distributed (Kafka broker + Cosmos DB protocol server on this machine, workers as processes)',
    '',
    engineRunsMarkdown(result),
    '',
    `Setup: ${result.setup}.`,
    '',
    '#### CPU time and peak RSS per workload',
    '',
    engineResourcesMarkdown(result),
  ].join('\n');
}
