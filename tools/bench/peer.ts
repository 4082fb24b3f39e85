// The peer engine in the same run: the same workloads on the Restate server, driven the same way as
// ours (same drivers, same callers in flight, warm-up excluded).
import { performance } from 'node:perf_hooks';
import { closedLoop } from './closed-loop';
import { embeddedBenchSizes } from './embedded';
import { openLoop } from './open-loop';
import { RestatePeer } from './peers/restate';
import type { Progress } from './progress';
import { engineResourcesMarkdown, engineRunsMarkdown } from './report';
import { metered, type MeteredProcess } from './resources';
import {
  openLoopRate,
  since,
  timerResult,
  withLimit,
  type ClosedLoopRun,
  type EngineRuns,
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

export async function runPeerBench(sizes: PeerBenchSizes, progress?: Progress): Promise<PeerBenchResult> {
  progress?.update('restate: starting the server and the service…');
  const peer = await RestatePeer.start();
  const processes: MeteredProcess[] = [
    { label: 'bench (driver)', pid: 'self' },
    { label: 'Restate server', pid: peer.serverPid },
    { label: 'Restate SDK service (node)', pid: peer.servicePid },
  ];
  try {
    const closed = async (handler: 'run' | 'calls'): Promise<ClosedLoopRun> => {
      const { result, resources } = await metered(processes, () =>
        closedLoop(() => peer.run(handler), sizes, `restate: HelloSequence5 (${handler})`, progress),
      );
      return { ...result, resources };
    };
    const fanOutSmall = async (handler: 'run' | 'calls') => {
      const { result, resources } = await metered(processes, () =>
        closedLoop(
          () => peer.fanOut(handler, sizes.fanOutSmall),
          {
            warmupSeconds: Math.min(1, sizes.warmupSeconds),
            seconds: sizes.fanOutSmallSeconds,
            concurrency: sizes.fanOutSmallConcurrency,
          },
          `restate: fan-out/fan-in of ${sizes.fanOutSmall} (${handler})`,
          progress,
        ),
      );
      return { ...result, activities: sizes.fanOutSmall, resources };
    };
    const fanOutLarge = async (handler: 'run' | 'calls') => {
      const n = handler === 'run' ? sizes.fanOutLargeRunSteps : sizes.fanOutLarge;
      progress?.update(`restate: fan-out/fan-in of ${n} (${handler})…`);
      const { result, resources } = await metered(processes, async () => {
        const t0 = performance.now();
        await peer.fanOut(handler, n);
        return { activities: n, ms: since(t0) };
      });
      return { ...result, resources };
    };

    const helloSequence5 = await closed('run');
    const rate = openLoopRate(helloSequence5, sizes);
    const open = await metered(processes, () =>
      openLoop(
        () => peer.run('run'),
        { warmupSeconds: 1, seconds: sizes.openLoopSeconds, rate },
        `restate: HelloSequence5 open loop at ${rate}/s`,
        progress,
      ),
    );
    const runSmall = await fanOutSmall('run');
    const runLarge = await fanOutLarge('run');

    const timerRun = await metered(processes, async () => {
      progress?.update(`restate: ${sizes.timers} durable timers of ${sizes.timerDelayMs} ms…`);
      const firstStart = Date.now();
      const t0 = performance.now();
      let startMs = 0;
      let started = 0;
      // Each call holds its request open until the handler returns, so the calls are the starts.
      const samples = await withLimit(Array.from({ length: sizes.timers }), sizes.timers, async () => {
        if (++started === sizes.timers) startMs = performance.now() - t0;
        const dueAt = await peer.timer(sizes.timerDelayMs);
        return { dueAt, completedAt: Date.now() };
      });
      return timerResult(samples, firstStart, startMs, sizes.timerDelayMs);
    });

    const callsClosed = await closed('calls');
    const callsSmall = await fanOutSmall('calls');
    const callsLarge = await fanOutLarge('calls');
    progress?.done('restate: done');
    return {
      restate: {
        engine: 'restate (ctx.run steps)',
        helloSequence5,
        helloSequence5Open: { ...open.result, resources: open.resources },
        fanOutSmall: runSmall,
        fanOutLarge: runLarge,
        timers: { ...timerRun.result, resources: timerRun.resources },
      },
      restateServiceCalls: {
        engine: 'restate (service calls)',
        helloSequence5: callsClosed,
        fanOutSmall: callsSmall,
        fanOutLarge: callsLarge,
      },
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
