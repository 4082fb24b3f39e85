// A closed-loop driver: a fixed number of callers, each starting the next instance when its last
// one completed. Completions during warm-up are not counted; throughput is over the steady window.
import { performance } from 'node:perf_hooks';
import type { Progress } from './progress';

export interface ClosedLoopOptions {
  readonly warmupSeconds: number;
  readonly seconds: number;
  readonly concurrency: number;
}

export interface ClosedLoopResult {
  readonly completedPerSec: number;
  readonly completed: number;
  readonly p50Ms: number;
  readonly p95Ms: number;
  readonly p99Ms: number;
  readonly concurrency: number;
  /** CPU time (user + system) of this process, its worker threads included, per completion in the window. */
  readonly cpuMicrosPerOp: number;
}

/** Told when the measured window opens and when it closes (to meter resources over it alone). */
export interface WindowListener {
  opened(): void;
  closed(): void;
}

export async function closedLoop(
  runOne: () => Promise<void>,
  options: ClosedLoopOptions,
  label: string,
  progress?: Progress,
  window?: WindowListener,
): Promise<ClosedLoopResult> {
  const latencies: number[] = [];
  let measuring = false;
  let stop = false;
  const warmupEnd = performance.now() + options.warmupSeconds * 1000;
  const end = warmupEnd + options.seconds * 1000;
  const caller = async (): Promise<void> => {
    while (!stop) {
      const t0 = performance.now();
      await runOne();
      if (measuring && !stop) latencies.push(performance.now() - t0);
    }
  };
  // CPU over the same window as the counted completions (not the warm-up, not the drain after it).
  let cpuAtStart: NodeJS.CpuUsage | undefined;
  let cpuInWindow: NodeJS.CpuUsage | undefined;
  const ticker = setInterval(() => {
    const now = performance.now();
    if (!measuring && now >= warmupEnd) {
      measuring = true;
      cpuAtStart = process.cpuUsage();
      window?.opened();
    }
    progress?.update(`${label}: ${measuring ? `${latencies.length} completed` : 'warming up'}…`);
    if (now >= end && !stop) {
      stop = true;
      cpuInWindow = process.cpuUsage(cpuAtStart);
      window?.closed();
    }
  }, 100);
  try {
    await Promise.all(Array.from({ length: options.concurrency }, () => caller()));
  } finally {
    clearInterval(ticker);
  }
  const cpu = cpuInWindow ?? process.cpuUsage(cpuAtStart);
  return {
    completedPerSec: Math.round(latencies.length / Math.max(options.seconds, 0.001)),
    completed: latencies.length,
    p50Ms: percentile(latencies, 50),
    p95Ms: percentile(latencies, 95),
    p99Ms: percentile(latencies, 99),
    concurrency: options.concurrency,
    cpuMicrosPerOp:
      cpuAtStart === undefined || latencies.length === 0
        ? 0
        : Math.round((cpu.user + cpu.system) / latencies.length),
  };
}

export function percentile(values: number[], p: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  const index = Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1);
  return Math.round((sorted[Math.max(0, index)] ?? 0) * 100) / 100;
}
