// The workloads every engine and mode runs, their sizes, and the shapes of their results, so the
// markdown tables, the chart and the summary read the same fields whatever ran them.
import { performance } from 'node:perf_hooks';
import type { InstanceStatus } from '@durable/runtime';
import type { ClosedLoopResult } from './closed-loop';
import { closedLoop, percentile } from './closed-loop';
import type { Progress } from './progress';
import { metered, type MeteredProcess } from './resources';
import type { OpenLoopResult } from './open-loop';
import type { ProcessUsage } from './resources';

export interface WorkloadSizes {
  /** HelloSequence5, closed loop. */
  readonly warmupSeconds: number;
  readonly seconds: number;
  readonly concurrency: number;
  /** HelloSequence5, open loop at this fraction of the engine's closed-loop throughput. */
  readonly openLoopFraction: number;
  readonly openLoopSeconds: number;
  /** Fan-out/fan-in of `fanOutSmall` activities, closed loop with this many instances in flight. */
  readonly fanOutSmall: number;
  readonly fanOutSmallConcurrency: number;
  readonly fanOutSmallSeconds: number;
  /** One fan-out/fan-in of this many activities, timed start to completion. */
  readonly fanOutLarge: number;
  /** Orchestrations started at once, each waiting on one durable timer of `timerDelayMs`. */
  readonly timers: number;
  readonly timerDelayMs: number;
}

/** A workload's figures with the CPU time and peak RSS of each process involved while it ran. */
export type Metered<T> = T & { readonly resources: readonly ProcessUsage[] };

export type ClosedLoopRun = Metered<ClosedLoopResult>;
export type OpenLoopRun = Metered<OpenLoopResult>;

export interface FanOutSmallResult extends ClosedLoopResult {
  readonly activities: number;
}

export interface FanOutLargeResult {
  readonly activities: number;
  readonly ms: number;
}

export interface TimerResult {
  readonly instances: number;
  readonly delayMs: number;
  /** From the first start until the last instance completed. */
  readonly allCompletedMs: number;
  /** How long starting them all took. */
  readonly startMs: number;
  /** Completion time minus the timer's due time. */
  readonly latenessP50Ms: number;
  readonly latenessP99Ms: number;
  readonly latenessMaxMs: number;
}

/** One engine in one mode: what the chart and the comparison table show. */
export interface EngineRuns {
  readonly engine: string;
  readonly helloSequence5?: ClosedLoopRun;
  readonly helloSequence5Open?: OpenLoopRun;
  readonly fanOutSmall?: Metered<FanOutSmallResult>;
  readonly fanOutLarge?: Metered<FanOutLargeResult>;
  readonly timers?: Metered<TimerResult>;
}

/** Lateness figures from each instance's due time and completion time (epoch ms). */
export function timerResult(
  samples: readonly { readonly dueAt: number; readonly completedAt: number }[],
  firstStart: number,
  startMs: number,
  delayMs: number,
): TimerResult {
  const lateness = samples.map((s) => s.completedAt - s.dueAt);
  const lastCompletion = samples.reduce((max, s) => Math.max(max, s.completedAt), firstStart);
  return {
    instances: samples.length,
    delayMs,
    allCompletedMs: Math.round(lastCompletion - firstStart),
    startMs: Math.round(startMs),
    latenessP50Ms: percentile(lateness, 50),
    latenessP99Ms: percentile(lateness, 99),
    latenessMaxMs: Math.round(lateness.reduce((max, l) => Math.max(max, l), 0)),
  };
}

/** Runs `fn` for each item with at most `limit` at once. */
export async function withLimit<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i] as T, i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, () => lane()));
  return out;
}

/** Milliseconds since `t0` (performance clock). */
/**
 * Fan-out/fan-in, the same in every mode: `fanOutSmall` activities closed loop, then one of
 * `fanOutLarge` timed start to completion. `complete` runs one FanOutFanIn to completion.
 */
export async function fanOutRuns(
  label: string,
  processes: readonly MeteredProcess[],
  complete: (name: string, input: string) => Promise<unknown>,
  sizes: WorkloadSizes,
  progress?: Progress,
): Promise<{ fanOutSmall: Metered<FanOutSmallResult>; fanOutLarge: Metered<FanOutLargeResult> }> {
  const small = await metered(processes, () =>
    closedLoop(
      async () => {
        await complete('FanOutFanIn', String(sizes.fanOutSmall));
      },
      {
        warmupSeconds: Math.min(1, sizes.warmupSeconds),
        seconds: sizes.fanOutSmallSeconds,
        concurrency: sizes.fanOutSmallConcurrency,
      },
      `${label}: fan-out/fan-in of ${sizes.fanOutSmall}`,
      progress,
    ),
  );
  progress?.update(`${label}: fan-out/fan-in of ${sizes.fanOutLarge} activities…`);
  const large = await metered(processes, async () => {
    const t0 = performance.now();
    await complete('FanOutFanIn', String(sizes.fanOutLarge));
    return { activities: sizes.fanOutLarge, ms: since(t0) };
  });
  return {
    fanOutSmall: { ...small.result, activities: sizes.fanOutSmall, resources: small.resources },
    fanOutLarge: { ...large.result, resources: large.resources },
  };
}

export function since(t0: number): number {
  return Math.round(performance.now() - t0);
}

/** The open-loop rate for an engine: a fraction of its own closed-loop throughput, at least 1/s. */
export function openLoopRate(closed: ClosedLoopResult, sizes: WorkloadSizes): number {
  return Math.max(1, Math.round(closed.completedPerSec * sizes.openLoopFraction));
}

/** The due time a DurableTimer instance returned and the time it completed (epoch ms). */
export function completedTimer(status: InstanceStatus | undefined): { dueAt: number; completedAt: number } {
  if (
    status?.runtimeStatus !== 'Completed' ||
    status.output === undefined ||
    status.completedAt === undefined
  )
    throw new Error(`DurableTimer ended ${status?.runtimeStatus ?? 'missing'}`);
  return { dueAt: Number(JSON.parse(status.output)), completedAt: Date.parse(status.completedAt) };
}
