// The official JS SDK (@microsoft/durabletask-js) traces its client and worker with OpenTelemetry:
// its client's start span becomes the parent of the orchestration's trace, and the activities its
// worker runs join that trace under the host's activity client spans.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { trace } from '@opentelemetry/api';
import {
  NoOpLogger,
  TaskHubGrpcClient,
  TaskHubGrpcWorker,
  type ActivityContext,
  type OrchestrationContext,
  type Task,
} from '@microsoft/durabletask-js';
import { defineOrchestration, Registry } from '@durable/engine';
import { GrpcFrontend, WorkItemHub } from '@durable/grpc';
import { OtlpReceiver, type ReceivedSpan } from '@durable/tools/servers';
import { EmbeddedPlatform } from '../embedded/embedded-platform';
import { startTelemetry, type Telemetry } from '../telemetry';

jest.setTimeout(60_000);

const greeting = defineOrchestration('TracedGreeting', async (ctx, name: string) =>
  ctx.callActivity('RemoteHello', name),
);

async function* sdkSequence(ctx: OrchestrationContext): AsyncGenerator<Task<string>, string[], string> {
  const out: string[] = [];
  for (const city of ['Tokyo', 'Seattle']) out.push(yield ctx.callActivity('RemoteHello', city));
  return out;
}

const receiver = new OtlpReceiver();
let telemetry: Telemetry;
let dataDir: string;
let platform: EmbeddedPlatform;
let grpc: GrpcFrontend;
let client: TaskHubGrpcClient;
let worker: TaskHubGrpcWorker;

beforeAll(async () => {
  await receiver.start();
  // The SDK's exporters read their settings from the environment, as in an app.
  Object.assign(process.env, {
    OTEL_EXPORTER_OTLP_ENDPOINT: receiver.endpoint,
    OTEL_BSP_SCHEDULE_DELAY: '50',
    OTEL_METRICS_EXPORTER: 'none',
  });
  telemetry = startTelemetry('sdk-tracing-test');
  dataDir = mkdtempSync(join(tmpdir(), 'durable-grpc-trace-'));
  const hub = new WorkItemHub({ pingIntervalMs: 1000 });
  platform = await EmbeddedPlatform.start({
    dataDir,
    registry: new Registry().add(greeting),
    partitions: 2,
    remote: hub,
  });
  grpc = await GrpcFrontend.start({ client: platform.client, hub, host: '127.0.0.1', port: 0 });
  const hostAddress = `127.0.0.1:${grpc.port}`;
  client = new TaskHubGrpcClient({ hostAddress, logger: new NoOpLogger() });
  worker = new TaskHubGrpcWorker({ hostAddress, logger: new NoOpLogger(), shutdownTimeoutMs: 200 });
  worker.addNamedActivity('RemoteHello', async (_: ActivityContext, name: string) => `Hello ${name}!`);
  worker.addNamedOrchestrator('SdkSequence', sdkSequence);
  await worker.start();
});

afterAll(async () => {
  await worker?.stop();
  await client?.stop();
  await grpc?.stop();
  await platform?.stop();
  await telemetry?.shutdown();
  await receiver.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

/** Runs `fn` inside a span of the test's own, as a user's code calling the SDK client would. */
async function underCallerSpan<T>(
  fn: () => Promise<T>,
): Promise<{ result: T; traceId: string; spanId: string }> {
  return trace.getTracer('the-user').startActiveSpan('user-request', async (span) => {
    try {
      const result = await fn();
      return { result, traceId: span.spanContext().traceId, spanId: span.spanContext().spanId };
    } finally {
      span.end();
    }
  });
}

const byName = (spans: readonly ReceivedSpan[], name: string, kind: number) =>
  spans.filter((s) => s.name === name && s.kind === kind);

it("puts an in-process orchestration under the SDK client's span, and the SDK worker's activity under it", async () => {
  const {
    result: id,
    traceId,
    spanId,
  } = await underCallerSpan(async () => {
    const instanceId = await client.scheduleNewOrchestration('TracedGreeting', 'Ada');
    await client.waitForOrchestrationCompletion(instanceId, false, 30);
    return instanceId;
  });
  await receiver.waitFor((spans) =>
    spans.some((s) => s.traceId === traceId && s.name === 'activity:RemoteHello' && s.kind === 2),
  );
  await receiver.waitFor((spans) =>
    spans.some((s) => s.traceId === traceId && s.name === 'orchestration:TracedGreeting'),
  );
  const spans = receiver.trace(traceId);
  const [sdkStart] = spans.filter(
    (s) => s.name === 'create_orchestration:TracedGreeting' && s.scope !== 'durable',
  );
  const [hostStart] = spans.filter(
    (s) => s.name === 'create_orchestration:TracedGreeting' && s.scope === 'durable',
  );
  const [orchestration] = byName(spans, 'orchestration:TracedGreeting', 2);
  const [activityClient] = byName(spans, 'activity:RemoteHello', 3);
  const [sdkActivity] = byName(spans, 'activity:RemoteHello', 2);
  expect(sdkStart?.parentSpanId).toBe(spanId);
  expect(hostStart?.parentSpanId).toBe(sdkStart?.spanId);
  expect(orchestration?.parentSpanId).toBe(hostStart?.spanId);
  expect(orchestration?.attributes['durabletask.task.instance_id']).toBe(id);
  expect(activityClient?.parentSpanId).toBe(orchestration?.spanId);
  // The SDK worker's own span (its instrumentation scope, not Durable's) joins under the client span.
  expect(sdkActivity?.scope).not.toBe('durable');
  expect(sdkActivity?.parentSpanId).toBe(activityClient?.spanId);
  expect(sdkActivity?.attributes['durabletask.task.instance_id']).toBe(id);
});

it("keeps an SDK orchestration's activities in the client's trace", async () => {
  const { result: id, traceId } = await underCallerSpan(async () => {
    const instanceId = await client.scheduleNewOrchestration('SdkSequence');
    await client.waitForOrchestrationCompletion(instanceId, false, 30);
    return instanceId;
  });
  // The SDK runs the orchestration and its activities itself; the host carries the context, so the
  // runs are in the client's trace, under the SDK's own orchestration spans. (durabletask-js 0.4
  // parents each run to a scheduling span id it does not export, so that link is not checked.)
  await receiver.waitFor(
    (spans) =>
      byName(
        spans.filter((s) => s.traceId === traceId),
        'activity:RemoteHello',
        2,
      ).length === 2,
  );
  const spans = receiver.trace(traceId);
  expect(byName(spans, 'orchestration:SdkSequence', 2).length).toBeGreaterThanOrEqual(1);
  expect(
    byName(spans, 'activity:RemoteHello', 2).map((s) => s.attributes['durabletask.task.instance_id']),
  ).toEqual([id, id]);
});
