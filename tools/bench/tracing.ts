// What telemetry costs: embedded HelloSequence5 (closed loop) with no OpenTelemetry SDK at all, with
// the product's default (metrics for GET /metrics, no tracing), and with tracing on (always-on
// sampler, OTLP/HTTP protobuf to a local receiver in a process of its own).
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EmbeddedPlatform, startTelemetry, type Telemetry } from '@durable/host';
import { registry } from './bench-app';
import { closedLoop, type ClosedLoopOptions, type ClosedLoopResult } from './closed-loop';
import type { Progress } from './progress';

export interface TracingBenchSizes extends ClosedLoopOptions {
  /** Each mode runs once a round; the order turns each round, so no mode always runs first or last. */
  readonly rounds: number;
}

export const tracingBenchSizes = {
  full: { warmupSeconds: 3, seconds: 10, concurrency: 400, rounds: 3 },
  quick: { warmupSeconds: 2, seconds: 4, concurrency: 400, rounds: 3 },
  // Long enough that a loaded CI machine still completes a few.
  tiny: { warmupSeconds: 0, seconds: 2, concurrency: 4, rounds: 1 },
} satisfies Record<string, TracingBenchSizes>;

export interface TracingBenchResult {
  readonly rounds: number;
  /** Per mode, the round with the median throughput. */
  readonly noSdk: ClosedLoopResult;
  readonly metricsOnly: ClosedLoopResult;
  /** What the receiver got while tracing was on (the OTLP export requests and their bytes). */
  readonly tracingOn: ClosedLoopResult & { readonly exportRequests: number; readonly exportedKiB: number };
  /** Tracing on relative to the default, in percent of throughput lost (medians). */
  readonly tracingCostPercent: number;
  readonly metricsCostPercent: number;
  /** The same in CPU time per HelloSequence5 (medians), less sensitive to what else the machine runs. */
  readonly tracingCpuCostPercent: number;
  readonly metricsCpuCostPercent: number;
}

// The receiver: an OTLP/HTTP endpoint that answers at once and counts what it got (decoding is
// the collector's cost, not the product's).
const sinkScript = `
const http = require('node:http');
let bytes = 0, requests = 0;
const server = http.createServer((req, res) => {
  req.on('data', (c) => (bytes += c.length));
  req.on('end', () => { requests++; res.writeHead(200, { 'content-type': 'application/x-protobuf' }); res.end(); });
});
server.listen(0, '127.0.0.1', () => process.stdout.write(JSON.stringify({ port: server.address().port }) + '\\n'));
process.on('message', () => process.send({ bytes, requests }));
`;

async function withSink<T>(
  fn: (endpoint: string) => Promise<T>,
): Promise<{ result: T; received: { bytes: number; requests: number } }> {
  const child = spawn(process.execPath, ['-e', sinkScript], { stdio: ['ignore', 'pipe', 'inherit', 'ipc'] });
  try {
    const port = await new Promise<number>((resolve, reject) => {
      child.once('error', reject);
      child.stdout?.once('data', (chunk: Buffer) =>
        resolve((JSON.parse(chunk.toString()) as { port: number }).port),
      );
    });
    const result = await fn(`http://127.0.0.1:${port}`);
    const received = await new Promise<{ bytes: number; requests: number }>((resolve) => {
      child.once('message', (m) => resolve(m as { bytes: number; requests: number }));
      child.send('stats');
    });
    return { result, received };
  } finally {
    child.kill();
  }
}

async function helloSequence5Loop(
  sizes: ClosedLoopOptions,
  label: string,
  progress: Progress | undefined,
): Promise<ClosedLoopResult> {
  const dir = mkdtempSync(join(tmpdir(), 'durable-bench-tracing-'));
  const platform = await EmbeddedPlatform.start({ dataDir: dir, registry });
  try {
    const { client } = platform;
    return await closedLoop(
      async () => {
        const { instanceId } = await client.start('HelloSequence5');
        const status = await client.waitForCompletion(instanceId, { timeoutMs: 300_000 });
        if (status?.runtimeStatus !== 'Completed')
          throw new Error(`HelloSequence5 ended ${status?.runtimeStatus}`);
      },
      sizes,
      label,
      progress,
    );
  } finally {
    await platform.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

const otelKeys = [
  'OTEL_EXPORTER_OTLP_ENDPOINT',
  'OTEL_EXPORTER_OTLP_PROTOCOL',
  'OTEL_TRACES_SAMPLER',
  'OTEL_METRICS_EXPORTER',
] as const;

async function withTelemetry<T>(env: Record<string, string>, fn: () => Promise<T>): Promise<T> {
  const saved = Object.fromEntries(otelKeys.map((k) => [k, process.env[k]]));
  for (const k of otelKeys) delete process.env[k];
  Object.assign(process.env, env);
  let telemetry: Telemetry | undefined;
  try {
    telemetry = startTelemetry('durable-bench');
    return await fn();
  } finally {
    await telemetry?.shutdown();
    for (const k of otelKeys) {
      const value = saved[k];
      if (value === undefined) delete process.env[k];
      else process.env[k] = value;
    }
  }
}

type Mode = 'noSdk' | 'metricsOnly' | 'tracingOn';

export async function runTracingBench(
  sizes: TracingBenchSizes,
  progress?: Progress,
): Promise<TracingBenchResult> {
  const runs: Record<Mode, ClosedLoopResult[]> = { noSdk: [], metricsOnly: [], tracingOn: [] };
  const received = { bytes: 0, requests: 0 };
  const runMode = async (mode: Mode, round: number): Promise<void> => {
    const label = `tracing (round ${round + 1}/${sizes.rounds}): HelloSequence5`;
    if (mode === 'noSdk') runs.noSdk.push(await helloSequence5Loop(sizes, `${label}, no SDK`, progress));
    else if (mode === 'metricsOnly')
      runs.metricsOnly.push(
        await withTelemetry({}, () => helloSequence5Loop(sizes, `${label}, metrics`, progress)),
      );
    else {
      const traced = await withSink((endpoint) =>
        withTelemetry(
          {
            OTEL_EXPORTER_OTLP_ENDPOINT: endpoint,
            OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf',
            OTEL_TRACES_SAMPLER: 'always_on',
            OTEL_METRICS_EXPORTER: 'none',
          },
          () => helloSequence5Loop(sizes, `${label}, tracing on`, progress),
        ),
      );
      runs.tracingOn.push(traced.result);
      received.bytes += traced.received.bytes;
      received.requests += traced.received.requests;
    }
  };
  const modes: Mode[] = ['noSdk', 'metricsOnly', 'tracingOn'];
  for (let round = 0; round < sizes.rounds; round++)
    for (let i = 0; i < modes.length; i++) await runMode(modes[(round + i) % modes.length] as Mode, round);
  progress?.done('tracing: done');

  const median = (results: ClosedLoopResult[]): ClosedLoopResult =>
    [...results].sort((a, b) => a.completedPerSec - b.completedPerSec)[
      Math.floor(results.length / 2)
    ] as ClosedLoopResult;
  const medianOf = (values: number[]): number =>
    [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;
  const noSdk = median(runs.noSdk);
  const metricsOnly = median(runs.metricsOnly);
  const tracingOn = median(runs.tracingOn);
  const cpu = (mode: Mode) => medianOf(runs[mode].map((r) => r.cpuMicrosPerOp));
  const lost = (on: number, off: number) => Math.round((1 - on / off) * 1000) / 10;
  const extra = (on: number, off: number) => Math.round((on / off - 1) * 1000) / 10;
  return {
    rounds: sizes.rounds,
    noSdk: { ...noSdk, cpuMicrosPerOp: cpu('noSdk') },
    metricsOnly: { ...metricsOnly, cpuMicrosPerOp: cpu('metricsOnly') },
    tracingOn: {
      ...tracingOn,
      cpuMicrosPerOp: cpu('tracingOn'),
      exportRequests: received.requests,
      exportedKiB: Math.round(received.bytes / 1024),
    },
    tracingCostPercent: lost(tracingOn.completedPerSec, metricsOnly.completedPerSec),
    metricsCostPercent: lost(metricsOnly.completedPerSec, noSdk.completedPerSec),
    tracingCpuCostPercent: extra(cpu('tracingOn'), cpu('metricsOnly')),
    metricsCpuCostPercent: extra(cpu('metricsOnly'), cpu('noSdk')),
  };
}

export function tracingMarkdown(result: TracingBenchResult): string {
  const row = (label: string, r: ClosedLoopResult) =>
    `| ${label} | ${r.completedPerSec} | ${r.cpuMicrosPerOp} | ${r.p50Ms} | ${r.p99Ms} | ${r.concurrency} |`;
  return [
    '### Telemetry cost (embedded HelloSequence5, closed loop)',
    '',
    `Medians of ${result.rounds} round(s); each round runs the three modes one after another, in an order that turns each round. ` +
      'CPU is this process, worker threads included, per completed HelloSequence5.',
    '',
    '| telemetry | HelloSequence5/s | CPU µs each | p50 ms | p99 ms | in flight |',
    '| --- | ---: | ---: | ---: | ---: | ---: |',
    row('no OpenTelemetry SDK', result.noSdk),
    row('default: metrics (GET /metrics), tracing off', result.metricsOnly),
    row('tracing on: always_on, OTLP http/protobuf to a local receiver', result.tracingOn),
    '',
    `Metrics cost ${result.metricsCostPercent}% of throughput (${result.metricsCpuCostPercent}% CPU); tracing on costs ` +
      `${result.tracingCostPercent}% of throughput more (${result.tracingCpuCostPercent}% CPU). The receiver got ` +
      `${result.tracingOn.exportRequests} OTLP requests, ${result.tracingOn.exportedKiB} KiB; each HelloSequence5 ` +
      'is 18 spans: start, lifetime, 6 episodes, 5 activity client and 5 server spans.',
  ].join('\n');
}
