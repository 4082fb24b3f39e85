// Embedded benchmark: the whole product in one process on SQLite, driven through the instance
// client (the service behind the REST API).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { EmbeddedPlatform } from '@durable/host';
import type { InstanceStatus } from '@durable/runtime';
import { registry } from './bench-app';
import { closedLoop, percentile } from './closed-loop';
import { openLoop } from './open-loop';
import { measureInFlight } from './in-flight';
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

export interface EmbeddedBenchSizes extends WorkloadSizes {
  readonly latencySamples: number;
  /** Instances kept waiting at once for the memory measurement. */
  readonly inFlight: number;
}

export const embeddedBenchSizes = {
  full: {
    warmupSeconds: 3,
    seconds: 15,
    concurrency: 400,
    openLoopFraction: 0.7,
    openLoopSeconds: 10,
    fanOutSmall: 100,
    fanOutSmallConcurrency: 8,
    fanOutSmallSeconds: 10,
    fanOutLarge: 10_000,
    timers: 1000,
    timerDelayMs: 1000,
    latencySamples: 500,
    inFlight: 10_000,
  },
  quick: {
    warmupSeconds: 2,
    seconds: 6,
    concurrency: 400,
    openLoopFraction: 0.7,
    openLoopSeconds: 4,
    fanOutSmall: 100,
    fanOutSmallConcurrency: 8,
    fanOutSmallSeconds: 4,
    fanOutLarge: 10_000,
    timers: 1000,
    timerDelayMs: 1000,
    latencySamples: 100,
    inFlight: 10_000,
  },
  tiny: {
    warmupSeconds: 0,
    seconds: 0.5,
    concurrency: 4,
    openLoopFraction: 0.5,
    openLoopSeconds: 0.5,
    fanOutSmall: 10,
    fanOutSmallConcurrency: 2,
    fanOutSmallSeconds: 0.5,
    fanOutLarge: 20,
    timers: 5,
    timerDelayMs: 100,
    latencySamples: 5,
    inFlight: 20,
  },
} satisfies Record<string, EmbeddedBenchSizes>;

export interface EmbeddedBenchResult extends EngineRuns {
  readonly helloSequence5: NonNullable<EngineRuns['helloSequence5']>;
  readonly helloSequence5Open: NonNullable<EngineRuns['helloSequence5Open']>;
  readonly fanOutSmall: NonNullable<EngineRuns['fanOutSmall']>;
  readonly fanOutLarge: NonNullable<EngineRuns['fanOutLarge']>;
  readonly timers: NonNullable<EngineRuns['timers']>;
  readonly helloSequence3Latency: {
    readonly p50Ms: number;
    readonly p99Ms: number;
    readonly samples: number;
  };
  readonly inFlight: {
    readonly instances: number;
    readonly rssMb: number;
    readonly cachedWhileWaiting: number;
    readonly cachedAfterFinish: number;
  };
  readonly peakRssMb: number;
}

const self: readonly MeteredProcess[] = [{ label: 'bench (the whole product in process)', pid: 'self' }];

export async function runEmbeddedBench(
  sizes: EmbeddedBenchSizes,
  progress?: Progress,
): Promise<EmbeddedBenchResult> {
  const dir = mkdtempSync(join(tmpdir(), 'durable-bench-'));
  const platform = await EmbeddedPlatform.start({ dataDir: dir, registry });
  let peakRss = 0;
  const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 200);
  try {
    const { client } = platform;
    const complete = async (name: string, input?: string): Promise<InstanceStatus> => {
      const { instanceId } = await client.start(name, input === undefined ? {} : { input });
      const status = await client.waitForCompletion(instanceId, { timeoutMs: 300_000 });
      if (status?.runtimeStatus !== 'Completed')
        throw new Error(`${name} ended ${status?.runtimeStatus ?? 'missing'}`);
      return status;
    };
    const helloSequence5Once = async (): Promise<void> => {
      await complete('HelloSequence5');
    };

    const closed = await meteredWindow(self, (window) =>
      closedLoop(helloSequence5Once, sizes, 'embedded: HelloSequence5 closed loop', progress, window),
    );
    const helloSequence5 = { ...closed.result, resources: closed.resources };

    const rate = openLoopRate(helloSequence5, sizes);
    const open = await metered(self, () =>
      openLoop(
        helloSequence5Once,
        { warmupSeconds: 1, seconds: sizes.openLoopSeconds, rate },
        `embedded: HelloSequence5 open loop at ${rate}/s`,
        progress,
      ),
    );
    const helloSequence5Open = { ...open.result, resources: open.resources };

    // Latency: one instance at a time, a three-activity sequence.
    const single: number[] = [];
    for (let i = 0; i < sizes.latencySamples; i++) {
      progress?.update(`embedded: HelloSequence latency ${i + 1}/${sizes.latencySamples}…`);
      const t0 = performance.now();
      await complete('HelloSequence');
      single.push(performance.now() - t0);
    }

    const { fanOutSmall, fanOutLarge } = await fanOutRuns('embedded', self, complete, sizes, progress);

    const timerRun = await metered(self, async () => {
      progress?.update(`embedded: ${sizes.timers} durable timers of ${sizes.timerDelayMs} ms…`);
      const firstStart = Date.now();
      const t0 = performance.now();
      const ids = await withLimit(
        Array.from({ length: sizes.timers }),
        200,
        async () => (await client.start('DurableTimer', { input: String(sizes.timerDelayMs) })).instanceId,
      );
      const startMs = performance.now() - t0;
      const samples = await Promise.all(
        ids.map(async (id) => {
          const status = await client.waitForCompletion(id, { timeoutMs: 120_000 });
          return completedTimer(status);
        }),
      );
      return timerResult(samples, firstStart, startMs, sizes.timerDelayMs);
    });
    const timers = { ...timerRun.result, resources: timerRun.resources };

    // Memory: many instances waiting at once, then all finished, in a worker process of its own.
    progress?.update(`embedded: ${sizes.inFlight} instances waiting at once (own process)…`);
    const inFlight = await measureInFlight(sizes.inFlight);
    progress?.done('embedded: done');
    return {
      engine: 'durable embedded',
      helloSequence5,
      helloSequence5Open,
      fanOutSmall,
      fanOutLarge,
      timers,
      helloSequence3Latency: {
        p50Ms: percentile(single, 50),
        p99Ms: percentile(single, 99),
        samples: single.length,
      },
      inFlight,
      peakRssMb: Math.round(peakRss / 1024 / 1024),
    };
  } finally {
    clearInterval(sampler);
    await platform.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

export function embeddedMarkdown(result: EmbeddedBenchResult): string {
  return [
    '### Embedded (one process, SQLite)',
    '',
    engineRunsMarkdown(result),
    '',
    `HelloSequence (3 activities), one at a time: start-to-completion p50 ${result.helloSequence3Latency.p50Ms} ms, ` +
      `p99 ${result.helloSequence3Latency.p99Ms} ms over ${result.helloSequence3Latency.samples} samples.`,
    '',
    `${result.inFlight.instances} instances waiting at once, in a worker process of their own: RSS ${result.inFlight.rssMb} MB with ${result.inFlight.cachedWhileWaiting} cached; ` +
      `${result.inFlight.cachedAfterFinish} cached after they all finished.`,
    '',
    `Peak RSS of the benchmark process over the whole run: ${result.peakRssMb} MB.`,
    '',
    '#### CPU time and peak RSS per workload',
    '',
    engineResourcesMarkdown(result),
  ].join('\n');
}
