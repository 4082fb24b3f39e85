/**
 * An in-memory host for specs, golden-history recording and engine benchmarks: it runs
 * orchestrations to completion with activities, timers, events and sub-orchestrations, on a manual
 * clock. Not durable and not for production; the real hosts live in the platform libs.
 */
import {
  fromTimestamp,
  newEvent,
  serializePayload,
  toTimestamp,
  type FailureDetails,
  type HistoryEvent,
  type OrchestratorAction,
  type RuntimeStatus,
} from '@durable/core';
import { ManualClock } from '@durable/core/testing';
import { executeActivity } from './activity';
import { OrchestrationExecutor, type OrchestrationSession } from './executor';
import type { Registry } from './registry';

export interface TestHostOptions {
  /** `session` keeps each instance's executor state between episodes; `replay` replays all history each time. */
  readonly mode?: 'session' | 'replay';
  /** Most new events handed to one episode (default: all that are waiting). */
  readonly maxEventsPerEpisode?: number;
  readonly clock?: ManualClock;
  /** Fire due timers by moving the clock forward when nothing else can run (default true). */
  readonly autoAdvanceTimers?: boolean;
}

export interface TestInstanceState {
  readonly instanceId: string;
  readonly name: string;
  readonly status: RuntimeStatus;
  readonly output?: unknown;
  readonly failureDetails?: FailureDetails;
  readonly customStatus?: unknown;
  /** History of the current execution. */
  readonly history: readonly HistoryEvent[];
  /** Episodes run for this instance across all executions. */
  readonly episodes: number;
}

interface Instance {
  instanceId: string;
  name: string;
  executionId: number;
  status: RuntimeStatus;
  history: HistoryEvent[];
  inbox: HistoryEvent[];
  session?: OrchestrationSession;
  output?: string;
  failureDetails?: FailureDetails;
  customStatus?: string;
  parent?: { instanceId: string; taskId: number };
  episodes: number;
}

export class TestHost {
  readonly clock: ManualClock;
  private readonly executor: OrchestrationExecutor;
  private readonly instances = new Map<string, Instance>();
  private readonly runnable = new Set<string>();
  private readonly activityQueue: Array<{
    instanceId: string;
    taskId: number;
    name: string;
    input?: string;
  }> = [];
  private timers: Array<{ instanceId: string; timerId: number; fireAt: number }> = [];

  constructor(
    private readonly registry: Registry,
    private readonly options: TestHostOptions = {},
  ) {
    this.clock = options.clock ?? new ManualClock();
    this.executor = new OrchestrationExecutor(registry);
  }

  start(name: string, input?: unknown, instanceId = `instance-${this.instances.size + 1}`): string {
    this.startInstance(name, serializePayload(input), instanceId, undefined);
    return instanceId;
  }

  raiseEvent(instanceId: string, name: string, data?: unknown): void {
    const text = serializePayload(data);
    this.deliver(
      instanceId,
      newEvent('EventRaised', this.now(), { name, ...(text !== undefined ? { input: text } : {}) }),
    );
  }

  terminate(instanceId: string, reason?: unknown): void {
    const text = serializePayload(reason);
    this.deliver(
      instanceId,
      newEvent('ExecutionTerminated', this.now(), text !== undefined ? { input: text } : {}),
    );
  }

  suspend(instanceId: string): void {
    this.deliver(instanceId, newEvent('ExecutionSuspended', this.now(), {}));
  }

  resume(instanceId: string): void {
    this.deliver(instanceId, newEvent('ExecutionResumed', this.now(), {}));
  }

  /** Runs episodes, activities and (with auto-advance) timers until nothing more can happen. */
  async run(): Promise<void> {
    for (;;) {
      if (this.runnable.size > 0) {
        const ids = [...this.runnable];
        this.runnable.clear();
        for (const id of ids) await this.episode(id);
        continue;
      }
      const work = this.activityQueue.shift();
      if (work !== undefined) {
        await this.runActivity(work);
        continue;
      }
      if (!this.fireDueTimers() && !(this.options.autoAdvanceTimers !== false && this.advanceToNextTimer()))
        return;
    }
  }

  state(instanceId: string): TestInstanceState {
    const instance = this.instances.get(instanceId);
    if (instance === undefined) throw new Error(`no instance '${instanceId}'`);
    return {
      instanceId,
      name: instance.name,
      status: instance.status,
      output: instance.output === undefined ? undefined : JSON.parse(instance.output),
      ...(instance.failureDetails !== undefined ? { failureDetails: instance.failureDetails } : {}),
      customStatus: instance.customStatus === undefined ? undefined : JSON.parse(instance.customStatus),
      history: instance.history,
      episodes: instance.episodes,
    };
  }

  get instanceIds(): string[] {
    return [...this.instances.keys()];
  }

  private now(): string {
    return toTimestamp(this.clock.now());
  }

  private startInstance(
    name: string,
    input: string | undefined,
    instanceId: string,
    parent: (Instance['parent'] & { name: string }) | undefined,
    carried: HistoryEvent[] = [],
    executionId = 1,
  ): void {
    const instance: Instance = {
      instanceId,
      name,
      executionId,
      status: 'Pending',
      history: [],
      inbox: [
        newEvent('ExecutionStarted', this.now(), {
          name,
          ...(input !== undefined ? { input } : {}),
          orchestrationInstance: { instanceId, executionId: `${instanceId}-execution-${executionId}` },
          ...(parent !== undefined
            ? {
                parentInstance: {
                  taskScheduledId: parent.taskId,
                  name: parent.name,
                  instanceId: parent.instanceId,
                },
              }
            : {}),
        }),
        ...carried,
      ],
      episodes: this.instances.get(instanceId)?.episodes ?? 0,
      ...(parent !== undefined ? { parent: { instanceId: parent.instanceId, taskId: parent.taskId } } : {}),
    };
    this.instances.set(instanceId, instance);
    this.runnable.add(instanceId);
  }

  private deliver(instanceId: string, event: HistoryEvent): void {
    const instance = this.instances.get(instanceId);
    if (instance === undefined || isFinished(instance.status)) return;
    instance.inbox.push(event);
    this.runnable.add(instanceId);
  }

  private async episode(instanceId: string): Promise<void> {
    const instance = this.instances.get(instanceId);
    if (instance === undefined || instance.inbox.length === 0 || isFinished(instance.status)) return;
    const limit = this.options.maxEventsPerEpisode ?? Number.POSITIVE_INFINITY;
    const batch = instance.inbox.splice(0, limit);
    if (instance.inbox.length > 0) this.runnable.add(instanceId);
    const newEvents = [newEvent('OrchestratorStarted', this.now(), {}), ...batch];
    instance.episodes++;
    let result;
    if (this.options.mode === 'replay') {
      result = await this.executor.execute(instance.history, newEvents);
    } else {
      instance.session ??= this.executor.createSession();
      result = await instance.session.execute([], newEvents);
    }
    instance.history.push(...newEvents);
    if (instance.status === 'Pending') instance.status = 'Running';
    for (const e of batch) {
      if (e.type === 'ExecutionSuspended') instance.status = 'Suspended';
      if (e.type === 'ExecutionResumed' && instance.status === 'Suspended') instance.status = 'Running';
    }
    if (result.customStatus !== undefined) instance.customStatus = result.customStatus;
    for (const action of result.actions) this.perform(instance, action);
    instance.history.push(newEvent('OrchestratorCompleted', this.now(), {}));
  }

  private perform(instance: Instance, action: OrchestratorAction): void {
    const at = this.now();
    switch (action.type) {
      case 'ScheduleTask':
        instance.history.push(
          newEvent('TaskScheduled', at, pick(action, ['name', 'version', 'input']), action.id),
        );
        this.activityQueue.push({
          instanceId: instance.instanceId,
          taskId: action.id,
          name: action.name,
          ...(action.input !== undefined ? { input: action.input } : {}),
        });
        return;
      case 'CreateTimer':
        instance.history.push(newEvent('TimerCreated', at, { fireAt: action.fireAt }, action.id));
        this.timers.push({
          instanceId: instance.instanceId,
          timerId: action.id,
          fireAt: fromTimestamp(action.fireAt),
        });
        return;
      case 'CreateSubOrchestration':
        instance.history.push(
          newEvent(
            'SubOrchestrationInstanceCreated',
            at,
            pick(action, ['name', 'instanceId', 'version', 'input']),
            action.id,
          ),
        );
        this.startInstance(action.name, action.input, action.instanceId, {
          instanceId: instance.instanceId,
          taskId: action.id,
          name: instance.name,
        });
        return;
      case 'SendEvent':
        instance.history.push(
          newEvent(
            'EventSent',
            at,
            {
              instanceId: action.instanceId,
              name: action.name,
              ...(action.data !== undefined ? { input: action.data } : {}),
            },
            action.id,
          ),
        );
        this.deliver(
          action.instanceId,
          newEvent('EventRaised', at, {
            name: action.name,
            ...(action.data !== undefined ? { input: action.data } : {}),
          }),
        );
        return;
      case 'TerminateOrchestration':
        this.terminate(action.instanceId, action.reason);
        return;
      case 'SendEntityMessage':
        return;
      case 'CancelTask':
        // Like the real hosts, except that a result arriving later still reaches history here,
        // where the executor must drop it.
        instance.history.push(newEvent('TaskCanceled', at, { taskScheduledId: action.taskId }, action.id));
        this.timers = this.timers.filter(
          (t) => !(t.instanceId === instance.instanceId && t.timerId === action.taskId),
        );
        if (action.instanceId !== undefined) this.terminate(action.instanceId, 'cancelled by its parent');
        return;
      case 'CompleteOrchestration':
        instance.history.push(
          newEvent('ExecutionCompleted', at, {
            orchestrationStatus: action.orchestrationStatus,
            ...(action.result !== undefined ? { result: action.result } : {}),
            ...(action.failureDetails !== undefined ? { failureDetails: action.failureDetails } : {}),
          }),
        );
        if (action.orchestrationStatus === 'ContinuedAsNew') {
          const next = instance.executionId + 1;
          const episodes = instance.episodes;
          this.startInstance(
            instance.name,
            action.result,
            instance.instanceId,
            undefined,
            [...(action.carryoverEvents ?? []), ...instance.inbox],
            next,
          );
          const fresh = this.instances.get(instance.instanceId);
          if (fresh !== undefined) {
            fresh.episodes = episodes;
            if (instance.parent !== undefined) fresh.parent = instance.parent;
          }
          return;
        }
        instance.status = action.orchestrationStatus;
        if (action.result !== undefined) instance.output = action.result;
        if (action.failureDetails !== undefined) instance.failureDetails = action.failureDetails;
        delete instance.session;
        this.notifyParent(instance, action);
        return;
    }
  }

  private notifyParent(
    instance: Instance,
    completion: Extract<OrchestratorAction, { type: 'CompleteOrchestration' }>,
  ): void {
    if (instance.parent === undefined) return;
    const at = this.now();
    const { instanceId, taskId } = instance.parent;
    if (completion.orchestrationStatus === 'Completed') {
      this.deliver(
        instanceId,
        newEvent('SubOrchestrationInstanceCompleted', at, {
          taskScheduledId: taskId,
          ...(completion.result !== undefined ? { result: completion.result } : {}),
        }),
      );
    } else {
      this.deliver(
        instanceId,
        newEvent('SubOrchestrationInstanceFailed', at, {
          taskScheduledId: taskId,
          failureDetails: completion.failureDetails ?? {
            errorType: completion.orchestrationStatus,
            errorMessage: `sub-orchestration ended as ${completion.orchestrationStatus}`,
          },
        }),
      );
    }
  }

  private async runActivity(work: {
    instanceId: string;
    taskId: number;
    name: string;
    input?: string;
  }): Promise<void> {
    const outcome = await executeActivity(this.registry, work);
    const at = this.now();
    this.deliver(
      work.instanceId,
      outcome.ok
        ? newEvent('TaskCompleted', at, {
            taskScheduledId: work.taskId,
            ...(outcome.result !== undefined ? { result: outcome.result } : {}),
          })
        : newEvent('TaskFailed', at, {
            taskScheduledId: work.taskId,
            failureDetails: outcome.failureDetails,
          }),
    );
  }

  private fireDueTimers(): boolean {
    const now = this.clock.now();
    const due = this.timers.filter((t) => t.fireAt <= now).sort((a, b) => a.fireAt - b.fireAt);
    if (due.length === 0) return false;
    this.timers = this.timers.filter((t) => t.fireAt > now);
    for (const t of due) {
      this.deliver(
        t.instanceId,
        newEvent('TimerFired', this.now(), { timerId: t.timerId, fireAt: toTimestamp(t.fireAt) }),
      );
    }
    return true;
  }

  private advanceToNextTimer(): boolean {
    if (this.timers.length === 0) return false;
    const next = Math.min(...this.timers.map((t) => t.fireAt));
    if (next > this.clock.now()) this.clock.set(next);
    return this.fireDueTimers();
  }
}

function isFinished(status: RuntimeStatus): boolean {
  return status === 'Completed' || status === 'Failed' || status === 'Terminated' || status === 'Canceled';
}

function pick<T extends object, K extends keyof T>(source: T, keys: readonly K[]): Pick<T, K> {
  const out = {} as Pick<T, K>;
  for (const key of keys) if (source[key] !== undefined) out[key] = source[key];
  return out;
}
