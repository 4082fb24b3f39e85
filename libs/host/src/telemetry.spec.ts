// Which telemetry the standard OTEL_* variables turn on, and when Durable's finished spans may skip
// the SDK (only when the SDK would have exported them unchanged).
import { finishedSpansBypassSdk, telemetryPlan } from './telemetry';

describe('telemetryPlan', () => {
  it('exports nothing when nothing is set', () => {
    expect(telemetryPlan({})).toEqual({ tracing: false, otlpMetrics: false });
  });

  it('turns traces and OTLP metrics on with an endpoint, unless the SDK is disabled', () => {
    expect(telemetryPlan({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318' })).toEqual({
      tracing: true,
      otlpMetrics: true,
    });
    expect(
      telemetryPlan({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318', OTEL_SDK_DISABLED: 'true' }),
    ).toEqual({ tracing: false, otlpMetrics: false });
  });

  it('honours exporters set to none', () => {
    expect(
      telemetryPlan({
        OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318',
        OTEL_TRACES_EXPORTER: 'none',
        OTEL_METRICS_EXPORTER: 'prometheus',
      }),
    ).toEqual({ tracing: false, otlpMetrics: false });
  });
});

describe('finishedSpansBypassSdk', () => {
  it('bypasses with the default sampler, following the parent', () => {
    expect(finishedSpansBypassSdk({})).toEqual({ ignoresParentSampling: false });
    expect(finishedSpansBypassSdk({ OTEL_TRACES_SAMPLER: 'parentbased_always_on' })).toEqual({
      ignoresParentSampling: false,
    });
  });

  it('keeps every span with always_on', () => {
    expect(finishedSpansBypassSdk({ OTEL_TRACES_SAMPLER: 'always_on' })).toEqual({
      ignoresParentSampling: true,
    });
  });

  it('leaves ratio samplers and attribute limits to the SDK', () => {
    expect(finishedSpansBypassSdk({ OTEL_TRACES_SAMPLER: 'traceidratio' })).toBeUndefined();
    expect(finishedSpansBypassSdk({ OTEL_TRACES_SAMPLER: 'parentbased_traceidratio' })).toBeUndefined();
    expect(finishedSpansBypassSdk({ OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT: '64' })).toBeUndefined();
    expect(finishedSpansBypassSdk({ OTEL_SPAN_ATTRIBUTE_COUNT_LIMIT: '4' })).toBeUndefined();
  });
});
