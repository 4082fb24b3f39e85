import {
  ActivityFailedError,
  EntityOperationFailedError,
  entityInstanceId,
  failureDetailsFromError,
  fromTimestamp,
  InvalidArgumentError,
  NonDeterminismError,
  OrchestratorNotRegisteredError,
  parsePayload,
  serializePayload,
  SubOrchestrationFailedError,
  TaskCanceledError,
  TaskFailedError,
  TimeoutError,
  toTimestamp,
  validateInstanceId,
  WorkerUnavailableError,
  type CancelableTaskKind,
  type CompleteOrchestrationAction,
  type CompletionStatus,
  type EntityId,
  type EventRaisedEvent,
  type ExecutionStartedEvent,
  type FailureDetails,
  type HistoryEvent,
  type OrchestratorAction,
} from '@durable/core';
import type {
  ActivityDefinition,
  CallOptions,
  ContinueAsNewOptions,
  EntityLock,
  OrchestrationContext,
  OrchestrationDefinition,
  SubOrchestrationOptions,
  WaitForEventOptions,
} from './definitions';
import { checkOperationName, scheduledTimestamp, type SignalEntityOptions } from './entity';
import type { EpisodeExecutor } from './executor-port';
import { uuidV5 } from './guid';
import { replaySafeLogger, silentLogger, type Logger } from './logger';
import type { Registry } from './registry';
import {
  compareVersions,
  VersionFailureStrategy,
  versionMismatch,
  type VersioningOptions,
} from './versioning';
import { nextRetryDelay, validateRetryPolicy, type RetryPolicy } from './retry';
import { Task, whenAll, whenAny } from './task';

/** What one episode of an orchestrator produced. */
export interface ExecutionResult {
  /** New actions, in the order the orchestrator took them; a CompleteOrchestration comes last. */
  readonly actions: readonly OrchestratorAction[];
  /** The custom status as JSON text, if the orchestrator set one. */
  readonly customStatus: string | undefined;
  /** The completion action when this episode ended the execution. */
  readonly completion: CompleteOrchestrationAction | undefined;
  /**
   * The external events awaited after this episode (see `OrchestrationSession.awaitedEvents`);
   * undefined when the executor cannot tell (a remote worker runs the code).
   */
  readonly awaitedEvents?: readonly AwaitedEvent[];
}

export interface ExecutorOptions {
  readonly logger?: Logger;
  /** Which instance versions this worker runs (default: all), and sub-orchestrations' default version. */
  readonly versioning?: VersioningOptions;
}

/**
 * Runs orchestrator code against history: "history in, actions out". Stateless use replays the
 * whole history each time; a host that keeps a session between episodes pays only for new events.
 */
export class OrchestrationExecutor implements EpisodeExecutor {
  constructor(
    readonly registry: Registry,
    private readonly options: ExecutorOptions = {},
  ) {}

  /** Replays `pastEvents`, applies `newEvents`, and returns the new actions. */
  execute(pastEvents: readonly HistoryEvent[], newEvents: readonly HistoryEvent[]): Promise<ExecutionResult> {
    return this.createSession().execute(pastEvents, newEvents);
  }

  /** A session keeps the orchestrator's in-memory state between episodes of one execution. */
  createSession(): OrchestrationSession {
    return new OrchestrationSession(
      this.registry,
      this.options.logger ?? silentLogger,
      this.options.versioning,
    );
  }
}

type OpenTaskKind = 'activity' | 'subOrchestration' | 'timer' | 'entity' | 'lock';

interface OpenTask {
  readonly kind: OpenTaskKind;
  readonly name: string;
  readonly task: Task<unknown>;
  /** For a sub-orchestration: the child's instance id. */
  readonly instanceId?: string;
}

interface EventWaiter {
  readonly task: Task<unknown>;
  /** The name as the orchestrator spelled it (matching ignores case). */
  readonly name: string;
  /** Orchestration time when the wait began. */
  readonly sinceMs: number;
  active: boolean;
}

/** An external event the orchestrator is waiting for now. */
export interface AwaitedEvent {
  readonly name: string;
  /** ISO-8601 UTC: the orchestration time of the episode that began the wait. */
  readonly since: string;
}

interface Completion {
  readonly id: number;
  readonly status: CompletionStatus;
  readonly result?: string;
  readonly failureDetails?: FailureDetails;
  /** Defined when unprocessed events are carried into the next execution. */
  readonly carryover?: EventRaisedEvent[];
}

/** Events that record a step the orchestrator took; on replay they must match what the code does. */
const actionRecordTypes = new Set<HistoryEvent['type']>([
  'TaskScheduled',
  'TimerCreated',
  'SubOrchestrationInstanceCreated',
  'EventSent',
  'EntityOperationSignaled',
  'EntityOperationCalled',
  'EntityLockRequested',
  'EntityUnlockSent',
  'TaskCanceled',
]);

/** Events held back while an instance is suspended. */
const suspendableTypes = new Set<HistoryEvent['type']>([
  'TaskCompleted',
  'TaskFailed',
  'TimerFired',
  'SubOrchestrationInstanceCompleted',
  'SubOrchestrationInstanceFailed',
  'EventRaised',
  'EntityOperationCompleted',
  'EntityOperationFailed',
  'EntityLockGranted',
]);

/**
 * The in-memory state of one execution of one orchestration. Contract with the host: once
 * `execute` returns, its actions count as recorded in history; pass only events that are new to
 * this session on the next call. If the host cannot commit, it drops the session and replays.
 */
export class OrchestrationSession {
  private readonly ctx: SessionContext;
  private sequence = 0;
  private readonly pending = new Map<number, OrchestratorAction>();
  private readonly open = new Map<number, OpenTask>();
  /** Open entity calls and lock requests: request (or critical section) id to step. */
  private readonly entityRequests = new Map<string, number>();
  /** @internal The entities locked by the critical section this orchestration is in. */
  criticalSection: { readonly id: string; readonly entities: readonly string[] } | undefined;
  /** @internal True from a lock request until its grant. */
  lockPending = false;
  private readonly waiters = new Map<string, EventWaiter[]>();
  private readonly buffered = new Map<string, Array<{ event: EventRaisedEvent; order: number }>>();
  private bufferedCount = 0;
  private suspendedEvents: HistoryEvent[] | undefined;
  private completion: Completion | undefined;
  private completionEmitted = false;
  private customStatus: string | undefined;
  private started = false;
  /** Terminated or found non-deterministic: later events change nothing. */
  private halted = false;
  private woke = false;
  private readonly wake = (): void => {
    this.woke = true;
  };

  /** @internal */ replaying = false;
  /** @internal */ currentTimeMs = 0;
  /** @internal */ startEvent: ExecutionStartedEvent | undefined;

  constructor(
    private readonly registry: Registry,
    /** @internal */ readonly logger: Logger,
    /** @internal */ readonly versioning?: VersioningOptions,
  ) {
    this.ctx = new SessionContext(this);
  }

  get isCompleted(): boolean {
    return this.completion !== undefined;
  }

  /**
   * The external events the orchestrator awaits after the events applied so far, oldest wait
   * first. History records no wait (only its timeout timer), so this is what replay learns.
   */
  awaitedEvents(): readonly AwaitedEvent[] {
    if (this.completion !== undefined) return [];
    return [...this.waiters.values()]
      .flat()
      .filter((waiter) => waiter.active)
      .sort((a, b) => a.sinceMs - b.sinceMs)
      .map((waiter) => ({ name: waiter.name, since: toTimestamp(waiter.sinceMs) }));
  }

  async execute(
    pastEvents: readonly HistoryEvent[],
    newEvents: readonly HistoryEvent[],
  ): Promise<ExecutionResult> {
    if (newEvents.length > 0) this.rejectOtherVersion([...pastEvents, ...newEvents]);
    this.replaying = true;
    for (const event of pastEvents) await this.step(event);
    this.replaying = false;
    for (const event of newEvents) await this.step(event);
    return this.collect();
  }

  private async step(event: HistoryEvent): Promise<void> {
    if (
      this.suspendedEvents !== undefined &&
      suspendableTypes.has(event.type) &&
      this.completion === undefined
    ) {
      this.suspendedEvents.push(event);
      return;
    }
    if (event.type === 'ExecutionResumed') {
      const queued = this.suspendedEvents ?? [];
      this.suspendedEvents = undefined;
      for (const e of queued) await this.step(e);
      return;
    }
    this.woke = false;
    const previousHook = Task.onWake;
    Task.onWake = this.wake;
    try {
      this.apply(event);
    } catch (error) {
      if (!(error instanceof NonDeterminismError)) throw error;
      this.failNonDeterministic(error);
    } finally {
      Task.onWake = previousHook;
    }
    // Settling a task queued the awaiting code as microtasks; let it run to its next await.
    if (this.woke) await drainMicrotasks();
  }

  private apply(event: HistoryEvent): void {
    if (this.completion !== undefined) {
      if (this.halted) return;
      if (event.type === 'EventRaised') this.completion.carryover?.push(event);
      // Steps taken before completing are recorded after it; anything else is a changed orchestrator.
      if (actionRecordTypes.has(event.type)) this.matchRecordedAction(event);
      return;
    }
    if (!this.started && event.type !== 'ExecutionStarted' && event.type !== 'OrchestratorStarted') {
      if (event.type === 'OrchestratorCompleted') return;
      this.finish(
        'Failed',
        undefined,
        failureDetailsFromError(
          new InvalidArgumentError(`history must begin with ExecutionStarted, got ${event.type}`),
        ),
      );
      return;
    }
    switch (event.type) {
      case 'OrchestratorStarted':
        this.currentTimeMs = fromTimestamp(event.timestamp);
        return;
      case 'ExecutionStarted':
        this.start(event);
        return;
      case 'TaskScheduled':
      case 'TimerCreated':
      case 'SubOrchestrationInstanceCreated':
      case 'EventSent':
      case 'EntityOperationSignaled':
      case 'EntityOperationCalled':
      case 'EntityLockRequested':
      case 'EntityUnlockSent':
      case 'TaskCanceled':
        this.matchRecordedAction(event);
        return;
      case 'EntityOperationCompleted':
        this.settleEntity(event.requestId, 'entity', event, (t) => t.complete(parsePayload(event.result)));
        return;
      case 'EntityOperationFailed':
        this.settleEntity(event.requestId, 'entity', event, (t, open) => {
          const [target, operation] = open.name.split('\n') as [string, string];
          t.fail(
            new EntityOperationFailedError(
              this.entityRequests.get(event.requestId) ?? -1,
              target,
              operation,
              event.failureDetails,
            ),
          );
        });
        return;
      case 'EntityLockGranted':
        this.settleEntity(event.criticalSectionId, 'lock', event, (t, open) => {
          this.lockPending = false;
          this.criticalSection = { id: event.criticalSectionId, entities: open.name.split('\n') };
          t.complete(undefined);
        });
        return;
      case 'TaskCompleted':
        this.settle(event.taskScheduledId, 'activity', event, (t) => t.complete(parsePayload(event.result)));
        return;
      case 'TaskFailed':
        this.settle(event.taskScheduledId, 'activity', event, (t, open) =>
          t.fail(new ActivityFailedError(event.taskScheduledId, open.name, event.failureDetails)),
        );
        return;
      case 'SubOrchestrationInstanceCompleted':
        this.settle(event.taskScheduledId, 'subOrchestration', event, (t) =>
          t.complete(parsePayload(event.result)),
        );
        return;
      case 'SubOrchestrationInstanceFailed':
        this.settle(event.taskScheduledId, 'subOrchestration', event, (t, open) =>
          t.fail(new SubOrchestrationFailedError(event.taskScheduledId, open.name, event.failureDetails)),
        );
        return;
      case 'TimerFired':
        this.settle(event.timerId, 'timer', event, (t) => t.complete(undefined));
        return;
      case 'EventRaised':
        this.deliverEvent(event);
        return;
      case 'ExecutionTerminated':
        this.pending.clear();
        this.finish('Terminated', event.input);
        this.halted = true;
        return;
      case 'ExecutionSuspended':
        this.suspendedEvents ??= [];
        return;
      case 'ExecutionResumed':
      case 'ExecutionCompleted':
      case 'ContinueAsNew':
      case 'OrchestratorCompleted':
      case 'GenericEvent':
        return;
    }
  }

  /**
   * A version this worker leaves to another (Reject) throws WorkerUnavailableError before a new
   * episode runs: the host parks the episode, as when no remote worker serves a name, and runs it
   * again later (here, or on the worker that owns the partition then) from the same state. Replay
   * alone (a rewind or reset rebuilding state) takes no step, so it is not refused.
   */
  private rejectOtherVersion(events: readonly HistoryEvent[]): void {
    const started =
      this.startEvent ?? events.find((e): e is ExecutionStartedEvent => e.type === 'ExecutionStarted');
    if (started === undefined) return;
    const mismatch = versionMismatch(this.versioning, started.version);
    if (mismatch?.failureStrategy === VersionFailureStrategy.Reject)
      throw new WorkerUnavailableError(mismatch.failureDetails.errorMessage);
  }

  private start(event: ExecutionStartedEvent): void {
    if (this.started) return;
    this.started = true;
    this.startEvent = event;
    if (this.currentTimeMs === 0) this.currentTimeMs = fromTimestamp(event.timestamp);
    // Another version's code never runs here: Fail ends the instance, Reject refuses its episodes.
    const mismatch = versionMismatch(this.versioning, event.version);
    if (mismatch !== undefined) {
      if (mismatch.failureStrategy === VersionFailureStrategy.Fail)
        this.finish('Failed', undefined, mismatch.failureDetails);
      return;
    }
    const fn = this.registry.getOrchestrator(event.name);
    if (fn === undefined) {
      this.finish(
        'Failed',
        undefined,
        failureDetailsFromError(new OrchestratorNotRegisteredError(event.name)),
      );
      return;
    }
    let outcome: Promise<unknown>;
    try {
      outcome = Promise.resolve(fn(this.ctx, parsePayload(event.input)));
    } catch (error) {
      outcome = Promise.reject(error);
    }
    outcome.then(
      (output) => this.onReturned(output),
      (error: unknown) => this.finish('Failed', undefined, failureDetailsFromError(error)),
    );
    this.woke = true;
  }

  private onReturned(output: unknown): void {
    if (this.completion !== undefined) return;
    let text: string | undefined;
    try {
      text = serializePayload(output);
    } catch (error) {
      this.finish('Failed', undefined, failureDetailsFromError(error));
      return;
    }
    this.finish('Completed', text);
  }

  private matchRecordedAction(event: HistoryEvent): void {
    const recorded = describeRecorded(event);
    const action = this.pending.get(event.eventId);
    if (action === undefined) {
      const actual =
        this.completion !== undefined ? 'completed the orchestration' : `nothing at step ${event.eventId}`;
      throw new NonDeterminismError(recorded, actual);
    }
    if (!recordMatches(event, action)) throw new NonDeterminismError(recorded, describeAction(action));
    this.pending.delete(event.eventId);
  }

  private settle(
    id: number,
    kind: OpenTaskKind,
    event: HistoryEvent,
    settle: (task: Task<unknown>, open: OpenTask) => void,
  ): void {
    const open = this.open.get(id);
    // Unknown ids are duplicate deliveries of results already applied: drop them.
    if (open === undefined) return;
    if (open.kind !== kind) {
      throw new NonDeterminismError(
        `${event.type} for step ${id}`,
        `${open.kind} '${open.name}' at step ${id}`,
      );
    }
    this.open.delete(id);
    try {
      settle(open.task, open);
    } catch (error) {
      open.task.fail(error);
    }
  }

  private settleEntity(
    requestId: string,
    kind: OpenTaskKind,
    event: HistoryEvent,
    settle: (task: Task<unknown>, open: OpenTask) => void,
  ): void {
    const id = this.entityRequests.get(requestId);
    if (id === undefined) return; // a duplicate response
    this.settle(id, kind, event, settle);
    this.entityRequests.delete(requestId);
  }

  private deliverEvent(event: EventRaisedEvent): void {
    const key = event.name.toLowerCase();
    const queue = this.waiters.get(key);
    while (queue !== undefined && queue.length > 0) {
      const waiter = queue.shift() as EventWaiter;
      if (!waiter.active) continue;
      waiter.active = false;
      try {
        waiter.task.complete(parsePayload(event.input));
      } catch (error) {
        waiter.task.fail(error);
      }
      return;
    }
    const buffer = this.buffered.get(key) ?? [];
    buffer.push({ event, order: this.bufferedCount++ });
    this.buffered.set(key, buffer);
  }

  private failNonDeterministic(error: NonDeterminismError): void {
    this.pending.clear();
    this.completion = undefined;
    this.finish('Failed', undefined, failureDetailsFromError(error));
    this.halted = true;
  }

  private collect(): ExecutionResult {
    const actions: OrchestratorAction[] = [...this.pending.values()];
    this.pending.clear();
    let completion: CompleteOrchestrationAction | undefined;
    if (this.completion !== undefined && !this.completionEmitted) {
      const c = this.completion;
      completion = {
        type: 'CompleteOrchestration',
        id: c.id,
        orchestrationStatus: c.status,
        ...(c.result !== undefined ? { result: c.result } : {}),
        ...(c.failureDetails !== undefined ? { failureDetails: c.failureDetails } : {}),
        ...(c.carryover !== undefined && c.carryover.length > 0 ? { carryoverEvents: c.carryover } : {}),
      };
      actions.push(completion);
      this.completionEmitted = true;
    }
    return { actions, customStatus: this.customStatus, completion, awaitedEvents: this.awaitedEvents() };
  }

  // --- used by the context -------------------------------------------------------------------

  /** @internal */
  finish(
    status: CompletionStatus,
    result?: string,
    failureDetails?: FailureDetails,
    carryover?: boolean,
  ): void {
    if (this.completion !== undefined) return;
    this.completion = {
      id: this.sequence++,
      status,
      ...(result !== undefined ? { result } : {}),
      ...(failureDetails !== undefined ? { failureDetails } : {}),
      ...(carryover === true ? { carryover: this.takeBufferedEvents() } : {}),
    };
  }

  /** @internal */
  setCustomStatus(text: string | undefined): void {
    this.customStatus = text;
  }

  /** @internal */
  nextId(): number {
    return this.sequence++;
  }

  /** @internal Records an action and, unless it is fire-and-forget, the task that its result settles. */
  record(
    action: OrchestratorAction,
    open?: { kind: OpenTaskKind; name: string; instanceId?: string },
  ): Task<unknown> {
    const task = new Task<unknown>();
    if (this.completion !== undefined) return task;
    this.pending.set(action.id, action);
    if (open !== undefined) {
      this.open.set(action.id, { ...open, task });
      if (open.kind === 'activity' || open.kind === 'subOrchestration' || open.kind === 'timer') {
        task.canceler = () => this.cancelOpen(action.id);
      }
    }
    return task;
  }

  /**
   * Cancels the open task of step `id`: records a CancelTask (a TaskCanceled in history, matched on
   * replay like any other step) and fails the task now, so the awaiting code sees TaskCanceledError.
   * A result that arrives later finds no open task and is dropped.
   */
  private cancelOpen(id: number): void {
    const open = this.open.get(id);
    if (open === undefined || this.completion !== undefined) return;
    this.open.delete(id);
    const cancelId = this.nextId();
    this.pending.set(cancelId, {
      type: 'CancelTask',
      id: cancelId,
      taskId: id,
      kind: open.kind as CancelableTaskKind,
      ...(open.instanceId !== undefined ? { instanceId: open.instanceId } : {}),
    });
    open.task.fail(new TaskCanceledError(id, open.name));
  }

  /** @internal Records an entity call or lock request, whose response names `requestId`. */
  recordEntityRequest(
    action: OrchestratorAction & { requestId: string },
    kind: OpenTaskKind,
    name: string,
  ): Task<unknown> {
    const task = this.record(action, { kind, name });
    if (this.completion === undefined) this.entityRequests.set(action.requestId, action.id);
    return task;
  }

  /** @internal */
  waitForEvent(name: string): { task: Task<unknown>; waiter?: EventWaiter } {
    const key = name.toLowerCase();
    const buffer = this.buffered.get(key);
    const first = buffer?.shift();
    const task = new Task<unknown>();
    if (first !== undefined) {
      if (buffer?.length === 0) this.buffered.delete(key);
      try {
        task.complete(parsePayload(first.event.input));
      } catch (error) {
        task.fail(error);
      }
      return { task };
    }
    const waiter: EventWaiter = { task, name, sinceMs: this.currentTimeMs, active: true };
    const queue = this.waiters.get(key) ?? [];
    queue.push(waiter);
    this.waiters.set(key, queue);
    // A wait is not recorded in history, so neither is its cancellation: replay waits and cancels again.
    task.canceler = () => {
      if (!waiter.active) return;
      waiter.active = false;
      task.fail(new TaskCanceledError(-1, `event '${name}'`));
    };
    return { task, waiter };
  }

  private takeBufferedEvents(): EventRaisedEvent[] {
    const all = [...this.buffered.values()].flat().sort((a, b) => a.order - b.order);
    this.buffered.clear();
    return all.map((b) => b.event);
  }
}

/** The `ctx` passed to orchestrator functions. */
class SessionContext implements OrchestrationContext {
  private guidCounter = 0;
  private cachedLog: Logger | undefined;

  constructor(private readonly session: OrchestrationSession) {}

  private get started(): ExecutionStartedEvent {
    const event = this.session.startEvent;
    if (event === undefined) throw new Error('the orchestration has not started');
    return event;
  }

  get instanceId(): string {
    return this.started.orchestrationInstance.instanceId;
  }

  get executionId(): string {
    return this.started.orchestrationInstance.executionId;
  }

  get name(): string {
    return this.started.name;
  }

  get version(): string | undefined {
    return this.started.version;
  }

  compareVersionTo(version: string | undefined): number {
    return compareVersions(this.started.version, version);
  }

  get parentInstanceId(): string | undefined {
    return this.started.parentInstance?.instanceId;
  }

  get currentUtcDateTime(): Date {
    return new Date(this.session.currentTimeMs);
  }

  get isReplaying(): boolean {
    return this.session.replaying;
  }

  get log(): Logger {
    this.cachedLog ??= replaySafeLogger(this.session.logger, () => this.session.replaying, {
      instanceId: this.instanceId,
      orchestration: this.name,
    });
    return this.cachedLog;
  }

  callActivity<O>(
    activity: string | ActivityDefinition<unknown, O>,
    input?: unknown,
    options?: CallOptions,
  ): Task<O> {
    const name = typeof activity === 'string' ? activity : activity.name;
    const schedule = (): Task<O> => {
      const text = serializePayload(input);
      const id = this.session.nextId();
      return this.session.record(
        {
          type: 'ScheduleTask',
          id,
          name,
          ...(options?.version !== undefined ? { version: options.version } : {}),
          ...(text !== undefined ? { input: text } : {}),
        },
        { kind: 'activity', name },
      ) as Task<O>;
    };
    return options?.retry !== undefined ? this.withRetry(options.retry, schedule) : schedule();
  }

  callSubOrchestrator<O>(
    orchestration: string | OrchestrationDefinition<unknown, O>,
    input?: unknown,
    options?: SubOrchestrationOptions,
  ): Task<O> {
    const name = typeof orchestration === 'string' ? orchestration : orchestration.name;
    if (options?.instanceId !== undefined) validateInstanceId(options.instanceId);
    const schedule = (): Task<O> => {
      const text = serializePayload(input);
      const id = this.session.nextId();
      const instanceId = options?.instanceId ?? `${this.instanceId}:${id.toString(16).padStart(4, '0')}`;
      return this.session.record(
        {
          type: 'CreateSubOrchestration',
          id,
          name,
          instanceId,
          ...withVersion(options?.version ?? this.session.versioning?.defaultVersion),
          ...(text !== undefined ? { input: text } : {}),
        },
        { kind: 'subOrchestration', name, instanceId },
      ) as Task<O>;
    };
    return options?.retry !== undefined ? this.withRetry(options.retry, schedule) : schedule();
  }

  createTimer(fireAt: Date | number): Task<void> {
    const at = fireAt instanceof Date ? fireAt.getTime() : this.session.currentTimeMs + fireAt;
    if (!Number.isFinite(at) || Number.isNaN(new Date(at).getTime())) {
      throw new InvalidArgumentError(
        `createTimer needs a valid Date or a delay in milliseconds, got ${String(fireAt)}`,
      );
    }
    const id = this.session.nextId();
    return this.session.record(
      { type: 'CreateTimer', id, fireAt: toTimestamp(at) },
      { kind: 'timer', name: 'timer' },
    ) as Task<void>;
  }

  waitForExternalEvent<T>(name: string, options?: WaitForEventOptions): Task<T> {
    if (typeof name !== 'string' || name === '')
      throw new InvalidArgumentError('event name must be a non-empty string');
    const { task, waiter } = this.session.waitForEvent(name);
    if (waiter !== undefined && options?.timeout !== undefined) {
      const timer = this.createTimer(options.timeout);
      timer.onSettled(() => {
        if (!waiter.active) return;
        waiter.active = false;
        waiter.task.fail(new TimeoutError(`timed out waiting for external event '${name}'`));
      });
      const cancelWait = task.canceler;
      task.canceler = () => {
        cancelWait?.();
        this.cancel(timer);
      };
    }
    return task as Task<T>;
  }

  sendEvent(instanceId: string, name: string, data?: unknown): void {
    validateInstanceId(instanceId);
    if (typeof name !== 'string' || name === '')
      throw new InvalidArgumentError('event name must be a non-empty string');
    const text = serializePayload(data);
    const id = this.session.nextId();
    this.session.record({
      type: 'SendEvent',
      id,
      instanceId,
      name,
      ...(text !== undefined ? { data: text } : {}),
    });
  }

  callEntity<O>(entity: EntityId, operation: string, input?: unknown): Task<O> {
    checkOperationName(operation);
    const target = entityInstanceId(entity);
    const section = this.session.criticalSection;
    if (section !== undefined && !section.entities.includes(target)) {
      throw new InvalidArgumentError(
        `inside a critical section an orchestration can only call the entities it locked, not '${target}'`,
      );
    }
    const text = serializePayload(input);
    const id = this.session.nextId();
    return this.session.recordEntityRequest(
      {
        type: 'SendEntityMessage',
        id,
        kind: 'call',
        targetInstanceId: target,
        operation,
        requestId: uuidV5(`${this.executionId}:${id}`),
        ...(text !== undefined ? { input: text } : {}),
      },
      'entity',
      `${target}\n${operation}`,
    ) as Task<O>;
  }

  signalEntity(entity: EntityId, operation: string, input?: unknown, options?: SignalEntityOptions): void {
    checkOperationName(operation);
    const target = entityInstanceId(entity);
    const text = serializePayload(input);
    const id = this.session.nextId();
    this.session.record({
      type: 'SendEntityMessage',
      id,
      kind: 'signal',
      targetInstanceId: target,
      operation,
      requestId: uuidV5(`${this.executionId}:${id}`),
      ...(text !== undefined ? { input: text } : {}),
      ...(options?.scheduledTime !== undefined
        ? { scheduledTime: scheduledTimestamp(options.scheduledTime) }
        : {}),
    });
  }

  lockEntities(...entities: EntityId[]): Task<EntityLock> {
    if (this.session.criticalSection !== undefined || this.session.lockPending) {
      throw new InvalidArgumentError('this orchestration is already in a critical section; release it first');
    }
    if (entities.length === 0) throw new InvalidArgumentError('lockEntities needs at least one entity');
    // One global order, so that two sections locking overlapping sets cannot deadlock.
    const lockSet = [...new Set(entities.map((e) => entityInstanceId(e)))].sort();
    const id = this.session.nextId();
    this.session.lockPending = true;
    const granted = this.session.recordEntityRequest(
      {
        type: 'SendEntityMessage',
        id,
        kind: 'lock',
        targetInstanceId: lockSet[0] as string,
        requestId: uuidV5(`${this.executionId}:${id}`),
        lockSet,
      },
      'lock',
      lockSet.join('\n'),
    );
    const lock = new Task<EntityLock>();
    granted.onSettled(() => {
      if (granted.isFaulted) lock.fail(granted.failure);
      else lock.complete({ release: () => this.releaseLocks() });
    });
    return lock;
  }

  isInCriticalSection(): boolean {
    return this.session.criticalSection !== undefined;
  }

  private releaseLocks(): void {
    const section = this.session.criticalSection;
    if (section === undefined) return;
    this.session.criticalSection = undefined;
    for (const target of section.entities) {
      this.session.record({
        type: 'SendEntityMessage',
        id: this.session.nextId(),
        kind: 'unlock',
        targetInstanceId: target,
        requestId: section.id,
      });
    }
  }

  cancel(task: Task<unknown>): boolean {
    if (task.isCompleted) return false;
    if (task.canceler === undefined) {
      throw new InvalidArgumentError(
        'only activities, timers, sub-orchestrations, external event waits and whenAll/whenAny of them can be cancelled',
      );
    }
    task.canceler();
    return true;
  }

  whenAll<const T extends readonly Task<unknown>[]>(tasks: T) {
    return whenAll(tasks);
  }

  whenAny(tasks: readonly Task<unknown>[]): Task<number> {
    return whenAny(tasks);
  }

  continueAsNew(input?: unknown, options?: ContinueAsNewOptions): void {
    this.session.finish(
      'ContinuedAsNew',
      serializePayload(input),
      undefined,
      options?.preserveUnprocessedEvents ?? true,
    );
  }

  setCustomStatus(status: unknown): void {
    this.session.setCustomStatus(serializePayload(status));
  }

  newGuid(): string {
    return uuidV5(`${this.instanceId}_${toTimestamp(this.session.currentTimeMs)}_${this.guidCounter++}`);
  }

  /** Attempts run as ordinary orchestrator code, so every wait is a durable timer in history. */
  private withRetry<O>(policy: RetryPolicy, attempt: () => Task<O>): Task<O> {
    validateRetryPolicy(policy);
    const outer = new Task<O>();
    const firstAttemptAt = this.session.currentTimeMs;
    // The attempt or back-off timer in flight: cancelling the retried call cancels it.
    let current: Task<unknown> | undefined;
    const run = async (): Promise<void> => {
      for (let n = 1; ; n++) {
        try {
          current = attempt();
          outer.complete((await current) as O);
          return;
        } catch (error) {
          if (!(error instanceof TaskFailedError) || outer.isCompleted) throw error;
          const delay = nextRetryDelay(policy, n, error, this.session.currentTimeMs - firstAttemptAt);
          if (delay === undefined) throw error;
          current = this.createTimer(delay);
          await current;
        }
      }
    };
    run().catch((error: unknown) => outer.fail(error));
    outer.canceler = () => {
      if (current !== undefined && !current.isCompleted) this.cancel(current);
      outer.fail(current?.failure ?? new TaskCanceledError(-1, 'retried call'));
    };
    return outer;
  }
}

function drainMicrotasks(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

function recordMatches(event: HistoryEvent, action: OrchestratorAction): boolean {
  switch (event.type) {
    case 'TaskScheduled':
      return action.type === 'ScheduleTask' && action.name === event.name;
    case 'TimerCreated':
      return action.type === 'CreateTimer';
    case 'SubOrchestrationInstanceCreated':
      return action.type === 'CreateSubOrchestration' && action.name === event.name;
    case 'EventSent':
      return (
        action.type === 'SendEvent' && action.name === event.name && action.instanceId === event.instanceId
      );
    case 'EntityOperationSignaled':
    case 'EntityOperationCalled':
      return (
        action.type === 'SendEntityMessage' &&
        action.kind === (event.type === 'EntityOperationSignaled' ? 'signal' : 'call') &&
        action.targetInstanceId === event.targetInstanceId &&
        action.operation === event.operation
      );
    case 'EntityLockRequested':
      return (
        action.type === 'SendEntityMessage' &&
        action.kind === 'lock' &&
        action.lockSet?.join() === event.lockSet.join()
      );
    case 'EntityUnlockSent':
      return (
        action.type === 'SendEntityMessage' &&
        action.kind === 'unlock' &&
        action.targetInstanceId === event.targetInstanceId
      );
    case 'TaskCanceled':
      return action.type === 'CancelTask' && action.taskId === event.taskScheduledId;
    default:
      return false;
  }
}

function describeRecorded(event: HistoryEvent): string {
  switch (event.type) {
    case 'TaskScheduled':
      return `TaskScheduled '${event.name}' at step ${event.eventId}`;
    case 'SubOrchestrationInstanceCreated':
      return `SubOrchestrationInstanceCreated '${event.name}' at step ${event.eventId}`;
    case 'EventSent':
      return `EventSent '${event.name}' to '${event.instanceId}' at step ${event.eventId}`;
    case 'EntityOperationSignaled':
    case 'EntityOperationCalled':
      return `${event.type} '${event.operation}' on '${event.targetInstanceId}' at step ${event.eventId}`;
    case 'EntityLockRequested':
      return `EntityLockRequested [${event.lockSet.join(', ')}] at step ${event.eventId}`;
    case 'TaskCanceled':
      return `TaskCanceled of step ${event.taskScheduledId} at step ${event.eventId}`;
    default:
      return `${event.type} at step ${event.eventId}`;
  }
}

function describeAction(action: OrchestratorAction): string {
  switch (action.type) {
    case 'ScheduleTask':
      return `ScheduleTask '${action.name}' at step ${action.id}`;
    case 'CreateSubOrchestration':
      return `CreateSubOrchestration '${action.name}' at step ${action.id}`;
    case 'SendEvent':
      return `SendEvent '${action.name}' to '${action.instanceId}' at step ${action.id}`;
    case 'SendEntityMessage':
      return action.kind === 'lock'
        ? `lock [${(action.lockSet ?? []).join(', ')}] at step ${action.id}`
        : `${action.kind} ${action.operation !== undefined ? `'${action.operation}' ` : ''}on '${action.targetInstanceId}' at step ${action.id}`;
    case 'CancelTask':
      return `CancelTask of step ${action.taskId} at step ${action.id}`;
    default:
      return `${action.type} at step ${action.id}`;
  }
}

function withVersion(version: string | undefined): { version?: string } {
  return version !== undefined ? { version } : {};
}
