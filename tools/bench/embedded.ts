// Embedded benchmark: the whole product in one process on SQLite, driven through the instance
// client (the service behind the REST API). Closed loop: a fixed number of instances in flight.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EmbeddedPlatform } from '@durable/host';
import { registry as samples } from '@durable/samples';
import type { Progress } from './progress';

export interface EmbeddedBenchSizes {
  readonly warmupSeconds: number;
  readonly seconds: number;
  readonly concurrency: number;
  readonly latencySamples: number;
  /** Activities in the fan-out/fan-in run. */
  readonly fanOut: number;
  /** Instances kept waiting at once for the memory measurement. */
  readonly inFlight: number;
}

export const embeddedBenchSizes = {
  full: {
    warmupSeconds: 3,
    seconds: 15,
    concurrency: 400,
    latencySamples: 500,
    fanOut: 10_000,
    inFlight: 10_000,
  },
  quick: {
    warmupSeconds: 2,
    seconds: 8,
    concurrency: 400,
    latencySamples: 200,
    fanOut: 10_000,
    inFlight: 10_000,
  },
  tiny: { warmupSeconds: 0, seconds: 0.5, concurrency: 4, latencySamples: 5, fanOut: 20, inFlight: 20 },
} satisfies Record<string, EmbeddedBenchSizes>;

export interface EmbeddedBenchResult {
  readonly helloSequence5: {
    readonly completedPerSec: number;
    readonly completed: number;
    readonly p50Ms: number;
    readonly p99Ms: number;
    readonly concurrency: number;
  };
  readonly helloSequence3Latency: {
    readonly p50Ms: number;
    readonly p99Ms: number;
    readonly samples: number;
  };
  readonly fanOutFanIn: { readonly activities: number; readonly ms: number };
  readonly inFlight: {
    readonly instances: number;
    readonly rssMb: number;
    readonly cachedWhileWaiting: number;
    readonly cachedAfterFinish: number;
  };
  readonly peakRssMb: number;
}

export async function runEmbeddedBench(
  sizes: EmbeddedBenchSizes,
  progress?: Progress,
): Promise<EmbeddedBenchResult> {
  const dir = mkdtempSync(join(tmpdir(), 'durable-bench-'));
  const platform = await EmbeddedPlatform.start({ dataDir: dir, registry: samples });
  let peakRss = 0;
  const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 200);
  try {
    const { client } = platform;
    const runOne = async (name: string): Promise<number> => {
      const t0 = performance.now();
      const { instanceId } = await client.start(name);
      const status = await client.waitForCompletion(instanceId, { timeoutMs: 60_000 });
      if (status?.runtimeStatus !== 'Completed')
        throw new Error(`${name} ended ${status?.runtimeStatus ?? 'missing'}`);
      return performance.now() - t0;
    };

    // Throughput: closed loop; only completions inside the steady window count.
    const latencies: number[] = [];
    let completed = 0;
    let measuring = false;
    let stop = false;
    const warmupEnd = performance.now() + sizes.warmupSeconds * 1000;
    const end = warmupEnd + sizes.seconds * 1000;
    const worker = async (): Promise<void> => {
      while (!stop) {
        const ms = await runOne('HelloSequence5');
        if (measuring) {
          completed++;
          latencies.push(ms);
        }
      }
    };
    const workers = Array.from({ length: sizes.concurrency }, () => worker());
    const ticker = setInterval(() => {
      const now = performance.now();
      if (!measuring && now >= warmupEnd) measuring = true;
      progress?.update(`embedded: HelloSequence5 ${measuring ? `${completed} completed` : 'warming up'}…`);
      if (now >= end) stop = true;
    }, 100);
    await new Promise<void>((resolve) => {
      const check = setInterval(() => {
        if (stop) {
          clearInterval(check);
          resolve();
        }
      }, 20);
    });
    const windowSeconds = sizes.seconds;
    await Promise.all(workers);
    clearInterval(ticker);

    // Latency: one instance at a time, a three-activity sequence.
    const single: number[] = [];
    for (let i = 0; i < sizes.latencySamples; i++) {
      progress?.update(`embedded: HelloSequence latency ${i + 1}/${sizes.latencySamples}…`);
      single.push(await runOne('HelloSequence'));
    }
    progress?.update(`embedded: fan-out/fan-in of ${sizes.fanOut} activities…`);
    const fanStart = performance.now();
    const fan = await client.start('FanOutFanIn', { input: String(sizes.fanOut) });
    const fanStatus = await client.waitForCompletion(fan.instanceId, { timeoutMs: 300_000 });
    if (fanStatus?.runtimeStatus !== 'Completed') throw new Error('the fan-out did not complete');
    const fanMs = Math.round(performance.now() - fanStart);

    // Memory: many instances waiting at once, then all finished.
    const waiting: string[] = [];
    for (let i = 0; i < sizes.inFlight; i += 500) {
      progress?.update(`embedded: starting waiting instances ${i}/${sizes.inFlight}…`);
      const batch = await Promise.all(
        Array.from({ length: Math.min(500, sizes.inFlight - i) }, () =>
          client.start('Approval', { input: '{"timeoutSeconds":3600}' }),
        ),
      );
      waiting.push(...batch.map((b) => b.instanceId));
    }
    const last = waiting[waiting.length - 1] as string;
    while ((await client.getStatus(last))?.runtimeStatus !== 'Running')
      await new Promise((r) => setTimeout(r, 50));
    await new Promise((r) => setTimeout(r, 500));
    global.gc?.();
    const rssWaiting = process.memoryUsage().rss;
    const cachedWhileWaiting = platform.cachedInstances;
    for (let i = 0; i < waiting.length; i += 500) {
      progress?.update(`embedded: approving ${i}/${waiting.length}…`);
      await Promise.all(waiting.slice(i, i + 500).map((id) => client.raiseEvent(id, 'Approval', 'true')));
    }
    for (const id of waiting) await client.waitForCompletion(id, { timeoutMs: 120_000 });
    const cachedAfterFinish = platform.cachedInstances;
    progress?.done('embedded: done');
    return {
      fanOutFanIn: { activities: sizes.fanOut, ms: fanMs },
      inFlight: {
        instances: waiting.length,
        rssMb: Math.round(rssWaiting / 1024 / 1024),
        cachedWhileWaiting,
        cachedAfterFinish,
      },
      helloSequence5: {
        completedPerSec: Math.round(completed / Math.max(windowSeconds, 0.001)),
        completed,
        p50Ms: percentile(latencies, 50),
        p99Ms: percentile(latencies, 99),
        concurrency: sizes.concurrency,
      },
      helloSequence3Latency: {
        p50Ms: percentile(single, 50),
        p99Ms: percentile(single, 99),
        samples: single.length,
      },
      peakRssMb: Math.round(peakRss / 1024 / 1024),
    };
  } finally {
    clearInterval(sampler);
    await platform.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

export function embeddedMarkdown(result: EmbeddedBenchResult): string {
  const h = result.helloSequence5;
  return [
    '### Embedded (one process, SQLite)',
    '',
    '| workload | completed/s | p50 ms | p99 ms | notes |',
    '| --- | ---: | ---: | ---: | --- |',
    `| HelloSequence5, ${h.concurrency} in flight | ${h.completedPerSec} | ${h.p50Ms} | ${h.p99Ms} | ${h.completed} completed in the window |`,
    `| HelloSequence (3 activities), 1 in flight | – | ${result.helloSequence3Latency.p50Ms} | ${result.helloSequence3Latency.p99Ms} | start-to-completion latency |`,
    '',
    `Fan-out/fan-in of ${result.fanOutFanIn.activities} activities: ${result.fanOutFanIn.ms} ms start to completion.`,
    '',
    `${result.inFlight.instances} instances waiting at once: RSS ${result.inFlight.rssMb} MB with ${result.inFlight.cachedWhileWaiting} cached; ` +
      `${result.inFlight.cachedAfterFinish} cached after they all finished.`,
    '',
    `Peak RSS of the benchmark process: ${result.peakRssMb} MB`,
  ].join('\n');
}

function percentile(values: number[], p: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  const index = Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1);
  return Math.round((sorted[Math.max(0, index)] ?? 0) * 100) / 100;
}
