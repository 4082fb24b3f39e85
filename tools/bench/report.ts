// Markdown for the workloads every engine runs, and the side-by-side comparison of all of them.
import { resourcesMarkdown } from './resources';
import type { EngineRuns } from './workloads';

/** One table of an engine's workloads (rows only for those that ran). */
export function engineRunsMarkdown(runs: EngineRuns): string {
  const rows: string[] = [];
  const h = runs.helloSequence5;
  if (h !== undefined)
    rows.push(
      `| HelloSequence5, closed loop, ${h.concurrency} in flight | ${h.completedPerSec} | ${h.p50Ms} | ${h.p95Ms} | ${h.p99Ms} | ${h.completed} completed in the window |`,
    );
  const o = runs.helloSequence5Open;
  if (o !== undefined)
    rows.push(
      `| HelloSequence5, open loop at ${o.rate}/s | ${o.completedPerSec} | ${o.p50Ms} | ${o.p95Ms} | ${o.p99Ms} | ${o.completed}/${o.arrivals} arrivals completed, ${o.dropped} dropped, ${o.failed} failed or unfinished; latency from the scheduled arrival |`,
    );
  const f = runs.fanOutSmall;
  if (f !== undefined)
    rows.push(
      `| Fan-out/fan-in of ${f.activities}, ${f.concurrency} in flight | ${f.completedPerSec} | ${f.p50Ms} | ${f.p95Ms} | ${f.p99Ms} | ${f.completedPerSec * f.activities} activities/s |`,
    );
  const lines = [
    '| workload | completed/s | p50 ms | p95 ms | p99 ms | notes |',
    '| --- | ---: | ---: | ---: | ---: | --- |',
    ...rows,
  ];
  const l = runs.fanOutLarge;
  if (l !== undefined)
    lines.push('', `Fan-out/fan-in of ${l.activities} activities: ${l.ms} ms start to completion.`);
  const t = runs.timers;
  if (t !== undefined)
    lines.push(
      '',
      `${t.instances} orchestrations each waiting on a ${t.delayMs} ms durable timer: all completed ${t.allCompletedMs} ms after the first start ` +
        `(starting them took ${t.startMs} ms); completion after the due time p50 ${t.latenessP50Ms} ms, p99 ${t.latenessP99Ms} ms, max ${t.latenessMaxMs} ms.`,
    );
  return lines.join('\n');
}

/** CPU and memory of each workload, per process. */
export function engineResourcesMarkdown(runs: EngineRuns): string {
  const parts: string[] = [];
  const add = (title: string, run: { resources: Parameters<typeof resourcesMarkdown>[1] } | undefined) => {
    if (run !== undefined) parts.push(resourcesMarkdown(title, run.resources));
  };
  add('HelloSequence5 closed loop', runs.helloSequence5);
  add('HelloSequence5 open loop', runs.helloSequence5Open);
  add(`Fan-out/fan-in of ${runs.fanOutSmall?.activities ?? ''}`, runs.fanOutSmall);
  add(`Fan-out/fan-in of ${runs.fanOutLarge?.activities ?? ''}`, runs.fanOutLarge);
  add('Durable timers', runs.timers);
  return parts.join('\n\n');
}

/** Every engine and mode side by side, one row each, with total CPU per HelloSequence5. */
export function comparisonMarkdown(all: readonly EngineRuns[]): string {
  const cpuPerInstance = (runs: EngineRuns): string => {
    const h = runs.helloSequence5;
    if (h === undefined || h.completed === 0) return '–';
    const total = h.resources.reduce((sum, r) => sum + r.cpuMs, 0);
    // CPU over the measured window (warm-up and drain left out) divided by its completions: the
    // same for every engine. (Instances still in flight when the window closes count a little.)
    return ((total / h.completed) * 1000).toFixed(0);
  };
  const cell = (n: number | undefined) => (n === undefined ? '–' : String(n));
  return [
    '### Side by side (same machine, same run)',
    '',
    '| engine / mode | HelloSequence5/s | p50 ms | p99 ms | open loop rate/s | open p50 ms | open p99 ms | fan-out (small)/s | fan-out (large) ms | timers: all done ms | timer lateness p99 ms | CPU µs per HelloSequence5 (all processes) |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...all.map(
      (r) =>
        `| ${r.engine} | ${cell(r.helloSequence5?.completedPerSec)} | ${cell(r.helloSequence5?.p50Ms)} | ${cell(r.helloSequence5?.p99Ms)} | ` +
        `${cell(r.helloSequence5Open?.rate)} | ${cell(r.helloSequence5Open?.p50Ms)} | ${cell(r.helloSequence5Open?.p99Ms)} | ` +
        `${cell(r.fanOutSmall?.completedPerSec)} | ${cell(r.fanOutLarge?.ms)} | ${cell(r.timers?.allCompletedMs)} | ${cell(r.timers?.latenessP99Ms)} | ${cpuPerInstance(r)} |`,
    ),
    '',
    'Entity workloads (counter, bank transfer) are in entities.md; HelloSequence5 over the gRPC SDK in grpc.md.',
  ].join('\n');
}
