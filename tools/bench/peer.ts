// The peer engine in the same run: HelloSequence5 on the Restate server, driven the same way as our
// embedded run (closed loop, same callers in flight, warm-up excluded).
import { closedLoop, type ClosedLoopOptions, type ClosedLoopResult } from './closed-loop';
import { RestatePeer } from './peers/restate';
import type { Progress } from './progress';

export interface PeerBenchResult {
  /** Five `ctx.run` steps: the primary comparison (the lighter of the two for Restate). */
  readonly restate: ClosedLoopResult;
  /** Five calls to a SayHello service. */
  readonly restateServiceCalls: ClosedLoopResult;
}

export async function runPeerBench(
  options: ClosedLoopOptions,
  progress?: Progress,
): Promise<PeerBenchResult> {
  progress?.update('restate: starting the server and the service…');
  const peer = await RestatePeer.start();
  try {
    const restate = await closedLoop(
      () => peer.run('run'),
      options,
      'restate: HelloSequence5 (ctx.run)',
      progress,
    );
    const restateServiceCalls = await closedLoop(
      () => peer.run('calls'),
      options,
      'restate: HelloSequence5 (service calls)',
      progress,
    );
    progress?.done('restate: done');
    return { restate, restateServiceCalls };
  } finally {
    await peer.stop();
  }
}

export function peerMarkdown(result: PeerBenchResult): string {
  const row = (name: string, r: ClosedLoopResult) =>
    `| ${name}, ${r.concurrency} in flight | ${r.completedPerSec} | ${r.p50Ms} | ${r.p95Ms} | ${r.p99Ms} |`;
  return [
    '### Peer: Restate server (npm @restatedev/restate-server, 127.0.0.1, telemetry off), same machine and run',
    '',
    '| workload | completed/s | p50 ms | p95 ms | p99 ms |',
    '| --- | ---: | ---: | ---: | ---: |',
    row('HelloSequence5 as five ctx.run steps', result.restate),
    row('HelloSequence5 as five SayHello service calls', result.restateServiceCalls),
  ].join('\n');
}
