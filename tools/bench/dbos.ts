// The second peer engine in the same run: the same workloads as DBOS workflows on PostgreSQL,
// driven the same way as ours and Restate (same drivers, same callers in flight, warm-up excluded).
import { embeddedBenchSizes } from './embedded';
import { runPeerWorkloads } from './peer';
import { DbosPeer } from './peers/dbos';
import type { Progress } from './progress';
import { engineResourcesMarkdown, engineRunsMarkdown } from './report';
import type { MeteredProcess } from './resources';
import type { ClosedLoopRun, EngineRuns, WorkloadSizes } from './workloads';

export interface DbosBenchResult {
  readonly dbos: EngineRuns & { readonly helloSequence5: ClosedLoopRun };
  /** `postgres --version` of the cluster the run used. */
  readonly postgres: string;
}

export type DbosBenchSizes = WorkloadSizes;

export const dbosBenchSizes = {
  full: embeddedBenchSizes.full,
  // Shorter windows, fewer in flight, fewer timers and a smaller large fan-out, so `--quick` stays
  // short (about 25 s with PostgreSQL's start and stop, on a loaded 2-core machine): DBOS
  // checkpoints every step in its own PostgreSQL transaction, and 10,000 steps at once take tens of
  // seconds here. With 400 in flight sharing a pool of 10 connections, the workflows advance nearly
  // in step and complete in waves seconds apart, which a short window can miss entirely; 100 in
  // flight complete about once a second.
  quick: {
    ...embeddedBenchSizes.quick,
    warmupSeconds: 1,
    seconds: 4,
    concurrency: 100,
    openLoopSeconds: 2,
    fanOutSmallSeconds: 4,
    fanOutLarge: 500,
    timers: 500,
  },
  tiny: { ...embeddedBenchSizes.tiny, seconds: 1 },
} satisfies Record<string, DbosBenchSizes>;

export async function runDbosBench(sizes: DbosBenchSizes, progress?: Progress): Promise<DbosBenchResult> {
  progress?.update('dbos: starting PostgreSQL and the DBOS app…');
  const peer = await DbosPeer.start();
  const processes: MeteredProcess[] = [
    { label: 'bench (driver)', pid: 'self' },
    { label: 'PostgreSQL (postmaster and backends)', pid: peer.postgresPid, tree: true },
    { label: 'DBOS app (node)', pid: peer.servicePid },
  ];
  try {
    const runs = await runPeerWorkloads(
      'dbos',
      peer,
      processes,
      { ...sizes, fanOutLargeSteps: sizes.fanOutLarge },
      { variant: '', all: true },
      progress,
    );
    progress?.done('dbos: done');
    // The label says so when fewer are in flight than for the other engines (`--quick`).
    const engine =
      sizes.concurrency < embeddedBenchSizes.full.concurrency
        ? `dbos (PostgreSQL, runStep steps, ${sizes.concurrency} in flight)`
        : 'dbos (PostgreSQL, runStep steps)';
    return { dbos: { engine, ...runs }, postgres: peer.postgres.version };
  } finally {
    await peer.stop();
  }
}

export function dbosMarkdown(result: DbosBenchResult): string {
  return [
    `### Peer: DBOS (npm @dbos-inc/dbos-sdk) on ${result.postgres}, private cluster on 127.0.0.1, same machine and run`,
    '',
    'Activities as `DBOS.runStep` steps (five in sequence for HelloSequence5, n started at once and awaited with `Promise.allSettled` for the fan-out; the timer is `DBOS.sleep`), each workflow started in the DBOS app by one HTTP request answered with its result:',
    '',
    engineRunsMarkdown(result.dbos),
    '',
    '#### CPU time and peak RSS per workload',
    '',
    'PostgreSQL counts the postmaster and all its backends: CPU summed, memory as the sum of their proportional set sizes.',
    '',
    engineResourcesMarkdown(result.dbos),
  ].join('\n');
}
