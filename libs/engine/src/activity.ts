import {
  ActivityNotRegisteredError,
  failureDetailsFromError,
  parsePayload,
  serializePayload,
  type FailureDetails,
} from '@durable/core';
import { silentLogger, type Logger } from './logger';
import type { Registry } from './registry';

export interface ActivityRequest {
  readonly name: string;
  readonly input?: string;
  readonly instanceId: string;
  readonly taskId: number;
  /** The activity's client span (W3C traceparent), for a remote worker's span to join. */
  readonly traceParent?: string;
}

export type ActivityOutcome =
  | { readonly ok: true; readonly result?: string }
  | { readonly ok: false; readonly failureDetails: FailureDetails };

/** Runs one activity and captures its output or failure; never throws. */
export async function executeActivity(
  registry: Registry,
  request: ActivityRequest,
  logger: Logger = silentLogger,
  /** Aborted when the activity is cancelled (see ActivityContext.signal). */
  signal: AbortSignal = new AbortController().signal,
): Promise<ActivityOutcome> {
  const fn = registry.getActivity(request.name);
  if (fn === undefined) {
    return {
      ok: false,
      failureDetails: {
        ...failureDetailsFromError(new ActivityNotRegisteredError(request.name)),
        isNonRetriable: true,
      },
    };
  }
  try {
    const output = await fn(parsePayload(request.input), {
      instanceId: request.instanceId,
      taskId: request.taskId,
      name: request.name,
      log: logger,
      signal,
    });
    const result = serializePayload(output);
    return result === undefined ? { ok: true } : { ok: true, result };
  } catch (error) {
    return { ok: false, failureDetails: failureDetailsFromError(error) };
  }
}
