import { runTracingBench, tracingBenchSizes, tracingMarkdown } from './tracing';

describe('telemetry benchmark', () => {
  it('runs HelloSequence5 without the SDK, with metrics, and with tracing exported over OTLP', async () => {
    const result = await runTracingBench(tracingBenchSizes.tiny);
    expect(result.noSdk.completed).toBeGreaterThan(0);
    expect(result.metricsOnly.completed).toBeGreaterThan(0);
    expect(result.tracingOn.completed).toBeGreaterThan(0);
    // Spans really left the process.
    expect(result.tracingOn.exportRequests).toBeGreaterThan(0);
    expect(tracingMarkdown(result)).toContain('tracing on');
  }, 60_000);
});
