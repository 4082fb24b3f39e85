// The export thread against a real OTLP receiver: what the worker thread sends must decode to the
// spans the main thread ended (ids, parent, attributes, links, status, resource), in both HTTP
// encodings, and flush/shutdown must not lose a span that ended before them.
import { SpanKind, SpanStatusCode, trace, ROOT_CONTEXT } from '@opentelemetry/api';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { RandomIdGenerator, TracerProvider } from '@opentelemetry/sdk-trace';
import { emitSpan, enableTracing, linkTo, PresetIdGenerator, useFinishedSpanSink } from '@durable/telemetry';
import { OtlpReceiver } from '@durable/tools/servers';
import { SpanExportThread, spanExportThreadOptions } from './span-export-thread';

describe('SpanExportThread', () => {
  const receiver = new OtlpReceiver();
  const saved = process.env['OTEL_EXPORTER_OTLP_ENDPOINT'];

  beforeAll(async () => {
    await receiver.start();
    // The worker's exporter reads its endpoint from the environment, as in the apps.
    process.env['OTEL_EXPORTER_OTLP_ENDPOINT'] = receiver.endpoint;
  });
  afterAll(async () => {
    if (saved === undefined) delete process.env['OTEL_EXPORTER_OTLP_ENDPOINT'];
    else process.env['OTEL_EXPORTER_OTLP_ENDPOINT'] = saved;
    await receiver.stop();
  });

  it.each(['http/protobuf', 'http/json'])('exports ended spans over %s from its thread', async (protocol) => {
    const processor = new SpanExportThread(
      spanExportThreadOptions({ OTEL_EXPORTER_OTLP_PROTOCOL: protocol, OTEL_BSP_SCHEDULE_DELAY: '60000' }),
    );
    const provider = new TracerProvider({
      resource: resourceFromAttributes({ 'service.name': `thread-${protocol}` }),
      spanProcessors: [processor],
    });
    const tracer = provider.getTracer('durable');
    const linked = { traceId: 'ab'.repeat(16), spanId: 'cd'.repeat(8), traceFlags: 1, isRemote: true };
    const parent = tracer.startSpan('parent', { kind: SpanKind.SERVER });
    const child = tracer.startSpan(
      'child',
      {
        kind: SpanKind.CLIENT,
        attributes: { 'durabletask.task.task_id': 3, flag: true, text: 'x' },
        links: [{ context: linked }],
      },
      trace.setSpan(ROOT_CONTEXT, parent),
    );
    child.setStatus({ code: SpanStatusCode.ERROR, message: 'boom' });
    child.end();
    parent.end();

    // The schedule delay is a minute: only the flush makes the batch go out.
    await provider.forceFlush();
    const traceId = parent.spanContext().traceId;
    const spans = receiver.trace(traceId);
    expect(spans.map((s) => s.name).sort()).toEqual(['child', 'parent']);
    const received = spans.find((s) => s.name === 'child')!;
    expect(received).toMatchObject({
      service: `thread-${protocol}`,
      scope: 'durable',
      spanId: child.spanContext().spanId,
      parentSpanId: parent.spanContext().spanId,
      kind: 3,
      attributes: { 'durabletask.task.task_id': 3, flag: true, text: 'x' },
      status: { code: 2, message: 'boom' },
      links: [{ traceId: linked.traceId, spanId: linked.spanId }],
    });
    expect(spans.find((s) => s.name === 'parent')!.parentSpanId).toBe('');
    await provider.shutdown();
  });

  it('exports a span Durable emits finished as the SDK would have, without SDK span objects', async () => {
    const processor = new SpanExportThread(spanExportThreadOptions({ OTEL_BSP_SCHEDULE_DELAY: '60000' }));
    const provider = new TracerProvider({
      resource: resourceFromAttributes({ 'service.name': 'finished-spans' }),
      spanProcessors: [processor],
      idGenerator: new PresetIdGenerator(new RandomIdGenerator()),
    });
    trace.setGlobalTracerProvider(provider);
    enableTracing(true);
    // The resource comes from the SDK's first span, as the host's probe makes it.
    provider.getTracer('probe').startSpan('probe');
    const record = (spanId: string, traceId: string) => ({
      name: 'activity:Hello',
      kind: SpanKind.CLIENT,
      parent: `00-${traceId}-${'12'.repeat(8)}-01`,
      spanId,
      startTime: 1_700_000_000_123.5,
      endTime: 1_700_000_000_456,
      error: 'boom',
      attributes: { 'durabletask.task.task_id': 3, 'durabletask.task.name': 'Hello', skipped: undefined },
      links: linkTo(`00-${'ab'.repeat(16)}-${'cd'.repeat(8)}-01`),
    });
    try {
      emitSpan(record('a1'.repeat(8), '01'.repeat(16)));
      useFinishedSpanSink(processor);
      emitSpan(record('b2'.repeat(8), '02'.repeat(16)));
      // A parent that was not sampled: the default sampler drops the child, as the SDK does.
      emitSpan({
        ...record('c3'.repeat(8), '03'.repeat(16)),
        parent: `00-${'03'.repeat(16)}-${'12'.repeat(8)}-00`,
      });
    } finally {
      useFinishedSpanSink(undefined);
      enableTracing(false);
      trace.disable();
    }
    await provider.forceFlush();
    const [viaSdk] = receiver.trace('01'.repeat(16));
    const [viaSink] = receiver.trace('02'.repeat(16));
    expect(receiver.trace('03'.repeat(16))).toEqual([]);
    expect(viaSink).toMatchObject({
      spanId: 'b2'.repeat(8),
      parentSpanId: '12'.repeat(8),
      service: 'finished-spans',
    });
    const same = (span: typeof viaSdk) => ({ ...span, traceId: undefined, spanId: undefined });
    expect(same(viaSink)).toEqual(same(viaSdk));
    await provider.shutdown();
  });

  it('sends what is still batched when it shuts down, and nothing after', async () => {
    const processor = new SpanExportThread(spanExportThreadOptions({ OTEL_BSP_SCHEDULE_DELAY: '60000' }));
    const provider = new TracerProvider({ spanProcessors: [processor] });
    const tracer = provider.getTracer('durable');
    const spans = Array.from({ length: 1_200 }, (_, i) => tracer.startSpan(`s${i}`, {}, ROOT_CONTEXT));
    spans.forEach((span) => span.end());
    await provider.shutdown();
    const ids = new Set(spans.map((s) => s.spanContext().spanId));
    expect(receiver.spans.filter((s) => ids.has(s.spanId))).toHaveLength(1_200);

    tracer.startSpan('late', {}, ROOT_CONTEXT).end();
    expect(processor.droppedSpans).toBe(0);
  });

  it('drops spans beyond its queue instead of growing without bound', async () => {
    const processor = new SpanExportThread(
      spanExportThreadOptions({ OTEL_BSP_MAX_QUEUE_SIZE: '10', OTEL_BSP_SCHEDULE_DELAY: '60000' }),
    );
    const provider = new TracerProvider({ spanProcessors: [processor] });
    const tracer = provider.getTracer('durable');
    for (let i = 0; i < 25; i++) tracer.startSpan(`q${i}`, {}, ROOT_CONTEXT).end();
    expect(processor.droppedSpans).toBe(15);
    await provider.shutdown();
  });

  it('refuses a protocol OTLP does not have', () => {
    expect(
      () => new SpanExportThread(spanExportThreadOptions({ OTEL_EXPORTER_OTLP_PROTOCOL: 'udp' })),
    ).toThrow("unsupported OTLP protocol 'udp'");
  });
});
