import { RuntimeStatus, type FailureDetails } from '@durable/core';
import type { InstanceStatus } from '@durable/runtime';
import { historyEventsJson, type HistoryEventJson } from './history-json';
import { jsonValue } from './json-value';

/** An instance as `GET /instances/{instanceId}` and `GET /instances` show it. */
export interface StatusBody {
  readonly name: string;
  readonly instanceId: string;
  readonly runtimeStatus: RuntimeStatus;
  readonly input: unknown;
  readonly customStatus: unknown;
  readonly output: unknown;
  readonly createdTime: string;
  readonly lastUpdatedTime: string;
  readonly historyEvents?: readonly HistoryEventJson[];
  readonly failureDetails?: FailureDetails;
  readonly version?: string;
  readonly tags?: Readonly<Record<string, string>>;
  readonly parentInstanceId?: string;
  readonly completedTime?: string;
}

export interface StatusBodyOptions {
  readonly showInput: boolean;
  readonly showHistory: boolean;
  readonly showHistoryOutput: boolean;
}

export function statusBody(status: InstanceStatus, options: StatusBodyOptions): StatusBody {
  return {
    name: status.name,
    instanceId: status.instanceId,
    runtimeStatus: status.runtimeStatus,
    input: options.showInput ? jsonValue(status.input) : null,
    customStatus: jsonValue(status.customStatus),
    output: jsonValue(status.output),
    createdTime: status.createdAt,
    lastUpdatedTime: status.lastUpdatedAt,
    ...(options.showHistory
      ? { historyEvents: historyEventsJson(status.history ?? [], options.showHistoryOutput) }
      : {}),
    ...(status.failureDetails !== undefined ? { failureDetails: status.failureDetails } : {}),
    ...(status.version !== undefined ? { version: status.version } : {}),
    ...(status.tags !== undefined ? { tags: status.tags } : {}),
    ...(status.parentInstanceId !== undefined ? { parentInstanceId: status.parentInstanceId } : {}),
    ...(status.completedAt !== undefined ? { completedTime: status.completedAt } : {}),
  };
}

/**
 * The HTTP status Durable Functions documents for a status query: 200 once completed, 202 while the
 * instance can still make progress (poll again), 400 when it failed or was terminated, and 500 for a
 * failure when the caller asked for `returnInternalServerErrorOnFailure`.
 */
export function statusHttpCode(
  runtimeStatus: RuntimeStatus,
  returnInternalServerErrorOnFailure: boolean,
): number {
  switch (runtimeStatus) {
    case RuntimeStatus.Completed:
      return 200;
    case RuntimeStatus.Pending:
    case RuntimeStatus.Running:
    case RuntimeStatus.Suspended:
    case RuntimeStatus.ContinuedAsNew:
      return 202;
    case RuntimeStatus.Failed:
      return returnInternalServerErrorOnFailure ? 500 : 400;
    case RuntimeStatus.Terminated:
    case RuntimeStatus.Canceled:
      return 400;
  }
}
