// Which requests an entity runs now and which wait: the order and locking rules of durable entities,
// kept apart from storage and user code so that they can be tested on their own.

/** An operation to run: a signal (no caller) or a call (the result goes to `caller`). */
export interface OperationRequest {
  readonly kind: 'operation';
  readonly requestId: string;
  readonly operation: string;
  readonly input?: string;
  readonly caller?: { readonly instanceId: string; readonly executionId: string };
  /** The instance a signal came from, when it came from one. */
  readonly sender?: string;
  /** The caller's span (W3C traceparent), kept while the request waits: the parent of its run. */
  readonly traceParent?: string;
}

/** A critical section asks this entity, at `position` of `lockSet`, for its lock. */
export interface LockRequest {
  readonly kind: 'lock';
  readonly criticalSectionId: string;
  readonly lockSet: readonly string[];
  readonly position: number;
  readonly parentInstanceId: string;
  readonly parentExecutionId?: string;
}

export interface UnlockRequest {
  readonly kind: 'unlock';
  readonly criticalSectionId: string;
  readonly parentInstanceId: string;
}

export type EntityRequest = OperationRequest | LockRequest | UnlockRequest;

/** What to do, in order: run an operation, pass a lock request on, or tell the section it holds every lock. */
export type EntityStep =
  | { readonly type: 'run'; readonly request: OperationRequest }
  | { readonly type: 'forward'; readonly lock: LockRequest }
  | { readonly type: 'grant'; readonly lock: LockRequest };

export interface LockState {
  readonly lockedBy: LockRequest | undefined;
  /** Requests that arrived while another section held the lock, in arrival order. */
  readonly queue: readonly EntityRequest[];
}

/**
 * Applies incoming requests in order. Unlocked, everything runs in arrival order. Locked, only
 * calls from the orchestration holding the lock run; the rest wait in the queue and run, still in
 * arrival order, once the section releases the lock (a queued lock request takes it next).
 */
export function scheduleRequests(
  current: LockState,
  incoming: readonly EntityRequest[],
): LockState & { steps: EntityStep[] } {
  let lockedBy = current.lockedBy;
  const queue = [...current.queue];
  const steps: EntityStep[] = [];

  const apply = (request: OperationRequest | LockRequest): void => {
    if (request.kind === 'operation') {
      steps.push({ type: 'run', request });
      return;
    }
    lockedBy = request;
    const last = request.position + 1 >= request.lockSet.length;
    steps.push({ type: last ? 'grant' : 'forward', lock: request });
  };

  const fromHolder = (request: EntityRequest): boolean =>
    request.kind === 'operation' &&
    lockedBy !== undefined &&
    (request.caller?.instanceId ?? request.sender) === lockedBy.parentInstanceId;

  for (const request of incoming) {
    if (request.kind === 'unlock') {
      if (lockedBy?.criticalSectionId !== request.criticalSectionId) continue; // stale or repeated
      lockedBy = undefined;
      // In arrival order: everything runs until a lock request takes the lock; after that only
      // the new holder's operations (sent while its lock was on its way) run, the rest waits.
      const waiting = queue.splice(0);
      for (const next of waiting) {
        if (next.kind === 'unlock') continue;
        if (lockedBy === undefined || fromHolder(next)) apply(next);
        else queue.push(next);
      }
      continue;
    }
    if (request.kind === 'lock' && lockedBy?.criticalSectionId === request.criticalSectionId) continue;
    if (
      request.kind === 'lock' &&
      queue.some((q) => q.kind === 'lock' && q.criticalSectionId === request.criticalSectionId)
    )
      continue;
    if (lockedBy !== undefined && !fromHolder(request)) queue.push(request);
    else apply(request);
  }
  return { lockedBy, queue, steps };
}
