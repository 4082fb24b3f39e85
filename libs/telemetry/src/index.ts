export {
  Attr,
  entitySpanName,
  episodeSpanName,
  instrumentationScope,
  Metric,
  MetricAttr,
  spanName,
  SpanType,
  timerSpanName,
} from './names';
export {
  deriveSpanId,
  deriveTraceId,
  formatTraceParent,
  parseTraceParent,
  withSpanId,
  type ParsedTraceParent,
  type TraceContext,
} from './trace-context';
export {
  activeTraceIds,
  contextOf,
  emitSpan,
  enableTracing,
  endSpan,
  linkTo,
  PresetIdGenerator,
  SpanKind,
  startSpan,
  traceParentOf,
  tracingEnabled,
  useFinishedSpanSink,
  withSpan,
  type FinishedSpanSink,
  type Outcome,
  type SpanFields,
} from './tracing';
export { durableMetrics, observeGauge, resetDurableMetrics, type DurableInstruments } from './metrics';
