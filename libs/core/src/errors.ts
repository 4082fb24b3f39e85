import type { FailureDetails } from './failure';

/**
 * Base of every error Durable raises. `name` is stable (safe to match on across versions and
 * processes) and `retriable` says whether trying the same thing again can succeed.
 */
export abstract class DurableError extends Error {
  abstract override readonly name: string;
  abstract readonly retriable: boolean;

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** Input that can never be accepted: a malformed id, payload or request. */
export class InvalidArgumentError extends DurableError {
  override readonly name = 'InvalidArgumentError';
  readonly retriable = false;
}

/** A payload larger than the configured limit. */
export class PayloadTooLargeError extends DurableError {
  override readonly name = 'PayloadTooLargeError';
  readonly retriable = false;
  constructor(
    readonly size: number,
    readonly limit: number,
  ) {
    super(`payload of ${size} bytes exceeds the limit of ${limit} bytes`);
  }
}

export class InstanceNotFoundError extends DurableError {
  override readonly name = 'InstanceNotFoundError';
  readonly retriable = false;
  constructor(readonly instanceId: string) {
    super(`no orchestration instance with id '${instanceId}'`);
  }
}

export class InstanceAlreadyExistsError extends DurableError {
  override readonly name = 'InstanceAlreadyExistsError';
  readonly retriable = false;
  constructor(readonly instanceId: string) {
    super(`an orchestration instance with id '${instanceId}' already exists`);
  }
}

/** An operation that needs a running instance was sent to a finished one. */
export class InstanceFinishedError extends DurableError {
  override readonly name = 'InstanceFinishedError';
  readonly retriable = false;
  constructor(
    readonly instanceId: string,
    readonly status: string,
  ) {
    super(`orchestration instance '${instanceId}' has already finished (${status})`);
  }
}

export class OrchestratorNotRegisteredError extends DurableError {
  override readonly name = 'OrchestratorNotRegisteredError';
  readonly retriable = false;
  constructor(readonly orchestratorName: string) {
    super(`no orchestrator named '${orchestratorName}' is registered`);
  }
}

export class ActivityNotRegisteredError extends DurableError {
  override readonly name = 'ActivityNotRegisteredError';
  readonly retriable = false;
  constructor(readonly activityName: string) {
    super(`no activity named '${activityName}' is registered`);
  }
}

/** Orchestrator code and recorded history disagree; replaying further would silently diverge. */
export class NonDeterminismError extends DurableError {
  override readonly name = 'NonDeterminismError';
  readonly retriable = false;
  constructor(
    readonly expected: string,
    readonly actual: string,
  ) {
    super(`non-deterministic orchestrator: history expects ${expected}, but the code did ${actual}`);
  }
}

/** A scheduled activity or sub-orchestration failed; `details` carries the remote failure. */
export class TaskFailedError extends DurableError {
  override readonly name: string = 'TaskFailedError';
  constructor(
    message: string,
    readonly taskId: number,
    readonly taskName: string,
    readonly details: FailureDetails,
  ) {
    super(message);
  }

  /** Retriable unless the remote failure said otherwise. */
  get retriable(): boolean {
    return this.details.isNonRetriable !== true;
  }
}

export class ActivityFailedError extends TaskFailedError {
  override readonly name = 'ActivityFailedError';
  constructor(taskId: number, activityName: string, details: FailureDetails) {
    super(
      `activity '${activityName}' (task ${taskId}) failed: ${details.errorMessage}`,
      taskId,
      activityName,
      details,
    );
  }
}

export class SubOrchestrationFailedError extends TaskFailedError {
  override readonly name = 'SubOrchestrationFailedError';
  constructor(taskId: number, orchestratorName: string, details: FailureDetails) {
    super(
      `sub-orchestration '${orchestratorName}' (task ${taskId}) failed: ${details.errorMessage}`,
      taskId,
      orchestratorName,
      details,
    );
  }
}

/** An entity operation called from an orchestration failed; the entity's state change was rolled back. */
export class EntityOperationFailedError extends TaskFailedError {
  override readonly name = 'EntityOperationFailedError';
  constructor(taskId: number, entityInstanceId: string, operation: string, details: FailureDetails) {
    super(
      `operation '${operation}' on entity '${entityInstanceId}' failed: ${details.errorMessage}`,
      taskId,
      `${entityInstanceId}:${operation}`,
      details,
    );
  }
}

/**
 * The orchestration cancelled this task (`ctx.cancel`): the awaiting code sees this error, and a
 * result that arrives later is dropped. Terminal: retry policies never retry a cancelled task.
 */
export class TaskCanceledError extends DurableError {
  override readonly name = 'TaskCanceledError';
  readonly retriable = false;
  constructor(
    readonly taskId: number,
    readonly taskName: string,
  ) {
    super(`task '${taskName}'${taskId >= 0 ? ` (task ${taskId})` : ''} was cancelled`);
  }
}

/** No entity of this name is registered. */
export class EntityNotRegisteredError extends DurableError {
  override readonly name = 'EntityNotRegisteredError';
  readonly retriable = false;
  constructor(readonly entityName: string) {
    super(`no entity named '${entityName}' is registered`);
  }
}

/** The entity has no operation of this name. */
export class EntityOperationNotFoundError extends DurableError {
  override readonly name = 'EntityOperationNotFoundError';
  readonly retriable = false;
  constructor(
    readonly entityName: string,
    readonly operation: string,
  ) {
    super(`entity '${entityName}' has no operation named '${operation}'`);
  }
}

/** A wait (an external event, a completion) ran past its timeout. */
export class TimeoutError extends DurableError {
  override readonly name = 'TimeoutError';
  readonly retriable = true;
}

/** A conditional write lost a race (ETag, version or epoch mismatch). */
export class ConflictError extends DurableError {
  override readonly name = 'ConflictError';
  readonly retriable = true;
}

/** This process no longer owns the partition it tried to write; it must stop, not retry. */
export class OwnershipLostError extends DurableError {
  override readonly name = 'OwnershipLostError';
  readonly retriable = false;
}

/** A dependency is briefly unavailable or throttling (Cosmos 429/503, Kafka leader moves). */
export class UnavailableError extends DurableError {
  override readonly name = 'UnavailableError';
  readonly retriable = true;
  constructor(
    message: string,
    readonly retryAfterMs?: number,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/**
 * No connected remote worker can run this work now (none serves the name, or the one that took it
 * did not answer in time). The host parks the instance and runs it again later.
 */
export class WorkerUnavailableError extends DurableError {
  override readonly name = 'WorkerUnavailableError';
  readonly retriable = true;
}

/** True only for errors that declare themselves retriable. */
export function isRetriable(error: unknown): boolean {
  return error instanceof DurableError && error.retriable;
}
