import { randomUUID } from 'node:crypto';
import { UnavailableError, WorkerUnavailableError } from '@durable/core';
import { silentLogger, type Logger } from '@durable/engine';
import { pb } from './proto';

/** Where the hub writes work items: one connected worker's `GetWorkItems` stream. */
export interface WorkItemStream {
  write(item: pb.WorkItem): void;
  end(): void;
}

/** What a worker asked for in `GetWorkItems`: names it serves (all when absent). */
export interface WorkerFilters {
  readonly orchestrations?: ReadonlySet<string>;
  readonly activities?: ReadonlySet<string>;
  /** Entity names, lower case. */
  readonly entities?: ReadonlySet<string>;
}

/**
 * How many work items of each kind a worker takes at once (`GetWorkItemsRequest`'s
 * `maxConcurrent…WorkItems`; the Python SDK sends them, the JS SDK does not). Absent or 0: no limit.
 */
export interface WorkerLimits {
  readonly orchestrator?: number;
  readonly activity?: number;
  readonly entity?: number;
}

export interface WorkItemHubOptions {
  /** Health pings on every stream, well under the SDKs' 120 s idle limit (default 30 s). */
  readonly pingIntervalMs?: number;
  /**
   * How long a worker may hold an orchestrator or entity work item before it is taken back and the
   * instance parked, to run again later (default 60 s). Activities have no limit.
   */
  readonly answerTimeoutMs?: number;
  readonly logger?: Logger;
}

type Kind = 'orchestrator' | 'activity' | 'entity';
type Response = pb.OrchestratorResponse | pb.ActivityResponse | pb.EntityBatchResult;

/**
 * Episodes (orchestrator and entity work items) block their partition's batch while they run, so
 * they never wait in the hub: without a worker for the name they fail at once, and the host parks
 * the instance. Activities run beside the partitions, so they wait for a worker.
 */
const parks = (kind: Kind): boolean => kind !== 'activity';

interface Pending {
  readonly token: string;
  readonly kind: Kind;
  readonly name: string;
  readonly instanceId: string;
  readonly taskId: number | undefined;
  readonly item: pb.WorkItem;
  readonly settle: (response: Response | Error) => void;
  worker: Worker | undefined;
  deadline: ReturnType<typeof setTimeout> | undefined;
  /**
   * Workers that abandoned this episode (a version their versioning rejects): it goes to another
   * worker, or, when none is left, is refused like one no worker serves, and the instance parks.
   */
  declined?: Set<number>;
}

interface Worker {
  readonly id: number;
  readonly stream: WorkItemStream;
  readonly filters: WorkerFilters;
  readonly limits: WorkerLimits;
  readonly ping: ReturnType<typeof setInterval>;
  readonly items: Set<Pending>;
  /** Open items by kind, against `limits`. */
  readonly open: Record<Kind, number>;
}

/**
 * Hands work items to the remote workers connected over `GetWorkItems` and matches their
 * completions: by completion token, or by instance id (and task id) when a worker sends none.
 * A work item stays owned by the hub until it is completed: when its worker disconnects or abandons
 * it, it goes back to the queue and is delivered again, to this worker or another.
 */
export class WorkItemHub {
  private readonly queue: Pending[] = [];
  private readonly byToken = new Map<string, Pending>();
  private readonly workers = new Set<Worker>();
  private nextWorker = 1;
  private closed = false;
  private readonly logger: Logger;
  /** Instances refused for want of a worker, by kind and name: woken when one connects. */
  private readonly refused = new Map<string, { kind: Kind; name: string; instances: Set<string> }>();
  private wake: ((instanceIds: readonly string[]) => void) | undefined;

  constructor(private readonly options: WorkItemHubOptions = {}) {
    this.logger = options.logger ?? silentLogger;
  }

  get connectedWorkers(): number {
    return this.workers.size;
  }

  /** Instances refused for want of a worker, to wake when one connects. */
  get refusedInstances(): number {
    let n = 0;
    for (const entry of this.refused.values()) n += entry.instances.size;
    return n;
  }

  /** Work items waiting for a worker, or in the hands of one. */
  get openItems(): number {
    return this.byToken.size;
  }

  /**
   * Called with the instances that were refused for want of a worker when a worker that serves
   * them connects, so that they are run again at once rather than at their next retry.
   */
  onWorkAvailable(listener: (instanceIds: readonly string[]) => void): void {
    this.wake = listener;
  }

  /** Registers a worker's stream; returns the function to call when the stream closes. */
  connect(stream: WorkItemStream, filters: WorkerFilters = {}, limits: WorkerLimits = {}): () => void {
    if (this.closed) {
      stream.end();
      return () => undefined;
    }
    const worker: Worker = {
      id: this.nextWorker++,
      stream,
      filters,
      limits,
      items: new Set(),
      open: { orchestrator: 0, activity: 0, entity: 0 },
      ping: setInterval(() => this.ping(worker), this.options.pingIntervalMs ?? 30_000),
    };
    this.workers.add(worker);
    this.logger.info('remote worker connected', { worker: worker.id, workers: this.workers.size });
    this.dispatch();
    this.wakeRefused(worker);
    let gone = false;
    return () => {
      if (gone) return;
      gone = true;
      this.disconnect(worker);
    };
  }

  /** Sends an orchestrator work item and resolves with the worker's answer. */
  runOrchestrator(
    name: string,
    request: pb.OrchestratorRequest,
    signal?: AbortSignal,
  ): Promise<pb.OrchestratorResponse> {
    const item = new pb.WorkItem();
    item.setOrchestratorrequest(request);
    return this.enqueue(
      'orchestrator',
      name,
      request.getInstanceid(),
      undefined,
      item,
      signal,
    ) as Promise<pb.OrchestratorResponse>;
  }

  /** Sends an entity batch and resolves with the worker's answer. */
  runEntity(
    name: string,
    request: pb.EntityBatchRequest,
    signal?: AbortSignal,
  ): Promise<pb.EntityBatchResult> {
    const item = new pb.WorkItem();
    item.setEntityrequest(request);
    return this.enqueue(
      'entity',
      name.toLowerCase(),
      request.getInstanceid(),
      undefined,
      item,
      signal,
    ) as Promise<pb.EntityBatchResult>;
  }

  /** Sends an activity work item and resolves with the worker's answer. */
  runActivity(request: pb.ActivityRequest, signal?: AbortSignal): Promise<pb.ActivityResponse> {
    const item = new pb.WorkItem();
    item.setActivityrequest(request);
    const instanceId = request.getOrchestrationinstance()?.getInstanceid() ?? '';
    return this.enqueue(
      'activity',
      request.getName(),
      instanceId,
      request.getTaskid(),
      item,
      signal,
    ) as Promise<pb.ActivityResponse>;
  }

  /** False when no open work item matched (already completed, or never sent). */
  completeOrchestrator(response: pb.OrchestratorResponse): boolean {
    const pending = this.match('orchestrator', response.getCompletiontoken(), response.getInstanceid());
    if (pending === undefined) return false;
    this.finish(pending, response);
    return true;
  }

  completeActivity(response: pb.ActivityResponse): boolean {
    const pending = this.match(
      'activity',
      response.getCompletiontoken(),
      response.getInstanceid(),
      response.getTaskid(),
    );
    if (pending === undefined) return false;
    this.finish(pending, response);
    return true;
  }

  /** Matched by completion token only: an entity batch result carries no instance id. */
  completeEntity(result: pb.EntityBatchResult): boolean {
    const pending = this.byToken.get(result.getCompletiontoken());
    if (pending === undefined || pending.kind !== 'entity') return false;
    this.finish(pending, result);
    return true;
  }

  /** Puts a work item back in the queue; false when no open work item has the token. */
  abandon(token: string): boolean {
    const pending = this.byToken.get(token);
    if (pending === undefined) return false;
    if (parks(pending.kind) && pending.worker !== undefined)
      (pending.declined ??= new Set()).add(pending.worker.id);
    this.unassign(pending);
    this.clearDeadline(pending);
    this.queue.push(pending);
    this.dispatch();
    return true;
  }

  /** Ends every stream and fails every open work item with a retriable error. */
  close(): void {
    this.closed = true;
    for (const worker of [...this.workers]) {
      clearInterval(worker.ping);
      this.workers.delete(worker);
      worker.stream.end();
    }
    const open = [...this.byToken.values()];
    this.byToken.clear();
    this.queue.length = 0;
    for (const pending of open) {
      this.clearDeadline(pending);
      pending.settle(new UnavailableError('the gRPC front end is shutting down'));
    }
  }

  private enqueue(
    kind: Kind,
    name: string,
    instanceId: string,
    taskId: number | undefined,
    item: pb.WorkItem,
    signal?: AbortSignal,
  ): Promise<Response> {
    if (this.closed) return Promise.reject(new UnavailableError('the gRPC front end is shutting down'));
    return new Promise((resolve, reject) => {
      const token = randomUUID();
      item.setCompletiontoken(token);
      const pending: Pending = {
        token,
        kind,
        name,
        instanceId,
        taskId,
        item,
        worker: undefined,
        deadline: undefined,
        settle: (response) => (response instanceof Error ? reject(response) : resolve(response)),
      };
      this.byToken.set(token, pending);
      this.queue.push(pending);
      // The one waiting for the answer went away (a worker process bridged to this hub): withdraw.
      signal?.addEventListener('abort', () => {
        if (this.byToken.get(token) === pending)
          this.finish(pending, new UnavailableError('the requester withdrew the work item'));
      });
      this.dispatch();
    });
  }

  private match(kind: Kind, token: string, instanceId: string, taskId?: number): Pending | undefined {
    if (token !== '') {
      const byToken = this.byToken.get(token);
      if (byToken !== undefined && byToken.kind === kind) return byToken;
    }
    for (const pending of this.byToken.values()) {
      if (pending.kind !== kind || pending.instanceId !== instanceId) continue;
      if (kind === 'activity' && pending.taskId !== taskId) continue;
      return pending;
    }
    return undefined;
  }

  private finish(pending: Pending, response: Response | Error): void {
    this.clearDeadline(pending);
    this.byToken.delete(pending.token);
    const freed = this.unassign(pending);
    if (!freed) {
      const queued = this.queue.indexOf(pending);
      if (queued >= 0) this.queue.splice(queued, 1);
    }
    pending.settle(response);
    // A worker at its limit has room again.
    if (freed && this.queue.length > 0) this.dispatch();
  }

  /** Takes an item from its worker; true when it had one. */
  private unassign(pending: Pending): boolean {
    const worker = pending.worker;
    if (worker === undefined || !worker.items.delete(pending)) return false;
    worker.open[pending.kind]--;
    pending.worker = undefined;
    return true;
  }

  private disconnect(worker: Worker): void {
    if (!this.workers.delete(worker)) return;
    clearInterval(worker.ping);
    const orphans = [...worker.items];
    worker.items.clear();
    worker.open.orchestrator = worker.open.activity = worker.open.entity = 0;
    this.logger.info('remote worker disconnected', {
      worker: worker.id,
      workers: this.workers.size,
      redelivered: orphans.length,
    });
    for (const pending of orphans) {
      pending.worker = undefined;
      this.clearDeadline(pending);
      this.queue.push(pending);
    }
    this.dispatch();
  }

  private accepts(worker: Worker, kind: Kind, name: string): boolean {
    const names =
      kind === 'orchestrator'
        ? worker.filters.orchestrations
        : kind === 'entity'
          ? worker.filters.entities
          : worker.filters.activities;
    return names === undefined || names.has(name);
  }

  private clearDeadline(pending: Pending): void {
    if (pending.deadline !== undefined) clearTimeout(pending.deadline);
    pending.deadline = undefined;
  }

  /** An episode no worker can take now: fail it (the host parks the instance) and remember it. */
  private refuse(pending: Pending, reason: string): void {
    const key = `${pending.kind}:${pending.name}`;
    const entry = this.refused.get(key) ?? { kind: pending.kind, name: pending.name, instances: new Set() };
    entry.instances.add(pending.instanceId);
    this.refused.set(key, entry);
    this.finish(pending, new WorkerUnavailableError(reason));
  }

  private wakeRefused(worker: Worker): void {
    const woken: string[] = [];
    for (const [key, entry] of this.refused) {
      if (!this.accepts(worker, entry.kind, entry.name)) continue;
      this.refused.delete(key);
      woken.push(...entry.instances);
    }
    if (woken.length > 0) this.wake?.(woken);
  }

  private hasRoom(worker: Worker, kind: Kind): boolean {
    const limit = worker.limits[kind];
    return limit === undefined || limit <= 0 || worker.open[kind] < limit;
  }

  /**
   * Hands queued items to the least busy worker that accepts them and has room. An item whose
   * workers are all at their limit waits for one to finish an item.
   */
  private dispatch(): void {
    for (let i = 0; i < this.queue.length;) {
      const pending = this.queue[i] as Pending;
      let best: Worker | undefined;
      let served = false;
      for (const worker of this.workers) {
        if (!this.accepts(worker, pending.kind, pending.name) || pending.declined?.has(worker.id)) continue;
        served = true;
        if (!this.hasRoom(worker, pending.kind)) continue;
        if (best === undefined || worker.items.size < best.items.size) best = worker;
      }
      if (best === undefined) {
        if (!served && parks(pending.kind))
          this.refuse(
            pending,
            pending.declined === undefined
              ? `no connected worker serves '${pending.name}'`
              : `every connected worker that serves '${pending.name}' abandoned the work item (its version, say)`,
          );
        else i++;
        continue;
      }
      this.queue.splice(i, 1);
      pending.worker = best;
      best.items.add(pending);
      best.open[pending.kind]++;
      if (parks(pending.kind)) {
        const ms = this.options.answerTimeoutMs ?? 60_000;
        pending.deadline = setTimeout(() => {
          pending.deadline = undefined;
          this.logger.warn('a remote worker did not answer a work item in time; taken back', {
            instanceId: pending.instanceId,
            name: pending.name,
          });
          this.finish(pending, new WorkerUnavailableError(`the worker did not answer within ${ms} ms`));
        }, ms);
      }
      try {
        best.stream.write(pending.item);
      } catch (error) {
        this.logger.warn('writing a work item failed; the worker is dropped', { error: String(error) });
        this.disconnect(best);
        return;
      }
    }
  }

  private ping(worker: Worker): void {
    const item = new pb.WorkItem();
    item.setHealthping(new pb.HealthPing());
    try {
      worker.stream.write(item);
    } catch {
      this.disconnect(worker);
    }
  }
}
