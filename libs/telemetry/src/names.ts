// Every span, attribute and metric name Durable emits, in one place. Span names and `durabletask.*`
// attributes follow the Durable Task SDKs' tracing (so queries written for DTS keep working);
// `durable.*` ones are Durable's own.

/** The tracer and meter name (instrumentation scope). */
export const instrumentationScope = 'durable';

export const SpanType = {
  Orchestration: 'orchestration',
  Activity: 'activity',
  Timer: 'timer',
  Event: 'event',
  CreateOrchestration: 'create_orchestration',
  OrchestrationEvent: 'orchestration_event',
  Entity: 'entity',
} as const;
export type SpanType = (typeof SpanType)[keyof typeof SpanType];

export const Attr = {
  Type: 'durabletask.type',
  TaskName: 'durabletask.task.name',
  TaskVersion: 'durabletask.task.version',
  InstanceId: 'durabletask.task.instance_id',
  ExecutionId: 'durabletask.task.execution_id',
  Status: 'durabletask.task.status',
  TaskId: 'durabletask.task.task_id',
  EventTargetInstanceId: 'durabletask.event.target_instance_id',
  FireAt: 'durabletask.fire_at',
  /** 1 for the first attempt of an activity or sub-orchestration, 2 for its first retry, … */
  Attempt: 'durable.task.attempt',
  Partition: 'durable.partition',
  /** Events an episode applied. */
  EpisodeEvents: 'durable.episode.events',
  /** An entity operation's name, as DurableTask.Core's tracing schema calls it. */
  Operation: 'durabletask.task.operation',
} as const;

/** `type:name`, or `type:name@(version)`, as the Durable Task SDKs name spans. */
export function spanName(type: SpanType, name: string, version?: string): string {
  return version ? `${type}:${name}@(${version})` : `${type}:${name}`;
}

/** The span of one replay episode of an orchestration (a child of its lifetime span). */
export function episodeSpanName(orchestration: string): string {
  return `${SpanType.Orchestration}:${orchestration}:episode`;
}

/** A durable timer's wait, named as the Durable Task SDKs name it. */
export function timerSpanName(orchestration: string): string {
  return `${SpanType.Orchestration}:${orchestration}:${SpanType.Timer}`;
}

/** An entity operation: `entity:<entity name>:<operation>`, for its caller and its run alike. */
export function entitySpanName(entity: string, operation: string): string {
  return `${SpanType.Entity}:${entity}:${operation}`;
}

/** Metric names (OpenTelemetry style; Prometheus shows dots as underscores). */
export const Metric = {
  OrchestrationsStarted: 'durable.orchestrations.started',
  OrchestrationsCompleted: 'durable.orchestrations.completed',
  EpisodeDuration: 'durable.episode.duration',
  CommitDuration: 'durable.commit.duration',
  BatchSize: 'durable.batch.messages',
  OutboxMessages: 'durable.outbox.messages',
  ActivityDuration: 'durable.activity.duration',
  ActivityQueueWait: 'durable.activity.queue_wait',
  ActivitiesCompleted: 'durable.activities.completed',
  PartitionsOwned: 'durable.partitions.owned',
  PartitionBacklog: 'durable.partition.backlog',
  InstancesInMemory: 'durable.instances.in_memory',
  TimersPending: 'durable.timers.pending',
  StoreRequestCharge: 'durable.store.request_charge',
  StoreRequests: 'durable.store.requests',
  StoreThrottles: 'durable.store.throttles',
  LogProduced: 'durable.log.produced',
  LogConsumed: 'durable.log.consumed',
  RetentionPurged: 'durable.retention.purged',
} as const;

/** Metric attribute names. */
export const MetricAttr = {
  Name: 'name',
  Status: 'status',
  Outcome: 'outcome',
  Partition: 'partition',
  Stream: 'stream',
  Operation: 'operation',
} as const;
