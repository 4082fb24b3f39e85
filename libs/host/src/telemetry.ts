// OpenTelemetry for an app: the SDK configured by the standard OTEL_* variables only, Durable's
// span ids (PresetIdGenerator) and a Prometheus reader that GET /metrics serves. The libs speak
// @opentelemetry/api only (names in @durable/telemetry); this is the one place the SDK is started.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { context, metrics, propagation, trace } from '@opentelemetry/api';
import { OTLPMetricExporter as GrpcMetricExporter } from '@opentelemetry/exporter-metrics-otlp-grpc';
import { OTLPMetricExporter as HttpMetricExporter } from '@opentelemetry/exporter-metrics-otlp-http';
import { OTLPMetricExporter as ProtoMetricExporter } from '@opentelemetry/exporter-metrics-otlp-proto';
import { PrometheusExporter } from '@opentelemetry/exporter-prometheus';
import { PeriodicExportingMetricReader, type IMetricReader } from '@opentelemetry/sdk-metrics';
import { NodeSDK } from '@opentelemetry/sdk-node';
import { RandomIdGenerator, type SpanProcessor } from '@opentelemetry/sdk-trace';
import { exportThreadSupports, SpanExportThread, spanExportThreadOptions } from './span-export-thread';
import {
  enableTracing,
  instrumentationScope,
  PresetIdGenerator,
  resetDurableMetrics,
  useFinishedSpanSink,
} from '@durable/telemetry';

export interface Telemetry {
  /** Whether spans are exported (an OTLP endpoint or a traces exporter was configured). */
  readonly tracing: boolean;
  /** Serves the Prometheus text format of every metric. */
  serveMetrics(request: IncomingMessage, response: ServerResponse): void;
  /** Flushes and stops the exporters. */
  shutdown(): Promise<void>;
}

let current: Telemetry | undefined;

/** The telemetry an app started, if any (GET /metrics answers 404 without it). */
export function currentTelemetry(): Telemetry | undefined {
  return current;
}

const list = (value: string | undefined): string[] =>
  (value ?? '')
    .split(',')
    .map((s) => s.trim().toLowerCase())
    .filter((s) => s !== '');

/**
 * Traces are on when a traces exporter or an OTLP endpoint is configured (and the SDK is not
 * disabled); nothing set, nothing exported. Metrics are always kept for GET /metrics, and also
 * pushed over OTLP when OTEL_METRICS_EXPORTER names `otlp` (or an endpoint is set and it is unset).
 */
export function telemetryPlan(env: NodeJS.ProcessEnv): { tracing: boolean; otlpMetrics: boolean } {
  if (env['OTEL_SDK_DISABLED']?.toLowerCase() === 'true') return { tracing: false, otlpMetrics: false };
  const endpoint =
    env['OTEL_EXPORTER_OTLP_ENDPOINT'] !== undefined && env['OTEL_EXPORTER_OTLP_ENDPOINT'] !== '';
  const traces = list(env['OTEL_TRACES_EXPORTER']);
  const metrics = list(env['OTEL_METRICS_EXPORTER']);
  const tracing =
    !traces.includes('none') &&
    (traces.length > 0 || endpoint || env['OTEL_EXPORTER_OTLP_TRACES_ENDPOINT'] !== undefined);
  const otlpMetrics =
    metrics.includes('otlp') ||
    (metrics.length === 0 && (endpoint || env['OTEL_EXPORTER_OTLP_METRICS_ENDPOINT'] !== undefined));
  return { tracing, otlpMetrics };
}

function otlpMetricReader(env: NodeJS.ProcessEnv): IMetricReader {
  const protocol =
    env['OTEL_EXPORTER_OTLP_METRICS_PROTOCOL'] ?? env['OTEL_EXPORTER_OTLP_PROTOCOL'] ?? 'http/protobuf';
  const exporter =
    protocol === 'grpc'
      ? new GrpcMetricExporter()
      : protocol === 'http/json'
        ? new HttpMetricExporter()
        : new ProtoMetricExporter();
  const interval = Number(env['OTEL_METRIC_EXPORT_INTERVAL'] ?? 60_000);
  return new PeriodicExportingMetricReader({
    exporter,
    exportIntervalMillis: Number.isFinite(interval) && interval > 0 ? interval : 60_000,
  });
}

/**
 * OTLP spans go through the export thread (encoding off the engine's thread); any other exporter
 * (console, zipkin, several at once) is left to the SDK's own set-up from the same variables.
 */
function exportThreadFor(env: NodeJS.ProcessEnv): SpanExportThread | undefined {
  const traces = list(env['OTEL_TRACES_EXPORTER']);
  const options = spanExportThreadOptions(env);
  const otlpOnly = traces.length === 0 || (traces.length === 1 && traces[0] === 'otlp');
  if (!otlpOnly || !exportThreadSupports(options.protocol)) return undefined;
  return new SpanExportThread(options);
}

/**
 * Whether Durable's finished spans may skip the SDK and go straight to the export thread: only when
 * the SDK would have kept them unchanged, that is with a sampler that follows the parent's decision
 * (the default) or keeps everything, and no limits on attributes to apply.
 */
export function finishedSpansBypassSdk(
  env: NodeJS.ProcessEnv,
): { ignoresParentSampling: boolean } | undefined {
  const sampler = (env['OTEL_TRACES_SAMPLER'] ?? 'parentbased_always_on').trim().toLowerCase();
  if (sampler !== 'parentbased_always_on' && sampler !== 'always_on') return undefined;
  const limits = [
    'OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT',
    'OTEL_ATTRIBUTE_COUNT_LIMIT',
    'OTEL_SPAN_ATTRIBUTE_VALUE_LENGTH_LIMIT',
    'OTEL_SPAN_ATTRIBUTE_COUNT_LIMIT',
    'OTEL_SPAN_LINK_COUNT_LIMIT',
  ];
  if (limits.some((name) => env[name] !== undefined && env[name] !== '')) return undefined;
  return { ignoresParentSampling: sampler === 'always_on' };
}

/**
 * Starts OpenTelemetry for an app named `serviceName` (unless OTEL_SERVICE_NAME names it), configured
 * by the process environment, where the SDK's exporters read their OTEL_* settings too.
 */
export function startTelemetry(serviceName: string): Telemetry {
  if (current !== undefined) return current;
  const env = process.env;
  const plan = telemetryPlan(env);
  const prometheus = new PrometheusExporter({ preventServerStart: true });
  const readers: IMetricReader[] = [prometheus];
  if (plan.otlpMetrics) readers.push(otlpMetricReader(env));
  const exportThread = plan.tracing ? exportThreadFor(env) : undefined;
  const sdk = new NodeSDK({
    ...(env['OTEL_SERVICE_NAME'] === undefined ? { serviceName } : {}),
    metricReaders: readers,
    // No span processors means no tracer provider: tracing stays a no-op unless configured. Tracing
    // without the export thread leaves the processors to the SDK's own set-up from the variables.
    ...(exportThread !== undefined
      ? { spanProcessors: [exportThread] as SpanProcessor[] }
      : plan.tracing
        ? {}
        : { spanProcessors: [] }),
    idGenerator: new PresetIdGenerator(new RandomIdGenerator()),
    // No log exporter unless asked for: the apps log to stderr.
    logRecordProcessors: [],
  });
  sdk.start();
  resetDurableMetrics();
  enableTracing(plan.tracing);
  const bypass = exportThread !== undefined ? finishedSpansBypassSdk(env) : undefined;
  if (exportThread !== undefined && bypass !== undefined) {
    exportThread.ignoresParentSampling = bypass.ignoresParentSampling;
    // A span started and never ended hands the export thread the SDK's resource (service name and
    // the detected attributes), which the spans that skip the SDK are exported with.
    trace.getTracer(instrumentationScope).startSpan('durable.resource');
    useFinishedSpanSink(exportThread);
  }
  const telemetry: Telemetry = {
    tracing: plan.tracing,
    serveMetrics: (request, response) => prometheus.getMetricsRequestHandler(request, response),
    shutdown: async () => {
      enableTracing(false);
      useFinishedSpanSink(undefined);
      current = undefined;
      await sdk.shutdown();
      // Unregister the providers, so that another start in this process (a benchmark) can register.
      trace.disable();
      metrics.disable();
      context.disable();
      propagation.disable();
      resetDurableMetrics();
    },
  };
  current = telemetry;
  return telemetry;
}
