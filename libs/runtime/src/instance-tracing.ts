// The spans of one orchestration execution, derived from what the partition owner applies. Span ids
// are derived from the execution and task ids (see deriveSpanId), so the owner after a crash or a
// partition move emits spans that meet the parents the previous owner already exported. Spans are
// handed out only after the batch that applied their events is committed.
import { fromTimestamp, parseEntityInstanceId, type HistoryEvent, type TraceContext } from '@durable/core';
import {
  Attr,
  deriveSpanId,
  entitySpanName,
  deriveTraceId,
  episodeSpanName,
  linkTo,
  parseTraceParent,
  SpanKind,
  spanName,
  SpanType,
  timerSpanName,
  withSpanId,
  type Outcome,
  type ParsedTraceParent,
  type SpanFields,
} from '@durable/telemetry';

export type SpanRecord = SpanFields & Outcome;
type Attributes = NonNullable<SpanRecord['attributes']>;

interface OpenTask {
  readonly kind: 'activity' | 'timer' | 'sub' | 'entity';
  readonly name: string;
  /** An entity call's operation and target. */
  readonly operation?: string;
  readonly entityInstanceId?: string;
  /** Epoch ms it was scheduled. */
  readonly at: number;
  readonly attempt: number;
  readonly fireAt?: string;
  readonly childInstanceId?: string;
}

export class InstanceTrace {
  /** The execution's lifetime span, as a parent for everything the orchestration does. */
  private readonly lifetime: ParsedTraceParent;
  private readonly open = new Map<number, OpenTask>();
  /** Entity calls in flight: their responses name the request, not the task. */
  private readonly entityCalls = new Map<string, number>();
  /** Failed attempts in a row per task name: the next schedule of that name is a retry. */
  private readonly failures = new Map<string, number>();
  private startedAt: number;

  constructor(
    readonly instanceId: string,
    readonly name: string,
    readonly executionId: string,
    /** The id this execution's messages carry (changes with each rewind): seeds task span ids. */
    private readonly senderId: string,
    private readonly parent: TraceContext | undefined,
    startedAt: number,
  ) {
    const carried = parseTraceParent(parent?.traceParent);
    this.lifetime = {
      traceId: carried?.traceId ?? deriveTraceId(executionId),
      spanId: deriveSpanId(executionId, SpanType.Orchestration),
      flags: carried?.flags ?? '01',
    };
    this.startedAt = startedAt;
  }

  /** Rebuilds what is open from the execution's history (after a reload). */
  replay(history: readonly HistoryEvent[]): void {
    for (const event of history) {
      if (event.type === 'ExecutionStarted') this.startedAt = fromTimestamp(event.timestamp);
      this.scheduled(event);
      this.settled(event, fromTimestamp(event.timestamp));
    }
  }

  /** The traceparent a task's client span has: what an activity or child orchestration carries. */
  taskTraceParent(taskId: number): string {
    return withSpanId(this.lifetime, this.taskSpanId(taskId));
  }

  // A task's span id is derived when its work is sent and again when its span is emitted: once here.
  private readonly taskSpanIds = new Map<number, string>();

  private taskSpanId(taskId: number): string {
    let spanId = this.taskSpanIds.get(taskId);
    if (spanId === undefined) {
      spanId = deriveSpanId(this.senderId, 'task', taskId);
      this.taskSpanIds.set(taskId, spanId);
    }
    return spanId;
  }

  /** A history event the episode recorded (a task scheduled, a timer created, …) */
  scheduled(event: HistoryEvent): SpanRecord | undefined {
    const at = fromTimestamp(event.timestamp);
    switch (event.type) {
      case 'TaskScheduled':
        this.open.set(event.eventId, {
          kind: 'activity',
          name: event.name,
          at,
          attempt: (this.failures.get(`a:${event.name}`) ?? 0) + 1,
        });
        return undefined;
      case 'TimerCreated':
        this.open.set(event.eventId, {
          kind: 'timer',
          name: this.name,
          at,
          attempt: 1,
          fireAt: event.fireAt,
        });
        return undefined;
      case 'SubOrchestrationInstanceCreated':
        this.open.set(event.eventId, {
          kind: 'sub',
          name: event.name,
          at,
          attempt: (this.failures.get(`s:${event.name}`) ?? 0) + 1,
          childInstanceId: event.instanceId,
        });
        return undefined;
      case 'TaskCanceled':
        // The task's span ends here: no result will settle it.
        return this.taskSpan(event.taskScheduledId, at, 'cancelled');
      case 'EntityOperationCalled':
        this.open.set(event.eventId, {
          kind: 'entity',
          name: parseEntityInstanceId(event.targetInstanceId).name,
          operation: event.operation,
          entityInstanceId: event.targetInstanceId,
          at,
          attempt: 1,
        });
        this.entityCalls.set(event.requestId, event.eventId);
        return undefined;
      case 'EntityOperationSignaled': {
        const entityName = parseEntityInstanceId(event.targetInstanceId).name;
        return {
          name: entitySpanName(entityName, event.operation),
          kind: SpanKind.PRODUCER,
          parent: this.lifetimeParent(),
          spanId: this.taskSpanId(event.eventId),
          startTime: at,
          endTime: at,
          attributes: {
            [Attr.Type]: SpanType.Entity,
            [Attr.TaskName]: entityName,
            [Attr.InstanceId]: event.targetInstanceId,
            [Attr.Operation]: event.operation,
            [Attr.TaskId]: event.eventId,
          },
        };
      }
      case 'EventSent':
        return {
          name: spanName(SpanType.OrchestrationEvent, event.name),
          kind: SpanKind.PRODUCER,
          parent: this.lifetimeParent(),
          spanId: this.taskSpanId(event.eventId),
          startTime: at,
          endTime: at,
          attributes: {
            [Attr.Type]: SpanType.Event,
            [Attr.TaskName]: event.name,
            [Attr.InstanceId]: this.instanceId,
            [Attr.EventTargetInstanceId]: event.instanceId,
          },
        };
      default:
        return undefined;
    }
  }

  /** A new event applied to the execution: the span of what it settles, if any. */
  settled(event: HistoryEvent, now: number, carried?: string): SpanRecord | undefined {
    switch (event.type) {
      case 'TaskCompleted':
      case 'TaskFailed':
      case 'SubOrchestrationInstanceCompleted':
      case 'SubOrchestrationInstanceFailed':
        return this.taskSpan(
          event.taskScheduledId,
          now,
          event.type === 'TaskFailed' || event.type === 'SubOrchestrationInstanceFailed'
            ? event.failureDetails.errorMessage
            : undefined,
        );
      case 'TimerFired':
        return this.taskSpan(event.timerId, now, undefined);
      case 'EntityOperationCompleted':
      case 'EntityOperationFailed': {
        const taskId = this.entityCalls.get(event.requestId);
        if (taskId === undefined) return undefined;
        this.entityCalls.delete(event.requestId);
        return this.taskSpan(
          taskId,
          now,
          event.type === 'EntityOperationFailed' ? event.failureDetails.errorMessage : undefined,
        );
      }
      case 'EventRaised':
        return {
          name: spanName(SpanType.Event, event.name),
          kind: SpanKind.CONSUMER,
          parent: this.lifetimeParent(),
          startTime: fromTimestamp(event.timestamp),
          endTime: Math.max(now, fromTimestamp(event.timestamp)),
          links: linkTo(carried),
          attributes: {
            [Attr.Type]: SpanType.Event,
            [Attr.TaskName]: event.name,
            [Attr.InstanceId]: this.instanceId,
          },
        };
      default:
        return undefined;
    }
  }

  private taskSpan(taskId: number, now: number, error: string | undefined): SpanRecord | undefined {
    const task = this.open.get(taskId);
    if (task === undefined) return undefined;
    this.open.delete(taskId);
    const spanId = this.taskSpanId(taskId);
    this.taskSpanIds.delete(taskId);
    if (task.kind === 'activity' || task.kind === 'sub') {
      const key = `${task.kind === 'activity' ? 'a' : 's'}:${task.name}`;
      if (error !== undefined) this.failures.set(key, task.attempt);
      else this.failures.delete(key);
    }
    // Built without spreads: one of these is made for every task an orchestration completes.
    let name: string;
    let kind: SpanKind;
    let attributes: Attributes;
    if (task.kind === 'timer') {
      name = timerSpanName(this.name);
      kind = SpanKind.INTERNAL;
      attributes = {
        [Attr.Type]: SpanType.Timer,
        [Attr.TaskName]: this.name,
        [Attr.InstanceId]: this.instanceId,
        [Attr.TaskId]: taskId,
      };
      if (task.fireAt !== undefined) attributes[Attr.FireAt] = task.fireAt;
    } else if (task.kind === 'entity') {
      name = entitySpanName(task.name, task.operation ?? '');
      kind = SpanKind.CLIENT;
      attributes = {
        [Attr.Type]: SpanType.Entity,
        [Attr.TaskName]: task.name,
        [Attr.InstanceId]: task.entityInstanceId ?? '',
        [Attr.Operation]: task.operation ?? '',
        [Attr.TaskId]: taskId,
      };
    } else {
      const type = task.kind === 'activity' ? SpanType.Activity : SpanType.Orchestration;
      name = spanName(type, task.name);
      kind = SpanKind.CLIENT;
      attributes = {
        [Attr.Type]: type,
        [Attr.TaskName]: task.name,
        [Attr.InstanceId]: task.childInstanceId ?? this.instanceId,
        [Attr.TaskId]: taskId,
        [Attr.Attempt]: task.attempt,
      };
    }
    const span: SpanRecord = {
      name,
      kind,
      parent: this.lifetimeParent(),
      spanId,
      startTime: task.at,
      endTime: Math.max(now, task.at),
      attributes,
    };
    return error === undefined ? span : { ...span, error };
  }

  /** The span of one episode: from `start` to the commit that made it durable. */
  episode(start: number, end: number, events: number, partition: number): SpanRecord {
    return {
      name: episodeSpanName(this.name),
      kind: SpanKind.INTERNAL,
      parent: this.lifetimeParent(),
      startTime: start,
      endTime: end,
      attributes: {
        [Attr.Type]: SpanType.Orchestration,
        [Attr.TaskName]: this.name,
        [Attr.InstanceId]: this.instanceId,
        [Attr.ExecutionId]: this.executionId,
        [Attr.EpisodeEvents]: events,
        [Attr.Partition]: partition,
      },
    };
  }

  /** The execution's whole life, emitted once it ended. */
  ended(status: string, now: number, error: string | undefined): SpanRecord {
    return {
      name: spanName(SpanType.Orchestration, this.name),
      kind: SpanKind.SERVER,
      ...(this.parent !== undefined ? { parent: this.parent } : { traceId: this.lifetime.traceId }),
      spanId: this.lifetime.spanId,
      startTime: this.startedAt,
      endTime: Math.max(now, this.startedAt),
      ...(error !== undefined ? { error } : {}),
      attributes: {
        [Attr.Type]: SpanType.Orchestration,
        [Attr.TaskName]: this.name,
        [Attr.InstanceId]: this.instanceId,
        [Attr.ExecutionId]: this.executionId,
        [Attr.Status]: status,
      },
    };
  }

  private lifetimeParent(): string {
    this.lifetimeTraceParent ??= withSpanId(this.lifetime, this.lifetime.spanId);
    return this.lifetimeTraceParent;
  }

  private lifetimeTraceParent: string | undefined;
}
