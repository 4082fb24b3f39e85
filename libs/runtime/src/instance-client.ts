import {
  InstanceAlreadyExistsError,
  InstanceFinishedError,
  InstanceNotFoundError,
  InvalidArgumentError,
  isTerminalStatus,
  newEvent,
  OrchestratorNotRegisteredError,
  ConflictError,
  PayloadTooLargeError,
  payloadSize,
  RuntimeStatus,
  toTimestamp,
  validateInstanceId,
  type Clock,
  type EntityId,
  type HistoryEvent,
  type IdSource,
  type TraceContext,
} from '@durable/core';
import { waitingFacts, waitingNotes } from '@durable/engine';
import { partitionOf, Stream, type PartitionedLog } from '@durable/log';
import {
  Attr,
  endSpan,
  SpanKind,
  spanName,
  SpanType,
  startSpan,
  traceParentOf,
  tracingEnabled,
} from '@durable/telemetry';
import type { InstanceFilter, InstanceRecord, StateStore, StoredInstance } from '@durable/storage';
import { EntityClient } from './entity-client';
import type {
  CleanEntityStorageResult,
  EntityMetadata,
  EntityPage,
  EntityQuery,
  InstanceCounts,
  InstanceFilterQuery,
  InstancePage,
  InstanceQuery,
  InstanceService,
  InstanceStatus,
  InstanceWaiting,
  PurgeFilter,
  SignalWithStartOptions,
  StartOptions,
  StatusOptions,
} from './instance-service';
import { instanceMessage, type InstanceMessage } from './messages';
import { isResettable, resetCut, resetRequestOf, type ResetTarget } from './reset';
import { ScheduleClient } from './schedule-client';

export interface InstanceClientDeps {
  readonly log: PartitionedLog;
  readonly store: StateStore;
  readonly clock: Clock;
  readonly idSource: IdSource;
  /** Orchestrations that can be started. */
  readonly orchestrationNames: () => readonly string[];
  /** Largest input or event payload accepted, in bytes (default 1 MiB). */
  readonly maxPayloadBytes?: number;
  /** The host calls `notifyFinished` for every instance that finishes, so waiting can poll rarely. */
  readonly finishNotifications?: boolean;
  /** Entities that can be signalled (lower case); undefined accepts any name. */
  readonly entityNames?: () => readonly string[];
  /** The operations of a class-style entity; undefined when any may exist. */
  readonly entityOperations?: (name: string) => readonly string[] | undefined;
  /** The consumer group of the orchestration workers, to tell whether an instance's partition has an owner. */
  readonly orchestrationGroup?: string;
}

/** Starts remembered for `waitForCompletion` at most (a few hundred KB). */
const maxStartedRemembered = 10_000;

const finishedStatuses = [
  RuntimeStatus.Completed,
  RuntimeStatus.Failed,
  RuntimeStatus.Terminated,
  RuntimeStatus.Canceled,
];

/**
 * Instance management over the log and the store. A start writes the Pending instance document
 * (which carries the start message) before appending the message, so an acknowledged start is
 * never lost: if the append is lost, the partition owner resends it from the document.
 */
export class InstanceClient implements InstanceService {
  private readonly finishWaiters = new Map<string, Set<() => void>>();
  /**
   * Instances this client created and nobody has waited for yet, and whether a finish notice came
   * for them since: a caller that waits for an instance it just started knows it is not finished,
   * so the wait need not begin with a status read.
   */
  private readonly startedHere = new Map<string, boolean>();
  private readonly entities: EntityClient;
  /** Create, read, list, update, pause, resume and delete schedules of this task hub. */
  readonly schedules: ScheduleClient;

  constructor(private readonly deps: InstanceClientDeps) {
    this.schedules = new ScheduleClient(this);
    this.entities = new EntityClient({
      log: deps.log,
      store: deps.store,
      clock: deps.clock,
      idSource: deps.idSource,
      ...(deps.entityNames !== undefined ? { entityNames: deps.entityNames } : {}),
      ...(deps.entityOperations !== undefined ? { entityOperations: deps.entityOperations } : {}),
      checkPayload: (text, what) => this.checkPayload(text, what),
    });
  }

  signalEntity(
    entity: EntityId,
    operation: string,
    input?: string,
    options?: { scheduledTime?: Date; remote?: boolean; traceContext?: TraceContext },
  ): Promise<void> {
    return this.entities.signal(entity, operation, input, options);
  }

  deleteEntity(entity: EntityId): Promise<void> {
    return this.entities.delete(entity);
  }

  getEntity(entity: EntityId, options?: { includeState?: boolean }): Promise<EntityMetadata | undefined> {
    return this.entities.get(entity, options);
  }

  queryEntities(query?: EntityQuery): Promise<EntityPage> {
    return this.entities.query(query);
  }

  cleanEntityStorage(options: {
    removeEmptyEntities: boolean;
    releaseOrphanedLocks: boolean;
  }): Promise<CleanEntityStorageResult> {
    return this.entities.clean(options);
  }

  /** Wakes `waitForCompletion` callers early; hosts call it when a worker reports a finish. */
  notifyFinished(instanceId: string): void {
    if (this.startedHere.has(instanceId)) this.startedHere.set(instanceId, true);
    const waiters = this.finishWaiters.get(instanceId);
    if (waiters === undefined) return;
    this.finishWaiters.delete(instanceId);
    for (const wake of waiters) wake();
  }

  orchestrationNames(): readonly string[] {
    return this.deps.orchestrationNames();
  }

  async start(name: string, options: StartOptions = {}): Promise<{ instanceId: string }> {
    if (options.remote !== true && !this.deps.orchestrationNames().includes(name))
      throw new OrchestratorNotRegisteredError(name);
    const instanceId = options.instanceId ?? this.deps.idSource.newId();
    validateInstanceId(instanceId);
    this.checkPayload(options.input, 'input');
    if (options.scheduledStartTime !== undefined && Number.isNaN(options.scheduledStartTime.getTime())) {
      throw new InvalidArgumentError('scheduledStartTime is not a valid date');
    }
    // A generated id is new by construction; only a caller's id can name an existing instance.
    const existing =
      options.instanceId === undefined ? undefined : await this.deps.store.getInstance(instanceId);
    if (existing !== undefined) {
      const policy = options.reusePolicy ?? 'replaceFinished';
      if (policy === 'ignore') return { instanceId };
      if (policy === 'error' || !isTerminalStatus(existing.record.status))
        throw new InstanceAlreadyExistsError(instanceId);
    }
    await this.writeStart(name, instanceId, options, existing);
    return { instanceId };
  }

  async signalWithStart(
    name: string,
    eventName: string,
    options: SignalWithStartOptions,
  ): Promise<{ readonly instanceId: string; readonly started: boolean }> {
    if (options.remote !== true && !this.deps.orchestrationNames().includes(name))
      throw new OrchestratorNotRegisteredError(name);
    const { instanceId } = options;
    validateInstanceId(instanceId);
    if (typeof eventName !== 'string' || eventName.trim() === '')
      throw new InvalidArgumentError('event name must not be empty');
    this.checkPayload(options.input, 'input');
    this.checkPayload(options.eventData, 'event data');
    const event = newEvent('EventRaised', this.now(), {
      name: eventName,
      ...(options.eventData !== undefined ? { input: options.eventData } : {}),
    });
    // Either the event goes to the live instance, or it rides in the document that starts one:
    // the conditional write lets one caller start it, and the others, refused, send to it.
    for (;;) {
      const existing = await this.deps.store.getInstance(instanceId);
      if (existing !== undefined && !isTerminalStatus(existing.record.status)) {
        await this.deps.log.append([this.message({ instanceId, event })]);
        return { instanceId, started: false };
      }
      try {
        await this.writeStart(name, instanceId, options, existing, [event]);
        return { instanceId, started: true };
      } catch (error) {
        if (!(error instanceof InstanceAlreadyExistsError)) throw error;
      }
    }
  }

  /** Writes the Pending document (the commit point of a start), then appends its start message. */
  private async writeStart(
    name: string,
    instanceId: string,
    options: StartOptions,
    existing: StoredInstance | undefined,
    pendingEvents?: readonly HistoryEvent[],
  ): Promise<void> {
    const now = this.deps.clock.now();
    const executionId = this.deps.idSource.newId();
    // A caller's W3C context (REST header, gRPC field, trigger header) or the active span is the
    // parent; the execution's spans hang under this start's span, in whichever process they run.
    const span = tracingEnabled()
      ? startSpan({
          name: spanName(SpanType.CreateOrchestration, name, options.version),
          kind: SpanKind.PRODUCER,
          ...(options.traceContext !== undefined ? { parent: options.traceContext } : {}),
          attributes: {
            [Attr.Type]: SpanType.Orchestration,
            [Attr.TaskName]: name,
            [Attr.InstanceId]: instanceId,
            [Attr.ExecutionId]: executionId,
            ...(options.version !== undefined ? { [Attr.TaskVersion]: options.version } : {}),
          },
        })
      : undefined;
    const spanParent = span === undefined ? undefined : traceParentOf(span);
    const parentTraceContext: TraceContext | undefined =
      spanParent !== undefined
        ? {
            traceParent: spanParent,
            ...(options.traceContext?.traceState !== undefined
              ? { traceState: options.traceContext.traceState }
              : {}),
          }
        : options.traceContext;
    const event = newEvent('ExecutionStarted', toTimestamp(now), {
      name,
      ...(options.version !== undefined ? { version: options.version } : {}),
      ...(options.input !== undefined ? { input: options.input } : {}),
      orchestrationInstance: { instanceId, executionId },
      ...(options.scheduledStartTime !== undefined
        ? { scheduledStartTimestamp: options.scheduledStartTime.toISOString() }
        : {}),
      ...(options.tags !== undefined ? { tags: options.tags } : {}),
      ...(parentTraceContext !== undefined ? { parentTraceContext } : {}),
    });
    const start: InstanceMessage = { instanceId, event };
    const message = this.message(start);
    const record: InstanceRecord = {
      instanceId,
      partition: message.partition,
      name,
      ...(options.version !== undefined ? { version: options.version } : {}),
      executionId,
      status: 'Pending',
      ...(options.input !== undefined ? { input: options.input } : {}),
      createdAt: now,
      updatedAt: now,
      ...(options.scheduledStartTime !== undefined
        ? { scheduledStartAt: options.scheduledStartTime.getTime() }
        : {}),
      ...(options.tags !== undefined ? { tags: options.tags } : {}),
      historyLength: 0,
      appliedOffset: existing?.record.appliedOffset ?? -1,
      timers: [],
      pendingStart: message,
      ...(pendingEvents !== undefined ? { pendingEvents } : {}),
    };
    if (this.deps.finishNotifications === true) this.rememberStarted(instanceId);
    try {
      let etag: string;
      try {
        etag = await this.deps.store.putInstance(record, existing?.etag);
      } catch (error) {
        if (error instanceof ConflictError) throw new InstanceAlreadyExistsError(instanceId);
        throw error;
      }
      // A new document that holds only what the start message says (no events of a signal-with-start
      // waiting in it) need not be read by its partition owner.
      await this.deps.log.append([
        existing === undefined && pendingEvents === undefined
          ? this.message({ ...start, created: etag })
          : message,
      ]);
    } catch (error) {
      this.startedHere.delete(instanceId);
      if (span !== undefined) endSpan(span, { error: String(error) });
      throw error;
    }
    if (span !== undefined) endSpan(span);
  }

  async getStatus(instanceId: string, options: StatusOptions = {}): Promise<InstanceStatus | undefined> {
    validateInstanceId(instanceId);
    const stored = await this.deps.store.getInstance(instanceId);
    if (stored === undefined) return undefined;
    const status = toStatus(stored.record, options.includeInput ?? true, options.includeOutput ?? true);
    if (options.includeHistory !== true) return status;
    const history = await this.deps.store.readHistory(instanceId, stored.record.executionId);
    return { ...status, history };
  }

  async getWaiting(instanceId: string): Promise<InstanceWaiting | undefined> {
    validateInstanceId(instanceId);
    const stored = await this.deps.store.getInstance(instanceId);
    if (stored === undefined) return undefined;
    const record = stored.record;
    const live = !isTerminalStatus(record.status);
    const history = live ? await this.deps.store.readHistory(instanceId, record.executionId) : [];
    // The orchestration worker records what the code awaits at each commit: facts, not a replay here.
    const facts = waitingFacts(history, live ? record.awaitedEvents : []);
    const notes = waitingNotes(record.status, facts);
    const partition = partitionOf(instanceId, this.deps.log.partitionCount(Stream.Orchestrations));
    let partitionOwned: boolean | null = null;
    if (live) {
      partitionOwned = await this.partitionOwned(partition, notes);
      if (partitionOwned === false) {
        notes.push(
          `partition ${partition} has no owner: no orchestration worker holds it, so its messages wait in the log until one joins`,
        );
      }
      if (record.parkedEvents !== undefined) {
        // Parked explains a Pending instance better than "its owner has not started it".
        notes.splice(0, notes.length, ...notes.filter((note) => !note.startsWith('pending:')));
        notes.push(
          `no connected worker runs orchestration '${record.name}': ${record.parkedEvents.length} new event(s) are parked until a worker that has it connects`,
        );
      } else if (!this.deps.orchestrationNames().includes(record.name)) {
        notes.push(
          `no orchestration named '${record.name}' is registered in this process: it advances only while a remote (gRPC) worker that has it is connected`,
        );
      }
    } else {
      notes.push(`${record.status.toLowerCase()}: a finished instance waits on nothing`);
    }
    return {
      ...facts,
      instanceId,
      name: record.name,
      runtimeStatus: record.status,
      partition,
      partitionOwned,
      events: facts.events ?? null,
      notes,
    };
  }

  /** Whether a worker of the orchestration group holds the partition; null when unknown (and why, in notes). */
  private async partitionOwned(partition: number, notes: string[]): Promise<boolean | null> {
    const group = this.deps.orchestrationGroup;
    if (group === undefined) return null;
    try {
      const assigned = await this.deps.log.assignedPartitions(group, Stream.Orchestrations);
      if (assigned === undefined) {
        notes.push(
          `the orchestration workers are rebalancing their partitions: partition ${partition} is moving`,
        );
        return null;
      }
      return assigned.has(partition);
    } catch (error) {
      notes.push(`could not ask the log who owns partition ${partition}: ${String(error)}`);
      return null;
    }
  }

  async list(query: InstanceQuery = {}): Promise<InstancePage> {
    const pageSize = query.pageSize ?? 100;
    if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > 1000) {
      throw new InvalidArgumentError('page size must be an integer from 1 to 1000');
    }
    const orderBy = query.orderBy;
    const page = await this.deps.store.listInstances({
      pageSize,
      ...storeFilter(query),
      ...(orderBy !== undefined
        ? {
            orderBy: {
              by: orderBy.by === 'lastUpdatedTime' ? 'updatedAt' : 'createdAt',
              descending: orderBy.descending,
            },
          }
        : {}),
      ...(query.continuationToken !== undefined ? { continuationToken: query.continuationToken } : {}),
    });
    return {
      instances: page.records.map((r) => toStatus(r, query.includeInput ?? false, true)),
      ...(page.continuationToken !== undefined ? { continuationToken: page.continuationToken } : {}),
    };
  }

  async count(query: InstanceFilterQuery = {}): Promise<InstanceCounts> {
    const statuses = query.statuses ?? Object.values(RuntimeStatus);
    const filter = storeFilter(query);
    // One query per status: Cosmos (and its emulator) has no GROUP BY to do it in one.
    const counts = await Promise.all(
      statuses.map(
        async (status) =>
          [status, await this.deps.store.countInstances({ ...filter, statuses: [status] })] as const,
      ),
    );
    return {
      count: counts.reduce((sum, [, n]) => sum + n, 0),
      byRuntimeStatus: Object.fromEntries(counts),
    };
  }

  async raiseEvent(
    instanceId: string,
    eventName: string,
    data?: string,
    options: { traceContext?: TraceContext } = {},
  ): Promise<void> {
    if (typeof eventName !== 'string' || eventName.trim() === '')
      throw new InvalidArgumentError('event name must not be empty');
    this.checkPayload(data, 'event data');
    await this.requireLive(instanceId);
    const span = tracingEnabled()
      ? startSpan({
          name: spanName(SpanType.OrchestrationEvent, eventName),
          kind: SpanKind.PRODUCER,
          ...(options.traceContext !== undefined ? { parent: options.traceContext } : {}),
          attributes: {
            [Attr.Type]: SpanType.Event,
            [Attr.TaskName]: eventName,
            [Attr.EventTargetInstanceId]: instanceId,
          },
        })
      : undefined;
    const traceParent = span !== undefined ? traceParentOf(span) : options.traceContext?.traceParent;
    const event = newEvent('EventRaised', this.now(), {
      name: eventName,
      ...(data !== undefined ? { input: data } : {}),
    });
    await this.deps.log.append([
      this.message({ instanceId, event, ...(traceParent !== undefined ? { traceParent } : {}) }),
    ]);
    if (span !== undefined) endSpan(span);
  }

  async terminate(instanceId: string, reason?: string, options: { recursive?: boolean } = {}): Promise<void> {
    await this.requireLive(instanceId);
    await this.send(
      instanceId,
      newEvent('ExecutionTerminated', this.now(), {
        ...reasonPayload(reason),
        ...(options.recursive === true ? { recurse: true } : {}),
      }),
    );
  }

  async suspend(instanceId: string, reason?: string): Promise<void> {
    await this.requireLive(instanceId);
    await this.send(instanceId, newEvent('ExecutionSuspended', this.now(), reasonPayload(reason)));
  }

  async resume(instanceId: string, reason?: string): Promise<void> {
    await this.requireLive(instanceId);
    await this.send(instanceId, newEvent('ExecutionResumed', this.now(), reasonPayload(reason)));
  }

  async restart(
    instanceId: string,
    options: { newInstanceId?: boolean; remote?: boolean } = {},
  ): Promise<{ instanceId: string }> {
    validateInstanceId(instanceId);
    const stored = await this.deps.store.getInstance(instanceId);
    if (stored === undefined) throw new InstanceNotFoundError(instanceId);
    const { record } = stored;
    return this.start(record.name, {
      ...(options.newInstanceId === true ? {} : { instanceId }),
      ...(record.input !== undefined ? { input: record.input } : {}),
      ...(record.version !== undefined ? { version: record.version } : {}),
      ...(record.tags !== undefined ? { tags: record.tags } : {}),
      ...(options.remote === true ? { remote: true } : {}),
    });
  }

  async rewind(instanceId: string, reason?: string): Promise<void> {
    validateInstanceId(instanceId);
    const stored = await this.deps.store.getInstance(instanceId);
    if (stored === undefined) throw new InstanceNotFoundError(instanceId);
    if (stored.record.status !== 'Failed') {
      throw new InstanceFinishedError(
        instanceId,
        `${stored.record.status}; only a Failed instance can be rewound`,
      );
    }
    await this.deps.log.append([
      this.message({
        instanceId,
        rewind: true,
        event: newEvent('GenericEvent', this.now(), reasonPayloadAsData(reason)),
      }),
    ]);
  }

  async reset(instanceId: string, target: ResetTarget, reason?: string): Promise<void> {
    validateInstanceId(instanceId);
    const stored = await this.deps.store.getInstance(instanceId);
    if (stored === undefined || stored.record.entity !== undefined)
      throw new InstanceNotFoundError(instanceId);
    const { record } = stored;
    if (!isResettable(record.status))
      throw new InvalidArgumentError(
        `instance '${instanceId}' is ${record.status}; only a Completed, Failed or Terminated instance can be reset`,
      );
    const request = resetRequestOf(target, reason);
    // Checked here for a clear answer; the partition owner checks again against the history it has.
    resetCut(await this.deps.store.readHistory(instanceId, record.executionId), request);
    await this.deps.log.append([
      this.message({
        instanceId,
        executionId: record.executionId,
        reset: request,
        event: newEvent('GenericEvent', this.now(), reasonPayloadAsData(reason)),
      }),
    ]);
  }

  async purge(instanceId: string): Promise<boolean> {
    validateInstanceId(instanceId);
    const stored = await this.deps.store.getInstance(instanceId);
    if (stored === undefined) return false;
    if (!isTerminalStatus(stored.record.status)) {
      throw new InvalidArgumentError(
        `instance '${instanceId}' is ${stored.record.status}; only finished instances can be purged`,
      );
    }
    return this.deps.store.deleteInstance(instanceId);
  }

  async purgeWhere(filter: PurgeFilter): Promise<number> {
    const statuses = filter.statuses ?? finishedStatuses;
    const live = statuses.filter((s) => !isTerminalStatus(s));
    if (live.length > 0)
      throw new InvalidArgumentError(`only finished instances can be purged, not ${live.join(', ')}`);
    let deleted = 0;
    let token: string | undefined;
    const ids: string[] = [];
    do {
      const page = await this.deps.store.listInstances({
        pageSize: 500,
        statuses,
        ...(filter.createdFrom !== undefined ? { createdFrom: filter.createdFrom.getTime() } : {}),
        ...(filter.createdTo !== undefined ? { createdTo: filter.createdTo.getTime() } : {}),
        ...(token !== undefined ? { continuationToken: token } : {}),
      });
      ids.push(...page.records.map((r) => r.instanceId));
      token = page.continuationToken;
    } while (token !== undefined);
    for (const id of ids) if (await this.deps.store.deleteInstance(id)) deleted++;
    return deleted;
  }

  async waitForCompletion(
    instanceId: string,
    options: { timeoutMs?: number } = {},
  ): Promise<InstanceStatus | undefined> {
    const deadline = this.deps.clock.now() + (options.timeoutMs ?? 30_000);
    // Polling only backs up the finish notifications where the host sends them: it backs off further,
    // as each poll is a store read that a notice would have made unnecessary.
    const notified = this.deps.finishNotifications === true;
    let pollMs = notified ? 1000 : 50;
    const maxPollMs = notified ? 8000 : 1000;
    // Started here and no notice since: it is not finished, so the first read would only say so.
    let unfinished = notified && this.startedHere.get(instanceId) === false;
    this.startedHere.delete(instanceId);
    for (;;) {
      // Listen before reading, so that a finish between the two is not missed.
      const remaining = deadline - this.deps.clock.now();
      const wake = this.waitForFinish(instanceId, Math.max(0, Math.min(pollMs, remaining)));
      if (unfinished && remaining > 0) {
        unfinished = false;
        await wake.done;
        pollMs = Math.min(pollMs * 2, maxPollMs);
        continue;
      }
      const status = await this.getStatus(instanceId);
      if (status === undefined || isTerminalStatus(status.runtimeStatus) || remaining <= 0) {
        wake.cancel();
        return status;
      }
      await wake.done;
      pollMs = Math.min(pollMs * 2, maxPollMs);
    }
  }

  /** Notes a start for `waitForCompletion`, forgetting the oldest beyond a bound (callers that never wait). */
  private rememberStarted(instanceId: string): void {
    this.startedHere.delete(instanceId);
    if (this.startedHere.size >= maxStartedRemembered) {
      const oldest = this.startedHere.keys().next();
      if (oldest.done !== true) this.startedHere.delete(oldest.value);
    }
    this.startedHere.set(instanceId, false);
  }

  private waitForFinish(instanceId: string, ms: number): { done: Promise<void>; cancel: () => void } {
    const waiters = this.finishWaiters.get(instanceId) ?? new Set();
    this.finishWaiters.set(instanceId, waiters);
    let finish: () => void = () => undefined;
    const done = new Promise<void>((resolve) => {
      finish = (): void => {
        clearTimeout(timer);
        waiters.delete(finish);
        if (waiters.size === 0) this.finishWaiters.delete(instanceId);
        resolve();
      };
    });
    const timer = setTimeout(finish, ms);
    waiters.add(finish);
    return { done, cancel: finish };
  }

  private async requireLive(instanceId: string): Promise<InstanceRecord> {
    validateInstanceId(instanceId);
    const stored = await this.deps.store.getInstance(instanceId);
    if (stored === undefined) throw new InstanceNotFoundError(instanceId);
    if (isTerminalStatus(stored.record.status))
      throw new InstanceFinishedError(instanceId, stored.record.status);
    return stored.record;
  }

  async wake(instanceIds: readonly string[]): Promise<void> {
    const stamp = this.now();
    await this.deps.log.append(
      instanceIds.map((instanceId) =>
        this.message({ instanceId, wake: true, event: newEvent('GenericEvent', stamp, {}) }),
      ),
    );
  }

  private async send(instanceId: string, event: HistoryEvent): Promise<void> {
    await this.deps.log.append([this.message({ instanceId, event })]);
  }

  private message(message: InstanceMessage) {
    return instanceMessage(message, this.deps.log.partitionCount(Stream.Orchestrations));
  }

  private checkPayload(text: string | undefined, what: string): void {
    const limit = this.deps.maxPayloadBytes ?? 1024 * 1024;
    const size = payloadSize(text);
    if (size > limit) throw new PayloadTooLargeError(size, limit);
    if (text !== undefined) {
      try {
        JSON.parse(text);
      } catch {
        throw new InvalidArgumentError(`${what} is not valid JSON`);
      }
    }
  }

  private now(): string {
    return toTimestamp(this.deps.clock.now());
  }
}

function toStatus(record: InstanceRecord, includeInput: boolean, includeOutput: boolean): InstanceStatus {
  return {
    instanceId: record.instanceId,
    name: record.name,
    ...(record.version !== undefined ? { version: record.version } : {}),
    executionId: record.executionId,
    runtimeStatus: record.status,
    ...(includeInput && record.input !== undefined ? { input: record.input } : {}),
    ...(includeOutput && record.output !== undefined ? { output: record.output } : {}),
    ...(record.customStatus !== undefined ? { customStatus: record.customStatus } : {}),
    ...(record.failureDetails !== undefined ? { failureDetails: record.failureDetails } : {}),
    createdAt: toTimestamp(record.createdAt),
    lastUpdatedAt: toTimestamp(record.updatedAt),
    ...(record.completedAt !== undefined ? { completedAt: toTimestamp(record.completedAt) } : {}),
    ...(record.scheduledStartAt !== undefined
      ? { scheduledStartAt: toTimestamp(record.scheduledStartAt) }
      : {}),
    ...(record.parent !== undefined ? { parentInstanceId: record.parent.instanceId } : {}),
    ...(record.tags !== undefined ? { tags: record.tags } : {}),
  };
}

function reasonPayload(reason: string | undefined): { input?: string } {
  return reason === undefined ? {} : { input: JSON.stringify(reason) };
}

function reasonPayloadAsData(reason: string | undefined): { data?: string } {
  return reason === undefined ? {} : { data: JSON.stringify(reason) };
}

function storeFilter(query: InstanceFilterQuery): InstanceFilter {
  return {
    ...(query.statuses !== undefined ? { statuses: query.statuses } : {}),
    ...(query.name !== undefined ? { name: query.name } : {}),
    ...(query.createdFrom !== undefined ? { createdFrom: query.createdFrom.getTime() } : {}),
    ...(query.createdTo !== undefined ? { createdTo: query.createdTo.getTime() } : {}),
    ...(query.instanceIdPrefix !== undefined ? { instanceIdPrefix: query.instanceIdPrefix } : {}),
    ...(query.instanceIdContains !== undefined ? { instanceIdContains: query.instanceIdContains } : {}),
  };
}
