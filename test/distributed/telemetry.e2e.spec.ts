// One trace assembled from the spans three OS processes export (frontend, orchestration worker,
// activity worker), across a SIGKILL of the orchestration worker while the orchestration waits.
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { DistributedCluster, OtlpReceiver, type ReceivedSpan } from '@durable/tools/servers';
import { waitForOutput } from '../support/durable-process';

describe('OpenTelemetry in distributed mode', () => {
  const receiver = new OtlpReceiver();
  let cluster: DistributedCluster;

  beforeAll(async () => {
    await receiver.start();
    cluster = await DistributedCluster.start({
      orchestrationWorkers: 1,
      activityWorkers: 1,
      partitions: 4,
      app: join(__dirname, '..', 'fixtures', 'distributed-app.ts'),
      env: {
        OTEL_EXPORTER_OTLP_ENDPOINT: receiver.endpoint,
        OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
        OTEL_BSP_SCHEDULE_DELAY: '100',
        OTEL_METRICS_EXPORTER: 'none',
      },
    });
  }, 240_000);

  afterAll(async () => {
    await cluster?.stop();
    await receiver.stop();
  }, 120_000);

  it('keeps one trace for an orchestration whose worker is killed while its timer waits', async () => {
    const traceId = randomBytes(16).toString('hex');
    const callerSpanId = randomBytes(8).toString('hex');
    // Timer 3: a 6 s durable timer, then an Echo activity.
    const started = await fetch(`${cluster.frontend.baseUrl}/orchestrators/Timer/traced-timer`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', traceparent: `00-${traceId}-${callerSpanId}-01` },
      body: '3',
    });
    expect(started.status).toBe(202);
    const { statusQueryGetUri } = (await started.json()) as { statusQueryGetUri: string };
    // Its first episode ran and was exported; then the worker dies with the timer pending.
    await receiver.waitFor((spans) =>
      spans.some((s) => s.traceId === traceId && s.name === 'orchestration:Timer:episode'),
    );
    await new Promise((resolve) => setTimeout(resolve, 500));
    const worker = cluster.orchestrationWorkers[0]!;
    await worker.kill();
    await worker.start();

    const done = await waitForOutput(statusQueryGetUri, 120_000);
    expect(done.body['output']).toBe('timer-3');
    await receiver.waitFor((spans) =>
      spans.some((s) => s.traceId === traceId && s.name === 'orchestration:Timer'),
    );
    await new Promise((resolve) => setTimeout(resolve, 500));

    const spans = receiver.trace(traceId);
    const only = (name: string, kind?: number): ReceivedSpan => {
      const found = spans.filter((s) => s.name === name && (kind === undefined || s.kind === kind));
      expect(found.map((s) => s.name)).toEqual([name]);
      return found[0] as ReceivedSpan;
    };
    const start = only('create_orchestration:Timer');
    const orchestration = only('orchestration:Timer');
    const timer = only('orchestration:Timer:timer');
    const client = only('activity:Echo', 3);
    const server = only('activity:Echo', 2);
    expect(start.parentSpanId).toBe(callerSpanId);
    expect(orchestration.parentSpanId).toBe(start.spanId);
    expect(timer.parentSpanId).toBe(orchestration.spanId);
    expect(client.parentSpanId).toBe(orchestration.spanId);
    expect(server.parentSpanId).toBe(client.spanId);
    // Every span's parent is in the trace: nothing dangles after the kill.
    const ids = new Set([callerSpanId, ...spans.map((s) => s.spanId)]);
    expect(spans.filter((s) => !ids.has(s.parentSpanId))).toEqual([]);
    expect(timer.endMs - timer.startMs).toBeGreaterThanOrEqual(5900);
    // Each part came from the process that did it.
    expect(start.service).toBe('durable-frontend');
    expect(orchestration.service).toBe('durable-orchestration-worker');
    expect(server.service).toBe('durable-activity-worker');
    expect(orchestration.startMs).toBeLessThanOrEqual(start.endMs + 1000);
  }, 180_000);
});
