import { randomBytes } from 'node:crypto';
import parsePrometheusTextFormat from 'parse-prometheus-text-format';
import { OtlpReceiver, type ReceivedSpan } from '@durable/tools/servers';
import { DurableProcess, waitForOutput } from '../support/durable-process';

// OTLP span kinds and status codes as the receiver decodes them.
const Kind = { Internal: 1, Server: 2, Client: 3, Producer: 4, Consumer: 5 } as const;
const Status = { Unset: 0, Ok: 1, Error: 2 } as const;

/** The trace as an indented tree of `name (kind)` lines, children sorted: what a trace UI shows. */
function treeOf(spans: readonly ReceivedSpan[], rootParent: string): string {
  const kinds = ['', 'internal', 'server', 'client', 'producer', 'consumer'];
  const lines = (parent: string, depth: number): string[] =>
    spans
      .filter((s) => s.parentSpanId === parent)
      .map((s) => [`${'  '.repeat(depth)}${s.name} (${kinds[s.kind]})`, ...lines(s.spanId, depth + 1)])
      .sort((a, b) => (a[0] as string).localeCompare(b[0] as string))
      .flat();
  return lines(rootParent, 0).join('\n');
}

describe('OpenTelemetry on the embedded default', () => {
  const receiver = new OtlpReceiver();
  let product: DurableProcess;

  beforeAll(async () => {
    await receiver.start();
    product = new DurableProcess({
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver.endpoint,
      OTEL_TRACES_SAMPLER: 'always_on',
      OTEL_BSP_SCHEDULE_DELAY: '100',
      OTEL_METRIC_EXPORT_INTERVAL: '500',
      OTEL_SERVICE_NAME: 'durable-e2e',
      DURABLE_APP: 'test/fixtures/traced-app.ts',
    });
    await product.start();
  });
  afterAll(async () => {
    await product.stop();
    product.cleanup();
    await receiver.stop();
  });

  /** Starts an orchestration under a caller's span and waits for it to end. */
  const startTraced = async (name: string, input?: unknown) => {
    const traceId = randomBytes(16).toString('hex');
    const callerSpanId = randomBytes(8).toString('hex');
    const started = await fetch(`${product.baseUrl}/orchestrators/${name}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', traceparent: `00-${traceId}-${callerSpanId}-01` },
      ...(input !== undefined ? { body: JSON.stringify(input) } : {}),
    });
    expect(started.status).toBe(202);
    const { id, statusQueryGetUri } = (await started.json()) as { id: string; statusQueryGetUri: string };
    const done = await waitForOutput(statusQueryGetUri);
    return { id, traceId, callerSpanId, status: done.body['runtimeStatus'] };
  };

  const orchestrationSpanOf = async (traceId: string, name: string) => {
    await receiver.waitFor((spans) => spans.some((s) => s.traceId === traceId && s.name === name));
    // Spans of the same batch are exported together; give the rest of the trace a moment.
    await new Promise((resolve) => setTimeout(resolve, 400));
    return receiver.trace(traceId);
  };

  it('exports one trace for HelloSequence: start, orchestration, three activities, each episode', async () => {
    const { id, traceId, callerSpanId, status } = await startTraced('HelloSequence');
    expect(status).toBe('Completed');
    const spans = await orchestrationSpanOf(traceId, 'orchestration:HelloSequence');

    expect(treeOf(spans, callerSpanId)).toBe(
      [
        'create_orchestration:HelloSequence (producer)',
        '  orchestration:HelloSequence (server)',
        ...Array.from({ length: 3 }, () => [
          '    activity:SayHello (client)',
          '      activity:SayHello (server)',
        ]).flat(),
        ...Array.from({ length: 4 }, () => '    orchestration:HelloSequence:episode (internal)'),
      ].join('\n'),
    );
    expect(spans).toHaveLength(12);
    expect(new Set(spans.map((s) => s.spanId)).size).toBe(12);

    const start = spans.find((s) => s.name === 'create_orchestration:HelloSequence') as ReceivedSpan;
    const orchestration = spans.find((s) => s.name === 'orchestration:HelloSequence') as ReceivedSpan;
    expect(start.attributes).toMatchObject({
      'durabletask.type': 'orchestration',
      'durabletask.task.name': 'HelloSequence',
      'durabletask.task.instance_id': id,
    });
    expect(orchestration).toMatchObject({
      service: 'durable-e2e',
      kind: Kind.Server,
      status: { code: Status.Ok },
      attributes: {
        'durabletask.type': 'orchestration',
        'durabletask.task.name': 'HelloSequence',
        'durabletask.task.instance_id': id,
        'durabletask.task.status': 'Completed',
      },
    });
    expect(orchestration.startMs).toBeLessThanOrEqual(orchestration.endMs);

    const clients = spans.filter((s) => s.name === 'activity:SayHello' && s.kind === Kind.Client);
    const servers = spans.filter((s) => s.name === 'activity:SayHello' && s.kind === Kind.Server);
    expect(clients.map((c) => c.attributes['durabletask.task.task_id']).sort()).toEqual(
      servers.map((s) => s.attributes['durabletask.task.task_id']).sort(),
    );
    for (const client of clients) {
      expect(client.attributes).toMatchObject({
        'durabletask.type': 'activity',
        'durabletask.task.name': 'SayHello',
        'durabletask.task.instance_id': id,
        'durable.task.attempt': 1,
      });
      const server = servers.find((s) => s.parentSpanId === client.spanId) as ReceivedSpan;
      // Scheduled before it started, completed after it ran.
      expect(client.startMs).toBeLessThanOrEqual(server.startMs);
      expect(client.endMs).toBeGreaterThanOrEqual(server.endMs);
      expect(server.status.code).toBe(Status.Ok);
    }
  });

  it('shows each attempt of a retried activity as its own span, with the waits between them', async () => {
    const { traceId, status } = await startTraced('RetryingGreeting', 'Ada');
    expect(status).toBe('Completed');
    const spans = await orchestrationSpanOf(traceId, 'orchestration:RetryingGreeting');
    const attempts = spans
      .filter((s) => s.name === 'activity:FlakyGreeting' && s.kind === Kind.Client)
      .sort((a, b) => a.startMs - b.startMs);
    expect(
      attempts.map((s) => [s.attributes['durable.task.attempt'], s.status.code, s.status.message]),
    ).toEqual([
      [1, Status.Error, 'attempt 1 failed (on purpose)'],
      [2, Status.Error, 'attempt 2 failed (on purpose)'],
      [3, Status.Ok, ''],
    ]);
    const runs = spans.filter((s) => s.name === 'activity:FlakyGreeting' && s.kind === Kind.Server);
    expect(runs.map((s) => s.status.code).sort()).toEqual([Status.Ok, Status.Error, Status.Error]);
    const waits = spans.filter((s) => s.name === 'orchestration:RetryingGreeting:timer');
    expect(waits).toHaveLength(2);
    for (const wait of waits) expect(wait.endMs - wait.startMs).toBeGreaterThanOrEqual(400);
  });

  it('marks a failed orchestration with error status and its failure message', async () => {
    const { traceId, status } = await startTraced('FanOutFanIn', -1);
    expect(status).toBe('Failed');
    const spans = await orchestrationSpanOf(traceId, 'orchestration:FanOutFanIn');
    const orchestration = spans.find((s) => s.name === 'orchestration:FanOutFanIn') as ReceivedSpan;
    expect(orchestration.status).toEqual({
      code: Status.Error,
      message: 'input must be a non-negative integer',
    });
    expect(orchestration.attributes['durabletask.task.status']).toBe('Failed');
  });

  it('links a raised event to its sender and shows the timer the orchestration waited on', async () => {
    const traceId = randomBytes(16).toString('hex');
    const started = await fetch(`${product.baseUrl}/orchestrators/Approval`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', traceparent: `00-${traceId}-${'1'.repeat(16)}-01` },
      body: JSON.stringify({ timeoutSeconds: 60 }),
    });
    const { id, statusQueryGetUri } = (await started.json()) as { id: string; statusQueryGetUri: string };
    const raiserTrace = randomBytes(16).toString('hex');
    const raised = await fetch(`${product.baseUrl}/instances/${id}/raiseEvent/Approval`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', traceparent: `00-${raiserTrace}-${'2'.repeat(16)}-01` },
      body: 'true',
    });
    expect(raised.status).toBe(202);
    expect((await waitForOutput(statusQueryGetUri)).body['output']).toBe('approved');
    const spans = await orchestrationSpanOf(traceId, 'orchestration:Approval');
    const received = spans.find((s) => s.name === 'event:Approval') as ReceivedSpan;
    expect(received.kind).toBe(Kind.Consumer);
    const sent = receiver.trace(raiserTrace).find((s) => s.name === 'orchestration_event:Approval');
    expect(sent?.kind).toBe(Kind.Producer);
    expect(received.links).toEqual([{ traceId: raiserTrace, spanId: sent?.spanId }]);
  });

  it("hangs a sub-orchestration's trace under its parent's call", async () => {
    const { traceId, callerSpanId, status } = await startTraced('ParentOfHello');
    expect(status).toBe('Completed');
    await receiver.waitFor((spans) =>
      spans.some(
        (s) => s.traceId === traceId && s.name === 'orchestration:HelloSequence' && s.kind === Kind.Server,
      ),
    );
    const spans = await orchestrationSpanOf(traceId, 'orchestration:ParentOfHello');
    const lines = treeOf(spans, callerSpanId)
      .split('\n')
      .filter((line) => !line.includes(':episode'));
    expect(lines).toEqual([
      'create_orchestration:ParentOfHello (producer)',
      '  orchestration:ParentOfHello (server)',
      '    orchestration:HelloSequence (client)',
      '      orchestration:HelloSequence (server)',
      ...Array.from({ length: 3 }, () => [
        '        activity:SayHello (client)',
        '          activity:SayHello (server)',
      ]).flat(),
    ]);
  });

  it('keeps every execution of a continued-as-new orchestration in the trace of its start', async () => {
    const { traceId, callerSpanId, status } = await startTraced('Countdown', 2);
    expect(status).toBe('Completed');
    await receiver.waitFor(
      (spans) =>
        spans.filter((s) => s.traceId === traceId && s.name === 'orchestration:Countdown').length === 3,
    );
    const spans = await orchestrationSpanOf(traceId, 'orchestration:Countdown');
    const lines = treeOf(spans, callerSpanId)
      .split('\n')
      .filter((line) => !line.includes(':episode'));
    expect(lines).toEqual([
      'create_orchestration:Countdown (producer)',
      ...Array.from({ length: 2 }, () => [
        '  orchestration:Countdown (server)',
        '    activity:SayHello (client)',
        '      activity:SayHello (server)',
      ]).flat(),
      '  orchestration:Countdown (server)',
    ]);
    const executions = spans.filter((s) => s.name === 'orchestration:Countdown');
    expect(executions.map((s) => s.attributes['durabletask.task.status']).sort()).toEqual([
      'Completed',
      'ContinuedAsNew',
      'ContinuedAsNew',
    ]);
    expect(new Set(executions.map((s) => s.attributes['durabletask.task.execution_id'])).size).toBe(3);
  });

  it("nests the user's own spans and log lines under the activity's span", async () => {
    const { traceId, status } = await startTraced('Checkout', 42);
    expect(status).toBe('Completed');
    await receiver.waitFor((spans) =>
      spans.some((s) => s.traceId === traceId && s.name === 'payment-gateway charge'),
    );
    const spans = await orchestrationSpanOf(traceId, 'orchestration:Checkout');
    const run = spans.find((s) => s.name === 'activity:ChargeCard' && s.kind === Kind.Server) as ReceivedSpan;
    const own = spans.find((s) => s.name === 'payment-gateway charge') as ReceivedSpan;
    expect(own.parentSpanId).toBe(run.spanId);
    expect(own.attributes['shop.amount']).toBe(42);

    const logged = product.logs
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as Record<string, unknown>)
      .find((entry) => entry['message'] === 'charging the card');
    expect(logged).toMatchObject({ amount: 42, trace_id: traceId, span_id: run.spanId });
  });

  it('traces entity operations: the calls and signals of an orchestration, and a client signal', async () => {
    const { traceId, callerSpanId, status } = await startTraced('CountVisits');
    expect(status).toBe('Completed');
    // The signalled operation may run after the orchestration ended: wait for all three runs.
    await receiver.waitFor(
      (spans) =>
        spans.filter((s) => s.traceId === traceId && s.name.startsWith('entity:') && s.kind === Kind.Server)
          .length === 3,
    );
    const spans = await orchestrationSpanOf(traceId, 'orchestration:CountVisits');
    const entityLines = treeOf(spans, callerSpanId)
      .split('\n')
      .filter((line) => line.includes('entity:'));
    expect(entityLines).toEqual([
      '    entity:counter:add (client)',
      '      entity:counter:add (server)',
      '    entity:counter:add (producer)',
      '      entity:counter:add (server)',
      '    entity:counter:get (client)',
      '      entity:counter:get (server)',
    ]);
    const call = spans.find((s) => s.name === 'entity:counter:get' && s.kind === Kind.Client) as ReceivedSpan;
    expect(call.attributes).toMatchObject({
      'durabletask.type': 'entity',
      'durabletask.task.name': 'counter',
      'durabletask.task.instance_id': '@counter@called',
      'durabletask.task.operation': 'get',
    });
    const run = spans.find((s) => s.parentSpanId === call.spanId) as ReceivedSpan;
    expect(run.status.code).toBe(Status.Ok);
    expect(call.startMs).toBeLessThanOrEqual(run.startMs);
    expect(call.endMs).toBeGreaterThanOrEqual(run.endMs);

    // A client's signal over REST: the run is a child of the caller's span, with the failure it had.
    const clientTrace = randomBytes(16).toString('hex');
    const clientSpan = randomBytes(8).toString('hex');
    const signalled = await fetch(`${product.baseUrl}/entities/Counter/rest?op=add`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', traceparent: `00-${clientTrace}-${clientSpan}-01` },
      body: '"not a number"',
    });
    expect(signalled.status).toBe(202);
    await receiver.waitFor((all) => all.some((s) => s.traceId === clientTrace));
    const [failed] = receiver.trace(clientTrace);
    expect(failed).toMatchObject({
      name: 'entity:counter:add',
      kind: Kind.Server,
      parentSpanId: clientSpan,
      status: { code: Status.Error, message: 'add needs a number' },
      attributes: { 'durabletask.task.instance_id': '@counter@rest' },
    });
  });

  it('serves GET /metrics in the Prometheus text format with counters that match what ran', async () => {
    const before = await scrape(product.port);
    const completedBefore = sample(before, 'durable_orchestrations_completed_total', {
      name: 'HelloSequence',
      status: 'Completed',
    });
    for (let i = 0; i < 3; i++) expect((await startTraced('HelloSequence')).status).toBe('Completed');
    const after = await scrape(product.port);
    expect(
      sample(after, 'durable_orchestrations_completed_total', { name: 'HelloSequence', status: 'Completed' }),
    ).toBe(completedBefore + 3);
    expect(
      sample(after, 'durable_orchestrations_started_total', { name: 'HelloSequence' }),
    ).toBeGreaterThanOrEqual(completedBefore + 3);
    expect(
      sample(after, 'durable_activities_completed_total', { name: 'SayHello', outcome: 'completed' }),
    ).toBe(
      sample(before, 'durable_activities_completed_total', { name: 'SayHello', outcome: 'completed' }) + 9,
    );
    expect(after.find((f) => f.name === 'durable_partitions_owned')?.metrics[0]?.value).toBe('4');
    // Every message was read: each owned partition reports an empty backlog.
    const backlog = after.find((f) => f.name === 'durable_partition_backlog');
    expect(backlog?.metrics.map((m) => [m.labels?.['partition'], m.value]).sort()).toEqual([
      ['0', '0'],
      ['1', '0'],
      ['2', '0'],
      ['3', '0'],
    ]);
    expect(after.some((f) => f.name === 'durable_episode_duration' && f.type === 'HISTOGRAM')).toBe(true);
    // The same metrics were also pushed over OTLP.
    await receiver.waitFor(() => [...receiver.requests.keys()].some((k) => k.startsWith('/v1/metrics')));
  });
});

interface MetricFamily {
  readonly name: string;
  readonly type: string;
  readonly metrics: ReadonlyArray<{ value?: string; labels?: Record<string, string> }>;
}

async function scrape(port: number): Promise<MetricFamily[]> {
  const response = await fetch(`http://127.0.0.1:${port}/metrics`);
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toContain('text/plain');
  return parsePrometheusTextFormat(await response.text()) as MetricFamily[];
}

function sample(families: readonly MetricFamily[], name: string, labels: Record<string, string>): number {
  const family = families.find((f) => f.name === name);
  const metric = family?.metrics.find((m) =>
    Object.entries(labels).every(([key, value]) => m.labels?.[key] === value),
  );
  return metric === undefined ? 0 : Number(metric.value);
}
