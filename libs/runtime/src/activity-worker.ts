import {
  failureDetailsFromError,
  isRetriable,
  newEvent,
  TaskCanceledError,
  toTimestamp,
  type Clock,
} from '@durable/core';
import {
  ActivityAbort,
  executeActivity,
  type ActivityRunner,
  type Logger,
  type Registry,
} from '@durable/engine';
import { Stream, type LogRecord, type Membership, type PartitionedLog } from '@durable/log';
import {
  Attr,
  durableMetrics,
  endSpan,
  MetricAttr,
  SpanKind,
  spanName,
  SpanType,
  startSpan,
  tracingEnabled,
  withSpan,
} from '@durable/telemetry';
import { FaultPoint, type FaultHook } from './faults';
import {
  instanceMessage,
  parseActivityRecord,
  type ActivityCancellation,
  type ActivityWorkItem,
} from './messages';

/** Batches read ahead of the last committed offset, per partition. */
const maxBatchesInFlight = 4;

export interface ActivityWorkerDeps {
  readonly log: PartitionedLog;
  readonly registry: Registry;
  readonly clock: Clock;
  readonly logger: Logger;
  /** Consumer group of the activity workers. */
  readonly group: string;
  /** Activities running at once in this worker (default 100). */
  readonly concurrency?: number;
  readonly faults?: FaultHook;
  /** Runs a work item (default: the registry's activity, in process); remote workers plug in here. */
  readonly runActivity?: ActivityRunner;
}

/**
 * Runs activities from the activities stream and sends each result to its instance's partition.
 * An activity runs at least once; the offset is committed only after every result of a batch was
 * sent, and the orchestration side applies a result once.
 */
export class ActivityWorker {
  private membership: Membership | undefined;
  private readonly loops = new Map<number, { stop: AbortController; done: Promise<void> }>();
  private running = 0;
  private readonly slotWaiters: Array<() => void> = [];
  /** Work items read and not yet finished, per execution, by task id: what a cancellation aborts. */
  private readonly inFlight = new Map<string, Map<number, ActivityAbort>>();

  constructor(private readonly deps: ActivityWorkerDeps) {}

  async start(): Promise<void> {
    this.membership = await this.deps.log.join(this.deps.group, Stream.Activities, {
      assigned: (partitions) => {
        for (const { partition } of partitions) {
          const stop = new AbortController();
          this.loops.set(partition, { stop, done: this.consume(partition, stop.signal) });
        }
      },
      revoked: async (partitions) => {
        await Promise.all(
          partitions.map(async (partition) => {
            const loop = this.loops.get(partition);
            this.loops.delete(partition);
            loop?.stop.abort();
            await loop?.done;
          }),
        );
      },
    });
  }

  async stop(): Promise<void> {
    await this.membership?.leave();
    this.membership = undefined;
  }

  /**
   * Reads ahead while earlier batches still run; offsets are committed in order, each once every
   * batch before it is done. After a failure, reading resumes from the last committed offset.
   */
  private async consume(partition: number, signal: AbortSignal): Promise<void> {
    const { log, group } = this.deps;
    let offset = await log.committedOffset(group, Stream.Activities, partition);
    let committed: Promise<void> = Promise.resolve();
    let failed = false;
    const batches: Array<Promise<void>> = [];
    while (!signal.aborted) {
      if (failed || batches.length >= maxBatchesInFlight) {
        await batches.shift()?.catch(() => undefined);
        if (failed) {
          await Promise.allSettled(batches.splice(0));
          offset = await log.committedOffset(group, Stream.Activities, partition);
          committed = Promise.resolve();
          failed = false;
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
        continue;
      }
      let records: LogRecord[];
      try {
        records = await log.read(Stream.Activities, partition, offset, {
          maxRecords: 200,
          waitMs: 1000,
          signal,
        });
      } catch (error) {
        if (signal.aborted) break;
        this.deps.logger.warn('reading activities failed; retrying', { partition, error: String(error) });
        await new Promise((resolve) => setTimeout(resolve, 100));
        continue;
      }
      if (records.length === 0 || signal.aborted) continue;
      const next = (records[records.length - 1] as LogRecord).offset + 1;
      offset = next;
      const work = Promise.all(records.map((record) => this.runOne(record, partition)));
      const previous = committed;
      committed = (async () => {
        await work;
        await previous;
        await this.deps.faults?.(FaultPoint.AfterActivityResultSend, { partition });
        await log.commitOffset(group, Stream.Activities, partition, next);
      })();
      const batch = committed.catch((error: unknown) => {
        if (!failed)
          this.deps.logger.error('activity batch failed; it will run again', {
            partition,
            error: String(error),
          });
        failed = true;
      });
      batches.push(batch);
    }
    await Promise.allSettled(batches);
  }

  private async runOne(record: LogRecord, partition: number): Promise<void> {
    let parsed: ActivityWorkItem | ActivityCancellation;
    try {
      parsed = parseActivityRecord(record.value);
    } catch (error) {
      this.deps.logger.warn('dropping a malformed work item', {
        partition,
        offset: record.offset,
        error: String(error),
      });
      return;
    }
    if ('cancel' in parsed) {
      this.cancel(parsed);
      return;
    }
    const item = parsed;
    // Registered before waiting for a slot, so a cancellation read meanwhile is not missed.
    const abort = this.track(item);
    try {
      await this.acquireSlot();
      // Cancelled while it waited: its result would be dropped, so it does not run.
      if (abort.aborted) {
        this.releaseSlot();
        return;
      }
      await this.runItem(item, partition, abort);
    } finally {
      this.untrack(item, abort);
    }
  }

  private async runItem(item: ActivityWorkItem, partition: number, abort: ActivityAbort): Promise<void> {
    const startedAt = this.deps.clock.now();
    const metrics = durableMetrics();
    if (item.scheduledAt !== undefined)
      metrics.activityQueueWait.record(Math.max(0, startedAt - item.scheduledAt));
    // Activities that run here get a span the user's own spans nest under; a remote (SDK) worker
    // makes its own, as a child of the client span the work item carries.
    const span =
      tracingEnabled() &&
      item.traceParent !== undefined &&
      this.deps.registry.getActivity(item.name) !== undefined
        ? startSpan({
            name: spanName(SpanType.Activity, item.name, item.version),
            kind: SpanKind.SERVER,
            parent: item.traceParent,
            startTime: startedAt,
            attributes: {
              [Attr.Type]: SpanType.Activity,
              [Attr.TaskName]: item.name,
              [Attr.InstanceId]: item.instanceId,
              [Attr.TaskId]: item.taskId,
              ...(item.version !== undefined ? { [Attr.TaskVersion]: item.version } : {}),
            },
          })
        : undefined;
    let outcome;
    try {
      const run = () =>
        this.deps.runActivity?.(item) ?? executeActivity(this.deps.registry, item, this.deps.logger, abort);
      outcome = await (span !== undefined ? withSpan(span, run) : run());
    } catch (error) {
      // A runner that could not get an answer (a remote worker went away) gives the item back.
      if (span !== undefined) endSpan(span, { error: String(error) });
      if (this.deps.runActivity !== undefined && isRetriable(error)) throw error;
      outcome = { ok: false as const, failureDetails: failureDetailsFromError(error) };
    } finally {
      this.releaseSlot();
    }
    const finishedAt = this.deps.clock.now();
    const outcomeName = outcome.ok ? 'completed' : 'failed';
    metrics.activityDuration.record(finishedAt - startedAt, {
      [MetricAttr.Name]: item.name,
      [MetricAttr.Outcome]: outcomeName,
    });
    metrics.activitiesCompleted.add(1, { [MetricAttr.Name]: item.name, [MetricAttr.Outcome]: outcomeName });
    if (span !== undefined && span.isRecording())
      endSpan(span, {
        endTime: finishedAt,
        ...(outcome.ok ? {} : { error: outcome.failureDetails.errorMessage }),
      });
    await this.deps.faults?.(FaultPoint.AfterActivityRun, { partition });
    // A cancelled activity's result is still sent: the orchestration no longer awaits it and drops it.
    const stamp = toTimestamp(this.deps.clock.now());
    const event = outcome.ok
      ? newEvent('TaskCompleted', stamp, {
          taskScheduledId: item.taskId,
          ...(outcome.result !== undefined ? { result: outcome.result } : {}),
        })
      : newEvent('TaskFailed', stamp, {
          taskScheduledId: item.taskId,
          failureDetails: outcome.failureDetails,
        });
    const partitions = this.deps.log.partitionCount(Stream.Orchestrations);
    await this.deps.log.append([
      instanceMessage({ instanceId: item.instanceId, executionId: item.executionId, event }, partitions),
    ]);
  }

  private track(item: ActivityWorkItem): ActivityAbort {
    const key = executionKey(item);
    const tasks = this.inFlight.get(key) ?? new Map<number, ActivityAbort>();
    this.inFlight.set(key, tasks);
    // A redelivered copy of an item still running shares its controller.
    const abort = tasks.get(item.taskId) ?? new ActivityAbort();
    tasks.set(item.taskId, abort);
    return abort;
  }

  private untrack(item: ActivityWorkItem, abort: ActivityAbort): void {
    const key = executionKey(item);
    const tasks = this.inFlight.get(key);
    if (tasks?.get(item.taskId) !== abort) return;
    tasks.delete(item.taskId);
    if (tasks.size === 0) this.inFlight.delete(key);
  }

  private cancel(cancellation: ActivityCancellation): void {
    const tasks = this.inFlight.get(executionKey(cancellation));
    if (tasks === undefined) return;
    const reason = new TaskCanceledError(cancellation.taskId ?? -1, 'activity');
    for (const [taskId, abort] of tasks) {
      if (cancellation.taskId === undefined || cancellation.taskId === taskId) abort.abort(reason);
    }
  }

  private async acquireSlot(): Promise<void> {
    const limit = this.deps.concurrency ?? 100;
    while (this.running >= limit) await new Promise<void>((resolve) => this.slotWaiters.push(resolve));
    this.running++;
  }

  private releaseSlot(): void {
    this.running--;
    this.slotWaiters.shift()?.();
  }
}

function executionKey(item: { readonly instanceId: string; readonly executionId: string }): string {
  return `${item.instanceId}\n${item.executionId}`;
}
