import { InvalidArgumentError, type EntityId } from '@durable/core';
import type { SignalEntityOptions } from './entity';
import type { Logger } from './logger';
import type { RetryPolicy } from './retry';
import type { Task, TaskResult } from './task';

/** What an activity sees besides its input. */
export interface ActivityContext {
  readonly instanceId: string;
  readonly taskId: number;
  readonly name: string;
  readonly log: Logger;
  /**
   * Aborted when the orchestration cancels this activity or is terminated. Pass it to `fetch` and
   * the like, or check it between steps; a result returned after it aborted is not applied.
   */
  readonly signal: AbortSignal;
}

export type ActivityFunction<I, O> = (input: I, ctx: ActivityContext) => O | Promise<O>;
export type OrchestratorFunction<I, O> = (ctx: OrchestrationContext, input: I) => Promise<O> | O;

export interface ActivityDefinition<I, O> {
  readonly kind: 'activity';
  readonly name: string;
  readonly fn: ActivityFunction<I, O>;
}

export interface OrchestrationDefinition<I, O> {
  readonly kind: 'orchestration';
  readonly name: string;
  readonly fn: OrchestratorFunction<I, O>;
}

/** Declares an activity; its input and output types flow into `ctx.callActivity(def, input)`. */
export function defineActivity<I = void, O = void>(
  name: string,
  fn: (input: I, ctx: ActivityContext) => O | Promise<O>,
): ActivityDefinition<I, Awaited<O>> {
  checkName(name, 'activity');
  return { kind: 'activity', name, fn: fn as ActivityFunction<I, Awaited<O>> };
}

/** Declares an orchestration; its types flow into clients and `ctx.callSubOrchestrator(def, input)`. */
export function defineOrchestration<I = void, O = void>(
  name: string,
  fn: (ctx: OrchestrationContext, input: I) => Promise<O> | O,
): OrchestrationDefinition<I, Awaited<O>> {
  checkName(name, 'orchestration');
  return { kind: 'orchestration', name, fn: fn as OrchestratorFunction<I, Awaited<O>> };
}

export interface CallOptions {
  readonly retry?: RetryPolicy;
  readonly version?: string;
}

export interface SubOrchestrationOptions extends CallOptions {
  /** Defaults to `<parent id>:<step>` so that it is the same on every replay. */
  readonly instanceId?: string;
}

export interface WaitForEventOptions {
  /** Milliseconds from now, or an absolute time; the task then fails with TimeoutError. */
  readonly timeout?: number | Date;
}

export interface ContinueAsNewOptions {
  /** Deliver events received but not yet consumed to the next execution (default true). */
  readonly preserveUnprocessedEvents?: boolean;
}

/** The API an orchestrator function uses. Everything here is deterministic under replay. */
export interface OrchestrationContext {
  readonly instanceId: string;
  readonly executionId: string;
  readonly name: string;
  /** The version the instance was started with (fixed for its life). */
  readonly version: string | undefined;
  /** Orders this instance's version against `version` (see `compareVersions`): < 0 older, 0 same, > 0 newer. */
  compareVersionTo(version: string | undefined): number;
  readonly parentInstanceId: string | undefined;
  /** The time this episode started, the same on every replay. Use instead of `new Date()`. */
  readonly currentUtcDateTime: Date;
  /** True while code runs again to rebuild state from history. */
  readonly isReplaying: boolean;
  /** Writes only when not replaying. */
  readonly log: Logger;

  callActivity<I, O>(activity: ActivityDefinition<I, O>, input: I, options?: CallOptions): Task<O>;
  callActivity<O = unknown>(name: string, input?: unknown, options?: CallOptions): Task<O>;

  callSubOrchestrator<I, O>(
    orchestration: OrchestrationDefinition<I, O>,
    input: I,
    options?: SubOrchestrationOptions,
  ): Task<O>;
  callSubOrchestrator<O = unknown>(name: string, input?: unknown, options?: SubOrchestrationOptions): Task<O>;

  /** A durable timer: a Date to fire at, or a delay in milliseconds from `currentUtcDateTime`. */
  createTimer(fireAt: Date | number): Task<void>;

  waitForExternalEvent<T = unknown>(name: string, options?: WaitForEventOptions): Task<T>;

  /**
   * Cancels an open activity, timer, sub-orchestration, external event wait, or each open task of a
   * whenAll/whenAny. The task fails at once with TaskCanceledError; the cancellation is recorded in
   * history, a running activity's `signal` aborts, a child orchestration is terminated, and a result
   * that arrives later is dropped. Returns false when the task had already completed. Entity calls
   * and locks cannot be cancelled (InvalidArgumentError).
   */
  cancel(task: Task<unknown>): boolean;

  /** Sends an event to another instance (fire and forget). */
  sendEvent(instanceId: string, name: string, data?: unknown): void;

  whenAll<const T extends readonly Task<unknown>[]>(
    tasks: T,
  ): Task<{ -readonly [K in keyof T]: TaskResult<T[K]> }>;
  /** Resolves to the index of the first task to settle; read it with `tasks[index].result`. */
  whenAny(tasks: readonly Task<unknown>[]): Task<number>;

  /** Ends this execution and starts a fresh one with `input` (and an empty history). */
  continueAsNew(input?: unknown, options?: ContinueAsNewOptions): void;

  setCustomStatus(status: unknown): void;

  /** A UUID that is the same on every replay. */
  newGuid(): string;

  /** Runs an operation on an entity and waits for its result; fails with EntityOperationFailedError. */
  callEntity<O = unknown>(entity: EntityId, operation: string, input?: unknown): Task<O>;

  /** Sends a one-way operation to an entity, optionally to run no earlier than `scheduledTime`. */
  signalEntity(entity: EntityId, operation: string, input?: unknown, options?: SignalEntityOptions): void;

  /**
   * Locks entities for a critical section: other callers' operations on them wait until it ends.
   * Locks are taken in one global order (no deadlocks), and released by `release()` or when the
   * orchestration completes, fails or is terminated. Inside, only the locked entities can be called.
   */
  lockEntities(...entities: EntityId[]): Task<EntityLock>;

  isInCriticalSection(): boolean;
}

/** A critical section held by an orchestration. */
export interface EntityLock {
  /** Ends the critical section: every locked entity is released. */
  release(): void;
}

function checkName(name: unknown, what: string): void {
  if (typeof name !== 'string' || name.trim() === '' || name.length > 256) {
    throw new InvalidArgumentError(`${what} name must be a non-empty string of at most 256 characters`);
  }
}
