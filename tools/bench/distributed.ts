// Distributed benchmark: a real Kafka broker, the Cosmos DB protocol server and the worker apps as
// separate processes on this machine; the benchmark process plays the frontend (the instance
// client behind the REST API) and polls for completion as a REST caller would.
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { RuntimeStatus } from '@durable/core';
import { consoleLogger, distributedConfigFromEnv, startFrontend } from '@durable/host';
import type { InstanceService, InstanceStatus } from '@durable/runtime';
import { DistributedCluster } from '../servers';
import { CosmosServerProcess, type CosmosUsage } from '../servers/cosmos-server';
import { benchAppPath, registry } from './bench-app';
import { closedLoop } from './closed-loop';
import { openLoop } from './open-loop';
import type { Progress } from './progress';
import { engineResourcesMarkdown, engineRunsMarkdown } from './report';
import { metered, meteredWindow, type MeteredProcess } from './resources';
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
  /**
   * How a caller waits for an instance: 'notified' as a caller of the wait API (gRPC
   * WaitForInstanceCompletion), woken by the workers' finish notices; 'poll' as a REST caller
   * polling the status every `pollMs`.
   */
  readonly wait: 'notified' | 'poll';
  readonly pollMs: number;
}

export const distributedBenchSizes = {
  full: {
    // A fresh broker JIT-compiles for about half a minute under load: its steady state comes later.
    warmupSeconds: 20,
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
    wait: 'notified',
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
    wait: 'notified',
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
    wait: 'notified',
    pollMs: 50,
  },
} satisfies Record<string, DistributedBenchSizes>;

export interface DistributedBenchResult extends EngineRuns {
  readonly helloSequence5: DistributedHelloRun;
  readonly helloSequence5Open: NonNullable<EngineRuns['helloSequence5Open']>;
  readonly fanOutSmall: NonNullable<EngineRuns['fanOutSmall']>;
  readonly fanOutLarge: NonNullable<EngineRuns['fanOutLarge']>;
  readonly timers: NonNullable<EngineRuns['timers']>;
  readonly setup: string;
}

/** Cosmos DB usage per completed HelloSequence5: requests, item operations and request charge (RU). */
export interface CosmosPerInstance {
  readonly requests: number;
  readonly operations: number;
  readonly requestCharge: number;
  /** Operations per instance by kind (read, bulk, query, create, …). */
  readonly operationsByKind: Record<string, number>;
}

export type DistributedHelloRun = NonNullable<EngineRuns['helloSequence5']> & {
  readonly cosmos: CosmosPerInstance;
};

/** The product on this machine as the benchmark drives it, with every process metered apart. */
export interface DistributedBenchRig {
  readonly cluster: DistributedCluster;
  readonly client: InstanceService;
  readonly processes: readonly MeteredProcess[];
  /** Runs one orchestration to completion as a REST caller would. */
  complete(name: string, input?: string, pollMs?: number): Promise<void>;
  /** HelloSequence5 in a closed loop, with Cosmos DB usage per completed instance. */
  helloSequence5(label: string, progress?: Progress): Promise<DistributedHelloRun>;
  stop(): Promise<void>;
}

export async function startDistributedBench(
  sizes: DistributedBenchSizes,
  progress?: Progress,
): Promise<DistributedBenchRig> {
  progress?.update('distributed: starting Kafka, Cosmos DB and the workers…');
  const cluster = await DistributedCluster.start({
    frontend: false,
    orchestrationWorkers: sizes.orchestrationWorkers,
    activityWorkers: sizes.activityWorkers,
    partitions: sizes.partitions,
    app: benchAppPath,
    env: { DURABLE_LOG_LEVEL: 'error' },
    cosmosProcess: true,
  });
  try {
    // The benchmark plays the frontend: the same instance client, over the same Kafka and Cosmos DB.
    const frontend = await startFrontend(
      distributedConfigFromEnv(cluster.env, process.cwd(), 0),
      registry,
      consoleLogger('error'),
    );
    const { client } = frontend;
    const cosmos = cluster.cosmos;
    const processes: MeteredProcess[] = [
      { label: 'bench (driver, frontend client)', pid: 'self' },
      ...(cosmos.pid === undefined ? [] : [{ label: 'Cosmos DB server', pid: cosmos.pid }]),
      ...(cluster.broker.pid === undefined ? [] : [{ label: 'Kafka broker (JVM)', pid: cluster.broker.pid }]),
      ...[...cluster.orchestrationWorkers, ...cluster.activityWorkers].flatMap((app) =>
        app.pid === undefined ? [] : [{ label: app.label, pid: app.pid }],
      ),
    ];
    const complete = (name: string, input?: string, pollMs = sizes.pollMs) =>
      sizes.wait === 'notified'
        ? runUntilNotified(client, name, input)
        : runToCompletion(client, name, input, pollMs);
    const usage = async (): Promise<CosmosUsage | undefined> =>
      cosmos instanceof CosmosServerProcess ? cosmos.usage() : undefined;
    return {
      cluster,
      client,
      processes,
      complete,
      helloSequence5: async (label, progress) => {
        let before: Promise<CosmosUsage | undefined> = Promise.resolve(undefined);
        let after: Promise<CosmosUsage | undefined> = Promise.resolve(undefined);
        const closed = await meteredWindow(processes, (window) =>
          closedLoop(() => complete('HelloSequence5'), sizes, label, progress, {
            opened: () => {
              window.opened();
              before = usage();
            },
            closed: () => {
              window.closed();
              after = usage();
            },
          }),
        );
        return {
          ...closed.result,
          resources: closed.resources,
          cosmos: perInstance(await before, await after, closed.result.completed),
        };
      },
      stop: async () => {
        await frontend.stop();
        await cluster.stop();
      },
    };
  } catch (error) {
    await cluster.stop();
    throw error;
  }
}

/** Usage over the measured window divided by the completions in it. */
function perInstance(
  before: CosmosUsage | undefined,
  after: CosmosUsage | undefined,
  completed: number,
): CosmosPerInstance {
  const per = (a: number, b: number) => (completed === 0 ? 0 : Math.round(((a - b) / completed) * 100) / 100);
  if (before === undefined || after === undefined)
    return { requests: 0, operations: 0, requestCharge: 0, operationsByKind: {} };
  const operationsByKind: Record<string, number> = {};
  for (const [kind, usage] of Object.entries(after.byKind))
    operationsByKind[kind] = per(usage.operations, before.byKind[kind]?.operations ?? 0);
  return {
    requests: per(after.requests, before.requests),
    operations: per(after.operations, before.operations),
    requestCharge: per(after.requestCharge, before.requestCharge),
    operationsByKind,
  };
}

export async function runDistributedBench(
  sizes: DistributedBenchSizes,
  progress?: Progress,
): Promise<DistributedBenchResult> {
  const rig = await startDistributedBench(sizes, progress);
  const { client, processes, complete } = rig;
  try {
    const helloSequence5Once = async (): Promise<void> => {
      await complete('HelloSequence5');
    };
    const helloSequence5 = await rig.helloSequence5('distributed: HelloSequence5 closed loop', progress);

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
      setup: `${sizes.orchestrationWorkers} orchestration worker(s), ${sizes.activityWorkers} activity worker(s), ${sizes.partitions} partitions; ${sizes.wait === 'notified' ? 'callers wait on finish notices' : `status polled every ${sizes.pollMs} ms`}`,
    };
  } finally {
    await rig.stop();
  }
}

/**
 * Starts an instance and waits for it as a caller of the wait API (gRPC WaitForInstanceCompletion)
 * does: the frontend reads its status, then again when a worker announces its finish.
 */
async function runUntilNotified(
  client: InstanceService,
  name: string,
  input: string | undefined,
): Promise<void> {
  const { instanceId } = await client.start(name, input === undefined ? {} : { input });
  const status = await client.waitForCompletion(instanceId, { timeoutMs: 300_000 });
  if (status?.runtimeStatus !== 'Completed')
    throw new Error(`${name} ended ${status?.runtimeStatus ?? 'unfinished (not found or timed out)'}`);
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
    helloCostMarkdown(result.helloSequence5),
    '',
    '#### CPU time and peak RSS per workload',
    '',
    engineResourcesMarkdown(result),
  ].join('\n');
}

/** What one HelloSequence5 costs: CPU per process and Cosmos DB usage. */
export function helloCostMarkdown(run: DistributedHelloRun): string {
  const perInstance = (cpuMs: number) =>
    run.completed === 0 ? '–' : ((cpuMs / run.completed) * 1000).toFixed(0);
  const total = run.resources.reduce((sum, r) => sum + r.cpuMs, 0);
  const { cosmos } = run;
  const kinds = Object.entries(cosmos.operationsByKind)
    .filter(([, n]) => n > 0)
    .map(([kind, n]) => `${kind} ${n}`)
    .join(', ');
  return [
    'Cost of one HelloSequence5 (closed loop; CPU and Cosmos DB usage over the measured window divided by its completions):',
    '',
    '| process | CPU µs per HelloSequence5 |',
    '| --- | ---: |',
    ...run.resources.map((r) => `| ${r.label} | ${perInstance(r.cpuMs)} |`),
    `| all processes | ${perInstance(total)} |`,
    '',
    `Cosmos DB per HelloSequence5: ${cosmos.requests} requests, ${cosmos.operations} item operations (${kinds}), ` +
      `${cosmos.requestCharge} RU summed from x-ms-request-charge (the test server charges 1 RU per operation).`,
  ].join('\n');
}
