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

/**
 * An activity's cancellation, whose AbortController is made only when the activity asks for its
 * signal or is cancelled: making one costs microseconds, and most activities never look.
 */
export class ActivityAbort {
  private controller: AbortController | undefined;
  private early: { reason: unknown } | undefined;

  get signal(): AbortSignal {
    if (this.controller === undefined) {
      this.controller = new AbortController();
      if (this.early !== undefined) this.controller.abort(this.early.reason);
    }
    return this.controller.signal;
  }

  get aborted(): boolean {
    return this.early !== undefined || this.controller?.signal.aborted === true;
  }

  abort(reason: unknown): void {
    if (this.controller !== undefined) this.controller.abort(reason);
    else this.early ??= { reason };
  }
}

/** Runs one activity and captures its output or failure; never throws. */
export async function executeActivity(
  registry: Registry,
  request: ActivityRequest,
  logger: Logger = silentLogger,
  /** Aborted when the activity is cancelled (see ActivityContext.signal). */
  abort: ActivityAbort = new ActivityAbort(),
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
      get signal() {
        return abort.signal;
      },
    });
    const result = serializePayload(output);
    return result === undefined ? { ok: true } : { ok: true, result };
  } catch (error) {
    return { ok: false, failureDetails: failureDetailsFromError(error) };
  }
}
