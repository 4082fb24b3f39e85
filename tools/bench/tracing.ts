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

export const tracingBenchSizes = {
  full: { warmupSeconds: 3, seconds: 15, concurrency: 400 },
  quick: { warmupSeconds: 2, seconds: 6, concurrency: 400 },
  tiny: { warmupSeconds: 0, seconds: 0.5, concurrency: 4 },
} satisfies Record<string, ClosedLoopOptions>;

export interface TracingBenchResult {
  readonly noSdk: ClosedLoopResult;
  readonly metricsOnly: ClosedLoopResult;
  /** What the receiver got while tracing was on (the OTLP export requests and their bytes). */
  readonly tracingOn: ClosedLoopResult & { readonly exportRequests: number; readonly exportedKiB: number };
  /** Tracing on relative to the default, in percent of throughput lost. */
  readonly tracingCostPercent: number;
  readonly metricsCostPercent: number;
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

export async function runTracingBench(
  sizes: ClosedLoopOptions,
  progress?: Progress,
): Promise<TracingBenchResult> {
  const noSdk = await helloSequence5Loop(sizes, 'tracing: HelloSequence5, no OpenTelemetry SDK', progress);
  const metricsOnly = await withTelemetry({}, () =>
    helloSequence5Loop(sizes, 'tracing: HelloSequence5, default (metrics, tracing off)', progress),
  );
  const traced = await withSink((endpoint) =>
    withTelemetry(
      {
        OTEL_EXPORTER_OTLP_ENDPOINT: endpoint,
        OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf',
        OTEL_TRACES_SAMPLER: 'always_on',
        OTEL_METRICS_EXPORTER: 'none',
      },
      () => helloSequence5Loop(sizes, 'tracing: HelloSequence5, tracing on (always_on, OTLP)', progress),
    ),
  );
  progress?.done('tracing: done');
  const cost = (on: ClosedLoopResult, off: ClosedLoopResult) =>
    Math.round((1 - on.completedPerSec / off.completedPerSec) * 1000) / 10;
  return {
    noSdk,
    metricsOnly,
    tracingOn: {
      ...traced.result,
      exportRequests: traced.received.requests,
      exportedKiB: Math.round(traced.received.bytes / 1024),
    },
    tracingCostPercent: cost(traced.result, metricsOnly),
    metricsCostPercent: cost(metricsOnly, noSdk),
  };
}

export function tracingMarkdown(result: TracingBenchResult): string {
  const row = (label: string, r: ClosedLoopResult) =>
    `| ${label} | ${r.completedPerSec} | ${r.p50Ms} | ${r.p99Ms} | ${r.concurrency} |`;
  return [
    '### Telemetry cost (embedded HelloSequence5, closed loop)',
    '',
    '| telemetry | HelloSequence5/s | p50 ms | p99 ms | in flight |',
    '| --- | ---: | ---: | ---: | ---: |',
    row('no OpenTelemetry SDK', result.noSdk),
    row('default: metrics (GET /metrics), tracing off', result.metricsOnly),
    row('tracing on: always_on, OTLP http/protobuf to a local receiver', result.tracingOn),
    '',
    `Metrics cost ${result.metricsCostPercent}% of throughput; tracing on costs ${result.tracingCostPercent}% more ` +
      `(the receiver got ${result.tracingOn.exportRequests} OTLP requests, ${result.tracingOn.exportedKiB} KiB; ` +
      'each HelloSequence5 is 18 spans: start, lifetime, 6 episodes, 5 activity client and 5 server spans).',
  ].join('\n');
}
