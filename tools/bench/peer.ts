// The peer engine in the same run: the same workloads on the Restate server, driven the same way as
// ours (same drivers, same callers in flight, warm-up excluded).
import { performance } from 'node:perf_hooks';
import { closedLoop } from './closed-loop';
import { embeddedBenchSizes } from './embedded';
import { openLoop } from './open-loop';
import { RestatePeer } from './peers/restate';
import type { Progress } from './progress';
import { engineResourcesMarkdown, engineRunsMarkdown } from './report';
import { metered, meteredWindow, type MeteredProcess } from './resources';
import {
  openLoopRate,
  since,
  timerResult,
  withLimit,
  type ClosedLoopRun,
  type EngineRuns,
  type OpenLoopRun,
  type WorkloadSizes,
} from './workloads';

export interface PeerBenchResult {
  /** Activities as `ctx.run` steps: the primary comparison (the lighter of the two for Restate). */
  readonly restate: EngineRuns & { readonly helloSequence5: ClosedLoopRun };
  /** Activities as calls to another service (SayHello, Square). */
  readonly restateServiceCalls: EngineRuns & { readonly helloSequence5: ClosedLoopRun };
}

export interface PeerBenchSizes extends WorkloadSizes {
  /**
   * The large fan-out as `ctx.run` steps: Restate takes over a minute for 10,000 of them on this
   * machine (the service-call variant runs the full size), too long for `--quick`.
   */
  readonly fanOutLargeRunSteps: number;
}

export const peerBenchSizes = {
  full: { ...embeddedBenchSizes.full, fanOutLargeRunSteps: embeddedBenchSizes.full.fanOutLarge },
  quick: { ...embeddedBenchSizes.quick, fanOutLargeRunSteps: 2000 },
  tiny: { ...embeddedBenchSizes.tiny, seconds: 2, fanOutLargeRunSteps: embeddedBenchSizes.tiny.fanOutLarge },
} satisfies Record<string, PeerBenchSizes>;

/** How a peer is driven: one call per instance, answered when it completed. */
export interface PeerDriver {
  /** One HelloSequence5, start to completion. */
  run(): Promise<void>;
  /** One fan-out/fan-in of n activities, start to completion. */
  fanOut(n: number): Promise<void>;
  /** One durable timer of `ms`; resolves with the time it was due (epoch ms). */
  timer(ms: number): Promise<number>;
}

/**
 * The workloads every engine runs, on a peer: HelloSequence5 closed loop (and, with `all`, open
 * loop, the fan-outs and the timers), each metered over `processes`.
 */
export async function runPeerWorkloads(
  name: string,
  driver: PeerDriver,
  processes: readonly MeteredProcess[],
  sizes: WorkloadSizes & { readonly fanOutLargeSteps: number },
  options: { readonly variant: string; readonly all: boolean },
  progress?: Progress,
): Promise<Omit<EngineRuns, 'engine'> & { readonly helloSequence5: ClosedLoopRun }> {
  const label = (workload: string) => `${name}: ${workload}${options.variant ? ` (${options.variant})` : ''}`;
  const closed = await meteredWindow(processes, (window) =>
    closedLoop(() => driver.run(), sizes, label('HelloSequence5'), progress, window),
  );
  const helloSequence5 = { ...closed.result, resources: closed.resources };
  let helloSequence5Open: OpenLoopRun | undefined;
  if (options.all) {
    const rate = openLoopRate(helloSequence5, sizes);
    const open = await metered(processes, () =>
      openLoop(
        () => driver.run(),
        { warmupSeconds: 1, seconds: sizes.openLoopSeconds, rate },
        `${name}: HelloSequence5 open loop at ${rate}/s`,
        progress,
      ),
    );
    helloSequence5Open = { ...open.result, resources: open.resources };
  }
  const small = await metered(processes, () =>
    closedLoop(
      () => driver.fanOut(sizes.fanOutSmall),
      {
        warmupSeconds: Math.min(1, sizes.warmupSeconds),
        seconds: sizes.fanOutSmallSeconds,
        concurrency: sizes.fanOutSmallConcurrency,
      },
      label(`fan-out/fan-in of ${sizes.fanOutSmall}`),
      progress,
    ),
  );
  const n = sizes.fanOutLargeSteps;
  progress?.update(`${label(`fan-out/fan-in of ${n}`)}…`);
  const large = await metered(processes, async () => {
    const t0 = performance.now();
    await driver.fanOut(n);
    return { activities: n, ms: since(t0) };
  });
  if (!options.all)
    return {
      helloSequence5,
      fanOutSmall: { ...small.result, activities: sizes.fanOutSmall, resources: small.resources },
      fanOutLarge: { ...large.result, resources: large.resources },
    };

  const timerRun = await metered(processes, async () => {
    progress?.update(`${name}: ${sizes.timers} durable timers of ${sizes.timerDelayMs} ms…`);
    const firstStart = Date.now();
    const t0 = performance.now();
    let startMs = 0;
    let started = 0;
    // Each call holds its request open until the workflow returns, so the calls are the starts.
    const samples = await withLimit(Array.from({ length: sizes.timers }), sizes.timers, async () => {
      if (++started === sizes.timers) startMs = performance.now() - t0;
      const dueAt = await driver.timer(sizes.timerDelayMs);
      return { dueAt, completedAt: Date.now() };
    });
    return timerResult(samples, firstStart, startMs, sizes.timerDelayMs);
  });
  return {
    helloSequence5,
    helloSequence5Open,
    fanOutSmall: { ...small.result, activities: sizes.fanOutSmall, resources: small.resources },
    fanOutLarge: { ...large.result, resources: large.resources },
    timers: { ...timerRun.result, resources: timerRun.resources },
  };
}

export async function runPeerBench(sizes: PeerBenchSizes, progress?: Progress): Promise<PeerBenchResult> {
  progress?.update('restate: starting the server and the service…');
  const peer = await RestatePeer.start();
  const processes: MeteredProcess[] = [
    { label: 'bench (driver)', pid: 'self' },
    { label: 'Restate server', pid: peer.serverPid },
    { label: 'Restate SDK service (node)', pid: peer.servicePid },
  ];
  const driver = (handler: 'run' | 'calls'): PeerDriver => ({
    run: () => peer.run(handler),
    fanOut: (n) => peer.fanOut(handler, n),
    timer: (ms) => peer.timer(ms),
  });
  try {
    const steps = await runPeerWorkloads(
      'restate',
      driver('run'),
      processes,
      { ...sizes, fanOutLargeSteps: sizes.fanOutLargeRunSteps },
      { variant: 'run', all: true },
      progress,
    );
    const calls = await runPeerWorkloads(
      'restate',
      driver('calls'),
      processes,
      { ...sizes, fanOutLargeSteps: sizes.fanOutLarge },
      { variant: 'calls', all: false },
      progress,
    );
    progress?.done('restate: done');
    return {
      restate: { engine: 'restate (ctx.run steps)', ...steps },
      restateServiceCalls: { engine: 'restate (service calls)', ...calls },
    };
  } finally {
    await peer.stop();
  }
}

export function peerMarkdown(result: PeerBenchResult): string {
  return [
    '### Peer: Restate server (npm @restatedev/restate-server, 127.0.0.1, telemetry off), same machine and run',
    '',
    'Activities as `ctx.run` steps (five for HelloSequence5, n at once with `RestatePromise.all` for the fan-out; the timer is `ctx.sleep`):',
    '',
    engineRunsMarkdown(result.restate),
    '',
    'Activities as calls to another service (SayHello, Square):',
    '',
    engineRunsMarkdown(result.restateServiceCalls),
    '',
    '#### CPU time and peak RSS per workload (ctx.run steps)',
    '',
    engineResourcesMarkdown(result.restate),
    '',
    '#### CPU time and peak RSS per workload (service calls)',
    '',
    engineResourcesMarkdown(result.restateServiceCalls),
  ].join('\n');
}
