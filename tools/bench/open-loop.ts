// An open-loop driver: instances arrive at a fixed rate whatever the system's state, as users
// would. Latency counts from each instance's scheduled arrival, so a stalled system cannot hide its
// queueing (no coordinated omission). Arrivals during warm-up are not measured.
import { performance } from 'node:perf_hooks';
import { percentile } from './closed-loop';
import type { Progress } from './progress';

export interface OpenLoopOptions {
  readonly warmupSeconds: number;
  readonly seconds: number;
  /** Arrivals per second. */
  readonly rate: number;
  /** Stop issuing (and count as dropped) while this many are in flight, so an overload ends. */
  readonly maxInFlight?: number;
  /** How long to wait for the measured arrivals after the window ends. */
  readonly drainSeconds?: number;
}

export interface OpenLoopResult {
  /** The offered arrival rate. */
  readonly rate: number;
  /** Measured arrivals (those scheduled inside the window). */
  readonly arrivals: number;
  /** Measured arrivals that completed. */
  readonly completed: number;
  /** Completions per second over the window. */
  readonly completedPerSec: number;
  /** Arrivals not issued because too many were in flight. */
  readonly dropped: number;
  /** Measured arrivals that failed or were still running after the drain. */
  readonly failed: number;
  readonly p50Ms: number;
  readonly p95Ms: number;
  readonly p99Ms: number;
}

export async function openLoop(
  runOne: () => Promise<void>,
  options: OpenLoopOptions,
  label: string,
  progress?: Progress,
): Promise<OpenLoopResult> {
  const maxInFlight = options.maxInFlight ?? 10_000;
  const interval = 1000 / options.rate;
  const start = performance.now();
  const windowStart = start + options.warmupSeconds * 1000;
  const windowEnd = windowStart + options.seconds * 1000;
  const latencies: number[] = [];
  const measured: Promise<void>[] = [];
  let issued = 0;
  let inFlight = 0;
  let dropped = 0;
  let completedInWindow = 0;

  const launch = (scheduledAt: number): void => {
    const inWindow = scheduledAt >= windowStart;
    if (inFlight >= maxInFlight) {
      if (inWindow) dropped++;
      return;
    }
    inFlight++;
    const done = runOne().then(
      () => {
        inFlight--;
        const now = performance.now();
        if (inWindow) latencies.push(now - scheduledAt);
        if (now >= windowStart && now < windowEnd) completedInWindow++;
      },
      () => {
        inFlight--;
      },
    );
    if (inWindow) measured.push(done);
  };

  await new Promise<void>((resolve) => {
    const tick = (): void => {
      const now = performance.now();
      // Issue every arrival whose time has come (timers are coarse: several may be due at once).
      for (;;) {
        const scheduledAt = start + issued * interval;
        if (scheduledAt > now || scheduledAt >= windowEnd) break;
        issued++;
        launch(scheduledAt);
      }
      progress?.update(
        `${label}: ${now < windowStart ? 'warming up' : `${latencies.length} completed`}, ${inFlight} in flight…`,
      );
      if (start + issued * interval >= windowEnd) resolve();
      else setTimeout(tick, Math.max(1, Math.min(20, start + issued * interval - now)));
    };
    tick();
  });
  const drainMs = (options.drainSeconds ?? 60) * 1000;
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    Promise.all(measured),
    new Promise((resolve) => {
      timer = setTimeout(resolve, drainMs);
    }),
  ]);
  clearTimeout(timer);
  const arrivals = measured.length + dropped;
  return {
    rate: options.rate,
    arrivals,
    completed: latencies.length,
    completedPerSec: Math.round(completedInWindow / Math.max(options.seconds, 0.001)),
    dropped,
    failed: measured.length - latencies.length,
    p50Ms: percentile(latencies, 50),
    p95Ms: percentile(latencies, 95),
    p99Ms: percentile(latencies, 99),
  };
}
