import {
  metrics,
  type Attributes,
  type Counter,
  type Histogram,
  type ObservableGauge,
  type ObservableResult,
} from '@opentelemetry/api';
import { instrumentationScope, Metric } from './names';

/** Durable's instruments. Created on first use, after the host registered its meter provider. */
export interface DurableInstruments {
  readonly orchestrationsStarted: Counter;
  readonly orchestrationsCompleted: Counter;
  readonly episodeDuration: Histogram;
  readonly commitDuration: Histogram;
  readonly batchMessages: Histogram;
  readonly outboxMessages: Histogram;
  readonly activityDuration: Histogram;
  readonly activityQueueWait: Histogram;
  readonly activitiesCompleted: Counter;
  readonly storeRequestCharge: Counter;
  readonly storeRequests: Counter;
  readonly storeThrottles: Counter;
  readonly logProduced: Counter;
  readonly logConsumed: Counter;
}

let instruments: DurableInstruments | undefined;

// Buckets in milliseconds, from a sub-millisecond episode to a minute-long activity.
const msBuckets = [0.25, 0.5, 1, 2, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000, 30000, 60000];
const countBuckets = [1, 2, 5, 10, 25, 50, 100, 250, 500, 1000];

export function durableMetrics(): DurableInstruments {
  if (instruments !== undefined) return instruments;
  const meter = metrics.getMeter(instrumentationScope);
  const ms = (name: string, description: string) =>
    meter.createHistogram(name, { unit: 'ms', description, advice: { explicitBucketBoundaries: msBuckets } });
  const count = (name: string, description: string) =>
    meter.createHistogram(name, { description, advice: { explicitBucketBoundaries: countBuckets } });
  instruments = {
    orchestrationsStarted: meter.createCounter(Metric.OrchestrationsStarted, {
      description: 'Orchestration executions started, by name',
    }),
    orchestrationsCompleted: meter.createCounter(Metric.OrchestrationsCompleted, {
      description: 'Orchestration executions that ended, by name and final status',
    }),
    episodeDuration: ms(
      Metric.EpisodeDuration,
      'Time to run one orchestration episode (replay of new events)',
    ),
    commitDuration: ms(Metric.CommitDuration, 'Time to commit one batch: store, outbox and log offset'),
    batchMessages: count(Metric.BatchSize, 'Log messages per partition batch'),
    outboxMessages: count(Metric.OutboxMessages, 'Messages a batch commit sends afterwards (outbox)'),
    activityDuration: ms(Metric.ActivityDuration, 'Time an activity ran, by name and outcome'),
    activityQueueWait: ms(Metric.ActivityQueueWait, 'Time from scheduling an activity to its start'),
    activitiesCompleted: meter.createCounter(Metric.ActivitiesCompleted, {
      description: 'Activity runs that ended, by name and outcome',
    }),
    storeRequestCharge: meter.createCounter(Metric.StoreRequestCharge, {
      unit: '{RU}',
      description: 'Request units the state store charged (Cosmos DB x-ms-request-charge)',
    }),
    storeRequests: meter.createCounter(Metric.StoreRequests, { description: 'State store requests' }),
    storeThrottles: meter.createCounter(Metric.StoreThrottles, {
      description: 'State store requests throttled or unavailable (429 / 503), retried',
    }),
    logProduced: meter.createCounter(Metric.LogProduced, { description: 'Messages appended to the log' }),
    logConsumed: meter.createCounter(Metric.LogConsumed, { description: 'Messages read from the log' }),
  };
  return instruments;
}

/** Forgets the instruments (a test or host that registers another meter provider). */
export function resetDurableMetrics(): void {
  instruments = undefined;
}

/**
 * A gauge read when metrics are collected: `read` reports the current values. Returns a function
 * that stops reporting them (a worker that stopped).
 */
export function observeGauge(
  name: string,
  description: string,
  /** May ask a server (a log's end offsets): the collection waits for it. */
  read: () => Iterable<readonly [number, Attributes?]> | Promise<Iterable<readonly [number, Attributes?]>>,
): () => void {
  const gauge: ObservableGauge = metrics.getMeter(instrumentationScope).createObservableGauge(name, {
    description,
  });
  const callback = async (result: ObservableResult) => {
    for (const [value, attributes] of await read()) result.observe(value, attributes);
  };
  gauge.addCallback(callback);
  return () => gauge.removeCallback(callback);
}
