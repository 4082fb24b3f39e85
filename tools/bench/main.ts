// `npm run bench [-- --quick] [-- --only engine|embedded|tracing|entities|grpc|distributed|peer|dbos[,…]]`: runs the
// benchmarks with a progress display (`peer` runs both peers, Restate and DBOS; `dbos` DBOS alone),
// writes bench/results/<workload>.json and .md, and prints a summary line last.
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import {
  distributedBenchSizes,
  distributedMarkdown,
  runDistributedBench,
  type DistributedBenchResult,
} from './distributed';
import { dbosBenchSizes, dbosMarkdown, runDbosBench, type DbosBenchResult } from './dbos';
import { embeddedBenchSizes, embeddedMarkdown, runEmbeddedBench, type EmbeddedBenchResult } from './embedded';
import { engineBenchSizes, engineMarkdown, runEngineBench, type EngineBenchResult } from './engine';
import { entityBenchSizes, entityMarkdown, runEntityBench, type EntityBenchResult } from './entities';
import {
  grpcBenchSizes,
  grpcMarkdown,
  grpcRatioPercent,
  runGrpcBench,
  type GrpcBenchResult,
  type GrpcModeResult,
} from './grpc';
import { runTracingBench, tracingBenchSizes, tracingMarkdown, type TracingBenchResult } from './tracing';
import { peerBenchSizes, peerMarkdown, runPeerBench, type PeerBenchResult } from './peer';
import { Progress } from './progress';
import { comparisonMarkdown } from './report';
import { chartSvg } from './chart';
import type { EngineRuns } from './workloads';

const workloads = [
  'engine',
  'embedded',
  'tracing',
  'entities',
  'grpc',
  'distributed',
  'peer',
  'dbos',
] as const;
type Workload = (typeof workloads)[number];

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const quick = args.includes('--quick');
  const onlyIndex = args.indexOf('--only');
  // `--only distributed,peer` runs several in one run (a comparison needs them side by side).
  const only = onlyIndex >= 0 ? (args[onlyIndex + 1] ?? '').split(',') : undefined;
  const unknown = only?.find((w) => !workloads.includes(w as Workload));
  if (unknown !== undefined) {
    throw new Error(`unknown workload '${unknown}'; choose from: ${workloads.join(', ')}`);
  }
  const selected = workloads.filter(
    (w) => only === undefined || only.includes(w) || (only.includes('peer') && w === 'dbos'),
  );
  const outDir = join(__dirname, '..', '..', 'bench', 'results');
  mkdirSync(outDir, { recursive: true });
  const progress = new Progress();
  const machine = { node: process.version, cpus: cpus().length, quick, at: new Date().toISOString() };
  const write = (name: string, result: unknown, markdown: string): void => {
    writeFileSync(join(outDir, `${name}.json`), `${JSON.stringify({ machine, result }, null, 2)}\n`);
    writeFileSync(join(outDir, `${name}.md`), `${markdown}\n`);
    console.log(`${markdown}\n`);
  };

  let engine: EngineBenchResult | undefined;
  let embedded: EmbeddedBenchResult | undefined;
  if (selected.includes('engine')) {
    engine = await runEngineBench({
      sizes: quick ? engineBenchSizes.quick : engineBenchSizes.full,
      progress,
    });
    write('engine', engine, engineMarkdown(engine));
  }
  if (selected.includes('embedded')) {
    embedded = await runEmbeddedBench(quick ? embeddedBenchSizes.quick : embeddedBenchSizes.full, progress);
    write('embedded', embedded, embeddedMarkdown(embedded));
  }

  let tracing: TracingBenchResult | undefined;
  if (selected.includes('tracing')) {
    tracing = await runTracingBench(quick ? tracingBenchSizes.quick : tracingBenchSizes.full, progress);
    write('tracing', tracing, tracingMarkdown(tracing));
  }

  let entities: EntityBenchResult | undefined;
  if (selected.includes('entities')) {
    entities = await runEntityBench(quick ? entityBenchSizes.quick : entityBenchSizes.full, progress);
    write('entities', entities, entityMarkdown(entities));
  }
  let grpc: GrpcBenchResult | undefined;
  if (selected.includes('grpc')) {
    grpc = await runGrpcBench(quick ? grpcBenchSizes.quick : grpcBenchSizes.full, progress);
    write('grpc', grpc, grpcMarkdown(grpc));
  }

  let distributed: DistributedBenchResult | undefined;
  if (selected.includes('distributed')) {
    distributed = await runDistributedBench(
      quick ? distributedBenchSizes.quick : distributedBenchSizes.full,
      progress,
    );
    write('distributed', distributed, distributedMarkdown(distributed));
  }

  let peer: PeerBenchResult | undefined;
  if (selected.includes('peer')) {
    peer = await runPeerBench(quick ? peerBenchSizes.quick : peerBenchSizes.full, progress);
    write('peer', peer, peerMarkdown(peer));
  }
  let dbos: DbosBenchResult | undefined;
  if (selected.includes('dbos')) {
    dbos = await runDbosBench(quick ? dbosBenchSizes.quick : dbosBenchSizes.full, progress);
    write('dbos', dbos, dbosMarkdown(dbos));
  }

  const engines: EngineRuns[] = [
    ...(embedded === undefined ? [] : [embedded]),
    ...(distributed === undefined ? [] : [distributed]),
    ...(peer === undefined ? [] : [peer.restate, peer.restateServiceCalls]),
    ...(dbos === undefined ? [] : [dbos.dbos]),
  ];
  if (engines.length > 0) {
    write('comparison', engines, comparisonMarkdown(engines));
    const subtitle = `Node ${machine.node}, ${machine.cpus} cores, ${quick ? '--quick' : 'full'} run at ${machine.at}`;
    writeFileSync(join(outDir, 'chart.svg'), chartSvg(engines, subtitle));
  }

  const parts: string[] = [];
  if (embedded !== undefined) {
    parts.push(
      `HelloSequence5 embedded ${embedded.helloSequence5.completedPerSec}/s ` +
        `(p50 ${embedded.helloSequence5.p50Ms} ms at ${embedded.helloSequence5.concurrency} in flight), ` +
        `3-step latency p50 ${embedded.helloSequence3Latency.p50Ms} ms p99 ${embedded.helloSequence3Latency.p99Ms} ms, ` +
        `fan-out ${embedded.fanOutSmall.activities} ${embedded.fanOutSmall.completedPerSec}/s, ` +
        `fan-out ${embedded.fanOutLarge.activities} in ${embedded.fanOutLarge.ms} ms, ` +
        `${embedded.timers.instances} timers done in ${embedded.timers.allCompletedMs} ms (lateness p99 ${embedded.timers.latenessP99Ms} ms), ` +
        `${embedded.inFlight.instances} in flight ${embedded.inFlight.rssMb} MB RSS`,
    );
  }
  if (distributed !== undefined) {
    const h = distributed.helloSequence5;
    parts.push(
      `HelloSequence5 distributed ${h.completedPerSec}/s (p50 ${h.p50Ms} ms at ${h.concurrency} in flight), ` +
        `fan-out ${distributed.fanOutSmall.activities} ${distributed.fanOutSmall.completedPerSec}/s, ` +
        `fan-out ${distributed.fanOutLarge.activities} in ${distributed.fanOutLarge.ms} ms, ` +
        `${distributed.timers.instances} timers done in ${distributed.timers.allCompletedMs} ms`,
    );
  }
  if (peer !== undefined) {
    const r = peer.restate;
    parts.push(
      `restate ${r.helloSequence5.completedPerSec}/s (p50 ${r.helloSequence5.p50Ms} ms), ` +
        `fan-out ${r.fanOutSmall?.activities} ${r.fanOutSmall?.completedPerSec}/s, ` +
        `fan-out ${r.fanOutLarge?.activities} in ${r.fanOutLarge?.ms} ms, ` +
        `${r.timers?.instances} timers done in ${r.timers?.allCompletedMs} ms`,
    );
  }
  if (dbos !== undefined) {
    const d = dbos.dbos;
    parts.push(
      `dbos ${d.helloSequence5.completedPerSec}/s (p50 ${d.helloSequence5.p50Ms} ms), ` +
        `fan-out ${d.fanOutSmall?.activities} ${d.fanOutSmall?.completedPerSec}/s, ` +
        `fan-out ${d.fanOutLarge?.activities} in ${d.fanOutLarge?.ms} ms, ` +
        `${d.timers?.instances} timers done in ${d.timers?.allCompletedMs} ms`,
    );
  }
  if (tracing !== undefined) {
    parts.push(
      `telemetry: no SDK ${tracing.noSdk.completedPerSec}/s, metrics ${tracing.metricsOnly.completedPerSec}/s, ` +
        `tracing on ${tracing.tracingOn.completedPerSec}/s (-${tracing.tracingCostPercent}%; CPU µs each ` +
        `${tracing.metricsOnly.cpuMicrosPerOp} → ${tracing.tracingOn.cpuMicrosPerOp})`,
    );
  }
  if (entities !== undefined) {
    parts.push(
      `entities: hot ${entities.hotEntity.operationsPerSec} ops/s, spread ${entities.spread.operationsPerSec} ops/s, ` +
        `bank transfers ${entities.bankTransfers.completedPerSec}/s`,
    );
  }
  if (grpc !== undefined) {
    const mode = (label: string, m: GrpcModeResult) =>
      `${label} in-process ${m.inProcess.completedPerSec}/s vs JS SDK worker ${m.jsSdk.completedPerSec}/s ` +
      `(${grpcRatioPercent(m)}%)` +
      (m.pythonSdk !== undefined
        ? `, Python SDK worker ${m.pythonSdk.completedPerSec}/s (${grpcRatioPercent(m, m.pythonSdk)}%)`
        : '');
    parts.push(
      `gRPC HelloSequence5 ${mode('embedded', grpc.embedded)}` +
        (grpc.distributed !== undefined ? `; ${mode('distributed', grpc.distributed)}` : '') +
        ` (${grpc.embedded.jsSdk.concurrency} in flight)`,
    );
  }
  if (engine !== undefined) {
    const flat = engine.perEventCost.map((c) => `${c.historyLength}:${c.sessionMicros}µs`).join(' ');
    parts.push(`engine ${engine.helloSequence5.session.instancesPerSec}/s, per-event ${flat}`);
  }
  console.log(`details: ${parts.join('; ')}`);
  console.log(summaryLine(embedded, distributed, peer, dbos));
}

/**
 * The last line: our HelloSequence5 throughput in each mode, as a ratio to Restate's in this run,
 * then DBOS's after a semicolon (the line keeps its form up to there).
 */
function summaryLine(
  embedded: EmbeddedBenchResult | undefined,
  distributed: DistributedBenchResult | undefined,
  peer: PeerBenchResult | undefined,
  dbos: DbosBenchResult | undefined,
): string {
  const restate = peer?.restate.helloSequence5.completedPerSec;
  const ratio = (n: number) =>
    restate === undefined || restate === 0 ? '' : `${(n / restate).toFixed(2)}x restate`;
  const parts: string[] = [];
  if (embedded !== undefined) {
    const n = embedded.helloSequence5.completedPerSec;
    parts.push(`embedded ${n}/s${restate === undefined ? '' : ` (${ratio(n)} ${restate}/s)`}`);
  }
  if (distributed !== undefined) {
    const n = distributed.helloSequence5.completedPerSec;
    parts.push(`distributed ${n}/s${restate === undefined ? '' : ` (${ratio(n)})`}`);
  }
  if (parts.length === 0 && restate !== undefined) parts.push(`restate ${restate}/s`);
  const line = `summary: HelloSequence5 ${parts.join(', ')}`;
  if (dbos === undefined) return line;
  const rate = `dbos ${dbos.dbos.helloSequence5.completedPerSec}/s`;
  return parts.length === 0 ? `${line}${rate}` : `${line}; ${rate}`;
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
