import { InvalidArgumentError, toHistoryEvent, type HistoryEvent } from '@durable/core';
import { partitionOf, Stream } from '@durable/log';
import type { OutboxMessage } from '@durable/storage';
import type { ResetRequest } from './reset';

/** A message to an orchestration instance, on its partition of the orchestrations stream. */
export interface InstanceMessage {
  readonly instanceId: string;
  /** Set on results of work an execution scheduled; results for another execution are dropped. */
  readonly executionId?: string;
  readonly event: HistoryEvent;
  /** Set on events sent by another instance, so a resent copy is recognised. */
  readonly source?: { readonly instanceId: string; readonly executionId: string; readonly seq: number };
  /** Re-runs the failed steps of a failed instance (no history event of its own). */
  readonly rewind?: true;
  /** Re-runs a finished execution from a point of its history (its reset event is recorded). */
  readonly reset?: ResetRequest;
  /** Runs a parked episode again (no history event of its own). */
  readonly wake?: true;
  /**
   * Starts the pending start that the instance's document holds, if it still holds it for this
   * execution (no history event of its own): what a recovery or a due scheduled start sends, so that
   * a start that already ran, or an instance purged since, is left as it is.
   */
  readonly startPending?: true;
  /**
   * On a start from a client: the etag of the Pending instance document the client created for it
   * (no history yet). Its partition owner takes the document from this message instead of reading it.
   */
  readonly created?: string;
  /** On a lock grant: the entities locked, so that an orchestration that has ended can release them. */
  readonly lockSet?: readonly string[];
  /**
   * The sender's span (W3C traceparent): on a raised event, linked from the receiver's span; on an
   * entity operation, the parent of its run.
   */
  readonly traceParent?: string;
}

/** An activity to run, on the activities stream. */
export interface ActivityWorkItem {
  readonly instanceId: string;
  readonly executionId: string;
  readonly taskId: number;
  readonly name: string;
  readonly version?: string;
  readonly input?: string;
  /** The activity's client span (W3C traceparent): its run is a child of it. */
  readonly traceParent?: string;
  /** Epoch ms the orchestration scheduled it (for the queue-wait metric). */
  readonly scheduledAt?: number;
}

/**
 * Tells activity workers to abort running activities of an execution: the one of `taskId`, or all
 * of them (the instance was terminated). It travels on the activities stream, on the partition of
 * the work items it is about, so it is read after them and by the worker that runs them.
 */
export interface ActivityCancellation {
  readonly cancel: true;
  readonly instanceId: string;
  readonly executionId: string;
  readonly taskId?: number;
}

export function instanceMessage(message: InstanceMessage, partitions: number): OutboxMessage {
  return {
    stream: Stream.Orchestrations,
    partition: partitionOf(message.instanceId, partitions),
    key: message.instanceId,
    value: JSON.stringify(message),
  };
}

export function activityMessage(item: ActivityWorkItem, partitions: number): OutboxMessage {
  return {
    stream: Stream.Activities,
    partition: partitionOf(item.instanceId, partitions),
    key: item.instanceId,
    value: JSON.stringify(item),
  };
}

export function activityCancellationMessage(
  cancellation: Omit<ActivityCancellation, 'cancel'>,
  partitions: number,
): OutboxMessage {
  return {
    stream: Stream.Activities,
    partition: partitionOf(cancellation.instanceId, partitions),
    key: cancellation.instanceId,
    value: JSON.stringify({ cancel: true, ...cancellation } satisfies ActivityCancellation),
  };
}

export function parseInstanceMessage(value: string): InstanceMessage {
  const raw = JSON.parse(value) as Record<string, unknown>;
  if (typeof raw['instanceId'] !== 'string')
    throw new InvalidArgumentError('instance message without instanceId');
  return { ...(raw as unknown as InstanceMessage), event: toHistoryEvent(raw['event'], 'message event') };
}

export function parseActivityWorkItem(value: string): ActivityWorkItem {
  const raw = JSON.parse(value) as Record<string, unknown>;
  if (
    typeof raw['instanceId'] !== 'string' ||
    typeof raw['name'] !== 'string' ||
    typeof raw['taskId'] !== 'number'
  ) {
    throw new InvalidArgumentError('malformed activity work item');
  }
  return raw as unknown as ActivityWorkItem;
}

/** A record of the activities stream: work to run, or a cancellation of running work. */
export function parseActivityRecord(value: string): ActivityWorkItem | ActivityCancellation {
  const raw = JSON.parse(value) as Record<string, unknown>;
  if (raw['cancel'] !== true) return parseActivityWorkItem(value);
  if (
    typeof raw['instanceId'] !== 'string' ||
    typeof raw['executionId'] !== 'string' ||
    (raw['taskId'] !== undefined && typeof raw['taskId'] !== 'number')
  ) {
    throw new InvalidArgumentError('malformed activity cancellation');
  }
  return raw as unknown as ActivityCancellation;
}
