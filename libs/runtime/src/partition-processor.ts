import {
  fromTimestamp,
  isEntityInstanceId,
  isTerminalStatus,
  newEvent,
  OwnershipLostError,
  parseEntityInstanceId,
  toTimestamp,
  type Clock,
  type CompleteOrchestrationAction,
  type ExecutionStartedEvent,
  type HistoryEvent,
  type IdSource,
  type OrchestratorAction,
  type RuntimeStatus,
  WorkerUnavailableError,
} from '@durable/core';
import {
  EntityExecutor,
  type EpisodeExecutor,
  type EpisodeSession,
  type ExecutionResult,
  type Logger,
} from '@durable/engine';
import { Stream, type LogRecord, type PartitionedLog } from '@durable/log';
import type {
  InstanceRecord,
  InstanceWrite,
  OutboxMessage,
  PendingTimer,
  StateStore,
  StoredInstance,
} from '@durable/storage';
import { SequentialBatchCommitter, type BatchCommitter } from './batch-committer';
import { actionEffects, parentNotification, unlockMessages, type Routing } from './effects';
import { incarnationOf, runEntityEpisode, type EntityRunner } from './entity-episode';
import {
  acceptFromSource,
  collectOpenTasks,
  outputOf,
  pendingRecord,
  pick,
  resultTaskId,
  withoutUndefined,
} from './instance-state';
import type { FaultHook } from './faults';
import {
  activityCancellationMessage,
  activityMessage,
  instanceMessage,
  parseInstanceMessage,
  type InstanceMessage,
} from './messages';
import { isResettable, resetCut, resetEvent, type ResetRequest } from './reset';
import { maxTimeoutMs, TimerQueue } from './timer-queue';
import { InstanceTrace, type SpanRecord } from './instance-tracing';
import { durableMetrics, emitSpan, MetricAttr, tracingEnabled } from '@durable/telemetry';

export interface ProcessorDeps {
  readonly log: PartitionedLog;
  readonly store: StateStore;
  /** Runs episodes: the in-process executor, or one that routes some names to remote workers. */
  readonly executor: EpisodeExecutor;
  /** Runs entity operations (default: in process, with the executor's registry). */
  readonly entities?: EntityRunner;
  readonly clock: Clock;
  readonly idSource: IdSource;
  readonly logger: Logger;
  /** Consumer group of the orchestration workers. */
  readonly group: string;
  readonly faults?: FaultHook;
  /** How a batch becomes durable (default: store commit, then outbox, then offset). */
  readonly committer?: BatchCommitter;
  /** Records per batch (default 500). */
  readonly maxBatch?: number;
  /**
   * After a batch smaller than `maxBatch`, wait this long before reading the next (default 0), so that
   * under load batches grow and their fixed costs (a store request, a produce request, an offset
   * commit) spread over more messages. The first message after an idle spell never waits.
   */
  readonly batchLingerMs?: number;
  /** Drop an idle instance's cached state after this long (default 60 s). */
  readonly idleEvictMs?: number;
  /** Called when a newer owner's epoch fenced this processor out and it stopped by itself. */
  readonly onFenced?: (partition: number) => void;
  /** Called after an instance finished and the commit is durable. */
  readonly onFinished?: (instanceId: string, status: RuntimeStatus) => void;
  /** How long a parked episode (no remote worker could run it) waits before it is tried again (default 10 s). */
  readonly parkedRetryMs?: number;
}

/** Why a read is cut short; a plain value, as the default (a DOMException) costs a stack trace. */
const wakeReason = 'wake';

/** The timer id used for a scheduled start. */
const startTimerId = -1;
/** The timer id that wakes a parked episode. */
const wakeTimerId = -2;

interface CachedInstance {
  stored: StoredInstance | undefined;
  /**
   * Set when `stored` was taken from a start message rather than read: the document a client
   * created at that etag, for that execution, with no history yet.
   */
  created?: { readonly etag: string; readonly executionId: string } | undefined;
  session: EpisodeSession | undefined;
  /** Task ids awaiting a result, with the child instance id for sub-orchestrations. */
  openTasks: Map<number, string | undefined>;
  /** Actions a replay produced that history does not have yet (e.g. a non-determinism failure). */
  replayActions: OrchestratorAction[];
  lastUsed: number;
  /** The execution's spans, when tracing and the orchestration runs in process. */
  trace?: InstanceTrace | undefined;
}

interface Delivery {
  readonly offset: number;
  readonly message: InstanceMessage;
}

/**
 * An instance whose episode (or entity batch) runs on a remote worker. The partition does not wait
 * for it: later batches go on while it runs, and its change is committed with the batch after it
 * settles. Meanwhile its new messages are held, in order, to apply once that change is committed.
 */
interface Detached {
  /** The lowest offset it has not applied yet: the partition's log offset stays at or below it. */
  readonly firstOffset: number;
  readonly entry: CachedInstance;
  readonly held: Delivery[];
  /** Set when the remote work settled: its change (none when nothing changed). */
  settled?: { readonly change: Change | undefined };
}

interface Change {
  readonly write: InstanceWrite;
  readonly outbox: OutboxMessage[];
  readonly timers: PendingTimer[];
  readonly finished: RuntimeStatus | undefined;
  /** Spans to emit once the commit is durable. */
  readonly spans?: SpanRecord[];
  /** When tracing: the episode that ran, to emit as a span ending at the commit. */
  readonly episode?: { readonly trace: InstanceTrace; readonly start: number; readonly events: number };
  /** The orchestration name, for metrics of a start or an end. */
  readonly started?: string;
}

/**
 * Owns one partition of the orchestrations stream: reads a batch of messages, runs each instance's
 * episode on its cached session, commits all instance documents with one store commit, then sends
 * the outbox and commits the log offset. After a crash anywhere in that sequence, the committed
 * `appliedOffset` of each instance drops re-read messages and `partitionWork` resends outboxes.
 */
export class PartitionProcessor {
  private readonly cache = new Map<string, CachedInstance>();
  private readonly timers = new TimerQueue<{
    instanceId: string;
    executionId: string;
    timer: PendingTimer;
  }>();
  private timerHandle: ReturnType<typeof setTimeout> | undefined;
  /** Where the next read starts. */
  private nextOffset = 0;
  /** The log offset last committed: never past a message some instance has not applied. */
  private committedOffset = 0;
  /**
   * Start messages from here on are new to every owner since this one recovered: only they are trusted
   * to describe the document their client created (one read again may have been applied already).
   */
  private trustStartsFrom = Number.MAX_SAFE_INTEGER;
  private stopped = false;
  /** Aborts the read in progress: on stop, or when detached work settled and waits for a commit. */
  private readWake = new AbortController();
  private readonly detached = new Map<string, Detached>();
  /** Held messages of instances whose detached change was committed: applied in the next batch. */
  private readonly released = new Map<string, Delivery[]>();
  /** Detached instances whose work settled: their changes wait for the next commit. */
  private settledCount = 0;
  /** Detached work that failed: the next batch throws it, and the partition recovers. */
  private detachedFailure: { readonly error: unknown } | undefined;
  /** Bumped on recovery and stop, so that detached work started before is ignored when it settles. */
  private generation = 0;
  private loop: Promise<void> | undefined;
  private readonly partitions: number;
  private readonly activityPartitions: number;
  private readonly routing: Routing;
  private readonly committer: BatchCommitter;
  private readonly entities: EntityRunner;

  constructor(
    readonly partition: number,
    private readonly epoch: number,
    private readonly deps: ProcessorDeps,
  ) {
    this.partitions = deps.log.partitionCount(Stream.Orchestrations);
    this.activityPartitions = deps.log.partitionCount(Stream.Activities);
    this.routing = { partitions: this.partitions, activityPartitions: this.activityPartitions };
    this.committer = deps.committer ?? new SequentialBatchCommitter(deps.store, deps.log);
    this.entities = deps.entities ?? new EntityExecutor(deps.executor.registry, { logger: deps.logger });
  }

  /** The offset of the next message this processor reads. */
  get readPosition(): number {
    return this.nextOffset;
  }

  get cachedInstances(): number {
    return this.cache.size;
  }

  /** Durable timers armed in memory (activity retries, waits, scheduled starts, wakes). */
  get pendingTimers(): number {
    return this.timers.size;
  }

  /** Claims the partition (throws OwnershipLostError if a newer owner did) and starts processing. */
  async start(): Promise<void> {
    await this.deps.store.claimPartition(this.partition, this.epoch);
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.readWake.abort(wakeReason);
    this.forgetDetached();
    if (this.timerHandle !== undefined) clearTimeout(this.timerHandle);
    await this.loop;
    this.cache.clear();
    this.timers.clear();
  }

  /** Reloads the committed position, resends unsent outboxes and pending starts, re-arms timers. */
  private async recover(): Promise<void> {
    this.cache.clear();
    this.timers.clear();
    this.forgetDetached();
    this.nextOffset = await this.deps.log.committedOffset(
      this.deps.group,
      Stream.Orchestrations,
      this.partition,
    );
    this.committedOffset = this.nextOffset;
    this.trustStartsFrom = await this.deps.log.endOffset(Stream.Orchestrations, this.partition);
    const work = await this.deps.store.partitionWork(this.partition, this.nextOffset);
    const resend: OutboxMessage[] = [];
    for (const { record } of work) {
      if (record.outbox !== undefined && record.outbox.offset >= this.nextOffset)
        resend.push(...record.outbox.messages);
      if (record.pendingStart !== undefined && !record.timers.some((t) => t.id === startTimerId))
        resend.push(this.startPendingMessage(record.instanceId, record.executionId));
      for (const timer of record.timers)
        this.timers.push(timer.fireAt, {
          instanceId: record.instanceId,
          executionId: record.executionId,
          timer,
        });
    }
    if (resend.length > 0) await this.deps.log.append(resend);
    this.armTimers();
  }

  /** Recovers until it succeeds: processing on a half-recovered partition could skip timers or sends. */
  private async recoverFully(): Promise<void> {
    for (let attempt = 1; !this.stopped; attempt++) {
      try {
        await this.recover();
        return;
      } catch (error) {
        if (error instanceof OwnershipLostError) throw error;
        this.deps.logger.error('recovery failed; retrying', {
          partition: this.partition,
          attempt,
          error: String(error),
        });
        await sleep(Math.min(100 * attempt, 2000));
      }
    }
  }

  /** Stops after an error; tells the owner when it was a newer epoch (not its own stop) that ended it. */
  private fenced(error: unknown): void {
    const byOwner = this.stopped;
    this.stopped = true;
    if (!byOwner && error instanceof OwnershipLostError) this.deps.onFenced?.(this.partition);
  }

  private async run(): Promise<void> {
    const maxRecords = this.deps.maxBatch ?? 500;
    try {
      await this.recoverFully();
    } catch (error) {
      this.fenced(error);
      return;
    }
    while (!this.stopped) {
      let records: LogRecord[];
      // One controller serves reads until something aborts it.
      if (this.readWake.signal.aborted) this.readWake = new AbortController();
      // Work that waits for a commit already: take what the log has, without waiting for more.
      if (this.hasWorkToCommit()) this.readWake.abort(wakeReason);
      try {
        records = await this.deps.log.read(Stream.Orchestrations, this.partition, this.nextOffset, {
          maxRecords,
          waitMs: 1000,
          signal: this.readWake.signal,
        });
      } catch (error) {
        if (this.stopped) return;
        this.deps.logger.warn('reading the partition failed; retrying', {
          partition: this.partition,
          error: String(error),
        });
        await sleep(100);
        continue;
      }
      if (this.stopped) return;
      if (records.length === 0 && !this.hasWorkToCommit()) {
        this.evictIdle();
        continue;
      }
      try {
        await this.processBatch(records);
        const lingerMs = this.deps.batchLingerMs ?? 0;
        if (lingerMs > 0 && records.length < maxRecords && !this.stopped) await sleep(lingerMs);
      } catch (error) {
        if (error instanceof OwnershipLostError || this.stopped) {
          this.deps.logger.warn('partition lost; stopping', {
            partition: this.partition,
            error: String(error),
          });
          this.fenced(error);
          return;
        }
        this.deps.logger.error('batch failed; recovering from the last commit', {
          partition: this.partition,
          error: error instanceof Error ? (error.stack ?? error.message) : String(error),
        });
        await sleep(50);
        try {
          await this.recoverFully();
        } catch (recoveryError) {
          this.fenced(recoveryError);
          return;
        }
      }
    }
  }

  private hasWorkToCommit(): boolean {
    if (this.released.size > 0 || this.detachedFailure !== undefined) return true;
    return this.settledCount > 0;
  }

  /** Drops the detached work in flight: what it would produce is ignored when it settles. */
  private forgetDetached(): void {
    this.generation++;
    this.detached.clear();
    this.settledCount = 0;
    this.released.clear();
    this.detachedFailure = undefined;
  }

  /** Whether the instance's work runs on a remote worker, so that the batch must not wait for it. */
  private runsRemotely(instanceId: string, entry: CachedInstance, messages: readonly Delivery[]): boolean {
    if (isEntityInstanceId(instanceId))
      return this.entities.runsRemotely?.(parseEntityInstanceId(instanceId).name) === true;
    if (this.deps.executor.runsRemotely === undefined) return false;
    let name = entry.stored?.record.name;
    for (const { message } of messages)
      if (message.event.type === 'ExecutionStarted') name = message.event.name;
    return name !== undefined && this.deps.executor.runsRemotely(name);
  }

  /** Starts the instance's remote work without waiting for it; a later batch commits its change. */
  private detach(
    instanceId: string,
    entry: CachedInstance,
    messages: readonly Delivery[],
    now: number,
    batchLastOffset: number,
  ): void {
    const detached: Detached = { firstOffset: (messages[0] as Delivery).offset, entry, held: [] };
    this.detached.set(instanceId, detached);
    const generation = this.generation;
    const work = isEntityInstanceId(instanceId)
      ? this.applyEntityMessages(instanceId, entry, messages, now, batchLastOffset)
      : this.applyMessages(instanceId, entry, messages, now, batchLastOffset);
    work.then(
      (change) => {
        if (generation !== this.generation) return;
        detached.settled = { change };
        this.settledCount++;
        this.readWake.abort(wakeReason);
      },
      (error: unknown) => {
        if (generation !== this.generation) return;
        this.detachedFailure ??= { error };
        this.readWake.abort(wakeReason);
      },
    );
  }

  private async processBatch(records: readonly LogRecord[]): Promise<void> {
    if (this.detachedFailure !== undefined) throw this.detachedFailure.error;
    const now = this.deps.clock.now();
    const byInstance = new Map<string, Delivery[]>();
    // Messages held while an instance's remote work ran come before anything read after them.
    for (const [instanceId, held] of this.released) byInstance.set(instanceId, held);
    this.released.clear();
    for (const record of records) {
      let message: InstanceMessage;
      try {
        message = parseInstanceMessage(record.value);
      } catch (error) {
        this.deps.logger.warn('dropping a malformed message', {
          partition: this.partition,
          offset: record.offset,
          error: String(error),
        });
        continue;
      }
      const delivery = { offset: record.offset, message };
      const detached = this.detached.get(message.instanceId);
      if (detached !== undefined) {
        detached.held.push(delivery);
        continue;
      }
      const list = byInstance.get(message.instanceId) ?? [];
      list.push(delivery);
      byInstance.set(message.instanceId, list);
    }
    const readUpTo =
      records.length > 0 ? (records[records.length - 1] as LogRecord).offset + 1 : this.nextOffset;
    // Every message applied here has an offset below readUpTo and at or above the committed offset.
    const batchLastOffset = readUpTo - 1;

    const changes: Array<{ instanceId: string; entry: CachedInstance; change: Change }> = [];
    // Instances are independent: their episodes run side by side, so the event-loop turns each one
    // waits for its orchestrator code to settle overlap instead of adding up.
    const applied = await Promise.all(
      [...byInstance].map(async ([instanceId, messages]) => {
        const entry = await this.load(instanceId, now, messages[0]);
        if (this.runsRemotely(instanceId, entry, messages)) {
          this.detach(instanceId, entry, messages, now, batchLastOffset);
          return undefined;
        }
        const change = isEntityInstanceId(instanceId)
          ? await this.applyEntityMessages(instanceId, entry, messages, now, batchLastOffset)
          : await this.applyMessages(instanceId, entry, messages, now, batchLastOffset);
        return change === undefined ? undefined : { instanceId, entry, change };
      }),
    );
    for (const item of applied) if (item !== undefined) changes.push(item);
    const settled: string[] = [];
    for (const [instanceId, detached] of this.detached) {
      if (detached.settled === undefined) continue;
      settled.push(instanceId);
      this.settledCount--;
      const { change } = detached.settled;
      if (change !== undefined) changes.push({ instanceId, entry: detached.entry, change });
    }
    // The log offset stays at the first message an instance has not applied yet (its remote work
    // runs, or its messages are held): after a crash, those are read again.
    let nextOffset = readUpTo;
    for (const detached of this.detached.values()) {
      const first = detached.settled !== undefined ? detached.held[0]?.offset : detached.firstOffset;
      if (first !== undefined) nextOffset = Math.min(nextOffset, first);
    }
    this.nextOffset = readUpTo;
    if (changes.length === 0 && nextOffset === this.committedOffset) {
      this.release(settled);
      this.dropUnlessRunning([...byInstance.keys(), ...settled]);
      return;
    }

    const commitStart = this.deps.clock.now();
    const etags = await this.committer.commit(
      {
        partition: this.partition,
        epoch: this.epoch,
        writes: changes.map((c) => c.change.write),
        outbox: changes.flatMap((c) => c.change.outbox),
        group: this.deps.group,
        nextOffset,
      },
      this.deps.faults,
    );
    for (const { instanceId, entry, change } of changes) {
      entry.stored = { record: change.write.record, etag: etags.get(instanceId) ?? '' };
    }
    this.committedOffset = nextOffset;
    this.release(settled);

    const committedAt = this.deps.clock.now();
    const metrics = durableMetrics();
    metrics.commitDuration.record(committedAt - commitStart);
    metrics.batchMessages.record(records.length);
    let outboxSize = 0;
    for (const { instanceId, change } of changes) {
      for (const timer of change.timers) {
        this.timers.push(timer.fireAt, { instanceId, executionId: change.write.record.executionId, timer });
      }
      outboxSize += change.outbox.length;
      const name = change.write.record.name;
      if (change.started !== undefined)
        metrics.orchestrationsStarted.add(1, { [MetricAttr.Name]: change.started });
      if (change.finished !== undefined) {
        if (!isEntityInstanceId(instanceId))
          metrics.orchestrationsCompleted.add(1, {
            [MetricAttr.Name]: name,
            [MetricAttr.Status]: change.finished,
          });
        this.deps.onFinished?.(instanceId, change.finished);
      }
      if (change.spans !== undefined) for (const span of change.spans) emitSpan(span);
      if (change.episode !== undefined) {
        const { trace, start, events } = change.episode;
        emitSpan(trace.episode(start, committedAt, events, this.partition));
      }
    }
    if (outboxSize > 0) metrics.outboxMessages.record(outboxSize);
    // Keep only instances that are running: anything else is cheap to reload and may change elsewhere
    // (a client replacing a finished instance, for one).
    // Entities stay: their documents change only here, and a hot entity is read once.
    this.dropUnlessRunning([...byInstance.keys(), ...settled]);
    this.armTimers();
  }

  private dropUnlessRunning(instanceIds: readonly string[]): void {
    for (const instanceId of instanceIds) {
      if (
        this.cache.get(instanceId)?.session === undefined &&
        !isEntityInstanceId(instanceId) &&
        !this.detached.has(instanceId) &&
        !this.released.has(instanceId)
      )
        this.cache.delete(instanceId);
    }
  }

  /** Ends the detached state of instances whose change is committed; their held messages go next. */
  private release(instanceIds: readonly string[]): void {
    for (const instanceId of instanceIds) {
      const detached = this.detached.get(instanceId);
      this.detached.delete(instanceId);
      if (detached !== undefined && detached.held.length > 0) this.released.set(instanceId, detached.held);
    }
  }

  private async load(instanceId: string, now: number, first: Delivery | undefined): Promise<CachedInstance> {
    const cached = this.cache.get(instanceId);
    if (cached !== undefined) {
      cached.lastUsed = now;
      return cached;
    }
    const created = this.createdBy(first);
    if (created !== undefined) {
      const entry: CachedInstance = {
        ...created,
        session: undefined,
        openTasks: new Map(),
        replayActions: [],
        lastUsed: now,
      };
      this.cache.set(instanceId, entry);
      return entry;
    }
    const stored = await this.deps.store.getInstance(instanceId);
    const entry: CachedInstance = {
      stored,
      session: undefined,
      openTasks: new Map(),
      replayActions: [],
      lastUsed: now,
    };
    const record = stored?.record;
    if (record !== undefined && !isTerminalStatus(record.status) && record.historyLength > 0) {
      const history = await this.deps.store.readHistory(instanceId, record.executionId);
      entry.session = this.deps.executor.createSession();
      const replay = await entry.session.execute(history, []);
      entry.replayActions = [...replay.actions];
      collectOpenTasks([...history, ...(record.parkedEvents ?? [])], entry.openTasks);
      entry.trace = this.traceOf(record);
      entry.trace?.replay(history);
    } else if (
      record !== undefined &&
      !isTerminalStatus(record.status) &&
      record.parkedEvents !== undefined
    ) {
      // Parked in its first episode: the parked events start it.
      entry.session = this.deps.executor.createSession();
    }
    this.cache.set(instanceId, entry);
    return entry;
  }

  /**
   * The document a client created for a start, from the start message, when it is the instance's
   * first message here and new since this owner recovered. A wrong guess costs no correctness: the
   * commit is conditional on the etag, so it fails and the partition recovers (reading documents).
   */
  private createdBy(first: Delivery | undefined): Pick<CachedInstance, 'stored' | 'created'> | undefined {
    if (first === undefined || first.offset < this.trustStartsFrom) return undefined;
    const { message } = first;
    const event = message.event;
    if (message.created === undefined || event.type !== 'ExecutionStarted') return undefined;
    const { instanceId } = message;
    const record = pendingRecord(
      instanceId,
      event,
      this.partition,
      fromTimestamp(event.timestamp),
      instanceMessage({ instanceId, event }, this.partitions),
      undefined,
    );
    const executionId = event.orchestrationInstance.executionId;
    return { stored: { record, etag: message.created }, created: { etag: message.created, executionId } };
  }

  private async applyEntityMessages(
    instanceId: string,
    entry: CachedInstance,
    messages: ReadonlyArray<{ offset: number; message: InstanceMessage }>,
    now: number,
    batchLastOffset: number,
  ): Promise<Change | undefined> {
    const before = entry.stored?.record;
    const parked = (before?.parkedMessages ?? []).map(({ offset, value }) => ({
      offset,
      message: parseInstanceMessage(value),
    }));
    let episode;
    try {
      episode = await runEntityEpisode(
        instanceId,
        before === undefined
          ? undefined
          : { ...before, timers: before.timers.filter((t) => t.id !== wakeTimerId) },
        [...parked, ...messages],
        now,
        this.partition,
        this.partitions,
        this.entities,
        this.deps.clock,
      );
    } catch (error) {
      if (!(error instanceof WorkerUnavailableError)) throw error;
      return this.parkEntity(instanceId, entry, parked, messages, now);
    }
    if (episode === undefined) return undefined;
    const record: InstanceRecord =
      episode.outbox.length > 0 && !this.committer.atomic
        ? { ...episode.record, outbox: { offset: batchLastOffset, messages: episode.outbox } }
        : episode.record;
    return {
      write: { record, expectedEtag: entry.stored?.etag },
      outbox: episode.outbox,
      timers: episode.timers,
      finished: undefined,
      ...(episode.spans.length > 0 ? { spans: episode.spans } : {}),
    };
  }

  /**
   * No remote worker could run the entity's operations: nothing of the batch happened. Its messages
   * wait on the document (the applied offset stays where it was, so they apply when it wakes).
   */
  private parkEntity(
    instanceId: string,
    entry: CachedInstance,
    parked: ReadonlyArray<{ offset: number; message: InstanceMessage }>,
    messages: ReadonlyArray<{ offset: number; message: InstanceMessage }>,
    now: number,
  ): Change {
    const before = entry.stored?.record;
    const applied = before?.appliedOffset ?? -1;
    const fresh = messages.filter((m) => m.offset > applied && m.message.wake !== true);
    const wake: PendingTimer = { id: wakeTimerId, fireAt: now + (this.deps.parkedRetryMs ?? 10_000) };
    const record: InstanceRecord = {
      ...(before ?? {
        instanceId,
        partition: this.partition,
        name: parseEntityInstanceId(instanceId).name,
        executionId: incarnationOf(now),
        status: 'Running',
        createdAt: now,
        historyLength: 0,
        appliedOffset: -1,
        entity: { queue: [], scheduled: [], seq: 0, nextTimerId: 1 },
      }),
      updatedAt: now,
      timers: [...(before?.timers ?? []).filter((t) => t.id !== wakeTimerId), wake],
      parkedMessages: [...parked, ...fresh].map(({ offset, message }) => ({
        offset,
        value: JSON.stringify(message),
      })),
    };
    this.deps.logger.info('no remote worker can run the entity now; parked', {
      instanceId,
      partition: this.partition,
    });
    return {
      write: { record, expectedEtag: entry.stored?.etag },
      outbox: [],
      timers: [wake],
      finished: undefined,
    };
  }

  private async applyMessages(
    instanceId: string,
    entry: CachedInstance,
    messages: ReadonlyArray<{ offset: number; message: InstanceMessage }>,
    now: number,
    batchLastOffset: number,
  ): Promise<Change | undefined> {
    const before = entry.stored?.record;
    let record = before;
    let appliedOffset = record?.appliedOffset ?? -1;
    const events: HistoryEvent[] = [];
    let receivedFrom = record?.receivedFrom;
    let timers = record?.timers ?? [];
    let pendingEvents = record?.pendingEvents ?? [];
    let changed = false;
    let startNow: ExecutionStartedEvent | undefined;
    let startArmed = false;

    let rewind = false;
    let reset: ResetRequest | undefined;
    let terminatedEarly = false;
    // Raised events' sender spans, linked from the receiver's span.
    const carriedTrace = new Map<HistoryEvent, string>();
    // Messages that answer a start refused or repeated (to a parent), sent whatever else happens.
    const replies: OutboxMessage[] = [];
    for (const item of messages) {
      if (item.offset <= appliedOffset) continue;
      appliedOffset = item.offset;
      let message = item.message;
      if (message.startPending === true) {
        const start = record?.pendingStart;
        if (start === undefined || record?.executionId !== message.executionId) continue;
        message = parseInstanceMessage(start.value);
      }
      const event = message.event;
      if (message.rewind === true) {
        rewind = record?.status === 'Failed';
        continue;
      }
      if (message.reset !== undefined) {
        const current =
          record !== undefined &&
          isResettable(record.status) &&
          (message.executionId === undefined || message.executionId === record.executionId);
        reset = current ? message.reset : undefined;
        continue;
      }
      if (message.wake === true) {
        if (record?.parkedEvents !== undefined && !isTerminalStatus(record.status)) changed = true;
        continue;
      }
      if (event.type === 'EntityLockGranted') {
        const waiting =
          record !== undefined &&
          !isTerminalStatus(record.status) &&
          (message.executionId === undefined || message.executionId === record.executionId) &&
          record.locks?.criticalSectionId === event.criticalSectionId;
        if (!waiting) {
          // Granted to an execution that has ended: release the locks at once, nobody will.
          replies.push(
            ...unlockMessages(this.routing, instanceId, event.criticalSectionId, message.lockSet ?? [], now),
          );
          continue;
        }
        if (record?.locks?.granted === true) continue; // a repeated grant
      }

      if (event.type === 'ExecutionStarted') {
        const executionId = event.orchestrationInstance.executionId;
        const sameExecution = record !== undefined && record.executionId === executionId;
        if (
          record !== undefined &&
          sameExecution &&
          (startNow?.orchestrationInstance.executionId === executionId ||
            record.historyLength > 0 ||
            record.parkedEvents !== undefined ||
            isTerminalStatus(record.status))
        ) {
          // A resent start of an execution that already began. A parent that asks again (after a
          // rewind, say) gets the result again; it drops what it already has.
          if (isTerminalStatus(record.status) && event.parentInstance !== undefined) {
            replies.push(...parentNotification(this.routing, record, record.status, now));
          }
          continue;
        }
        if (!sameExecution && record !== undefined && !isTerminalStatus(record.status)) {
          // The id is taken by a live instance: refuse, and tell a parent so that it does not wait.
          if (event.parentInstance !== undefined) {
            replies.push(
              ...parentNotification(
                this.routing,
                { ...record, parent: event.parentInstance },
                'Failed',
                now,
                {
                  errorType: 'InstanceAlreadyExistsError',
                  errorMessage: `an orchestration instance with id '${instanceId}' is already running`,
                },
              ),
            );
          }
          continue;
        }
        const due =
          event.scheduledStartTimestamp === undefined || fromTimestamp(event.scheduledStartTimestamp) <= now;
        if (!sameExecution) pendingEvents = [];
        record = pendingRecord(
          instanceId,
          event,
          this.partition,
          now,
          instanceMessage({ instanceId, event }, this.partitions),
          record,
        );
        timers = due
          ? []
          : [{ id: startTimerId, fireAt: fromTimestamp(event.scheduledStartTimestamp as string) }];
        startArmed = !due;
        changed = true;
        if (due) {
          startNow = event;
          events.length = 0;
          entry.session = this.deps.executor.createSession();
          entry.trace = this.traceOf(record);
          entry.openTasks.clear();
          entry.replayActions = [];
          events.push(event, ...pendingEvents);
          pendingEvents = [];
        }
        continue;
      }
      if (record === undefined || isTerminalStatus(record.status)) continue;
      if (message.executionId !== undefined && message.executionId !== record.executionId) continue;
      const taskId = resultTaskId(event);
      if (taskId !== undefined) {
        if (!entry.openTasks.has(taskId)) continue; // a duplicate result
        if (event.type === 'TimerFired') {
          // Only the timer the instance waits for now (a rewind may have created it again, later).
          const fireAt = fromTimestamp(event.fireAt);
          if (!timers.some((t) => t.id === taskId && t.fireAt === fireAt)) continue;
          timers = timers.filter((t) => t.id !== taskId);
        }
        entry.openTasks.delete(taskId);
      }
      if (message.source !== undefined) {
        const accepted = acceptFromSource(receivedFrom, message.source);
        if (accepted === undefined) continue;
        receivedFrom = accepted;
      }
      if (event.type === 'EntityLockGranted' && record.locks !== undefined) {
        record = { ...record, locks: { ...record.locks, granted: true } };
      }
      changed = true;
      if (entry.session === undefined) {
        // Not started yet (scheduled start, or a continue-as-new in flight).
        if (event.type === 'ExecutionTerminated') {
          record = {
            ...record,
            status: 'Terminated',
            completedAt: now,
            updatedAt: now,
            ...outputOf(event.input),
          };
          timers = [];
          pendingEvents = [];
          const { pendingStart: _dropped, ...rest } = record;
          record = rest;
          replies.push(...parentNotification(this.routing, record, 'Terminated', now));
          terminatedEarly = true;
          continue;
        }
        pendingEvents = [...pendingEvents, event];
        continue;
      }
      events.push(event);
      if (message.traceParent !== undefined) carriedTrace.set(event, message.traceParent);
    }

    if (rewind && record !== undefined && record.status === 'Failed') {
      return this.rewind(instanceId, entry, record, now, appliedOffset, batchLastOffset);
    }
    if (reset !== undefined && record !== undefined && isResettable(record.status)) {
      return this.reset(instanceId, entry, record, reset, now, appliedOffset, batchLastOffset);
    }
    if (record === undefined) {
      // Nothing to commit (a lock granted to a purged instance, say); releases are safe to repeat.
      if (replies.length > 0) await this.deps.log.append(replies);
      return undefined;
    }
    if (!changed && replies.length === 0) return undefined;
    const wasParked = record.parkedEvents;
    if (wasParked !== undefined && !isTerminalStatus(record.status) && entry.session !== undefined)
      events.unshift(...wasParked);
    let parked: HistoryEvent[] | undefined;
    let parkReason: string | undefined;

    const outbox: OutboxMessage[] = [...replies];
    const newTimers: PendingTimer[] = [];
    let finished: RuntimeStatus | undefined = terminatedEarly ? 'Terminated' : undefined;
    let dropHistoryOf: string | undefined;
    let history: HistoryEvent[] = [];
    let fromIndex = startNow !== undefined ? 0 : record.historyLength;
    const spans: SpanRecord[] = [];
    let episode: Change['episode'];

    if (entry.session !== undefined && (events.length > 0 || entry.replayActions.length > 0)) {
      const stamp = toTimestamp(now);
      const episodeEvents = [newEvent('OrchestratorStarted', stamp, {}), ...events];
      const episodeStart = this.deps.clock.now();
      const result = await this.runEpisode(entry.session, episodeEvents, events);
      durableMetrics().episodeDuration.record(this.deps.clock.now() - episodeStart);
      const trace = entry.trace;
      if (typeof result === 'string') {
        parked = [...events];
        parkReason = result;
      } else {
        if (trace !== undefined) {
          episode = { trace, start: episodeStart, events: events.length };
          for (const e of events) {
            const span = trace.settled(e, now, carriedTrace.get(e));
            if (span !== undefined) spans.push(span);
          }
        }
        const actions = [...entry.replayActions, ...result.actions];
        entry.replayActions = [];
        history = [...episodeEvents];
        let status: RuntimeStatus = record.status === 'Pending' ? 'Running' : record.status;
        for (const e of events) {
          if (e.type === 'ExecutionSuspended') status = 'Suspended';
          if (e.type === 'ExecutionResumed') status = 'Running';
          if (e.type === 'ExecutionTerminated' && [...entry.openTasks.values()].includes(undefined)) {
            // Open activities (or timers: the worker ignores what it is not running) are told to stop.
            outbox.push(
              activityCancellationMessage(
                { instanceId, executionId: record.executionId },
                this.routing.activityPartitions,
              ),
            );
          }
          if (e.type === 'ExecutionTerminated' && e.recurse === true) {
            for (const child of entry.openTasks.values()) {
              if (child !== undefined)
                outbox.push(
                  instanceMessage(
                    {
                      instanceId: child,
                      event: newEvent('ExecutionTerminated', stamp, {
                        ...(e.input !== undefined ? { input: e.input } : {}),
                        recurse: true,
                      }),
                    },
                    this.partitions,
                  ),
                );
            }
          }
        }
        const executionId = record.executionId;
        let completion: CompleteOrchestrationAction | undefined;
        for (const action of actions) {
          const produced = actionEffects(
            this.routing,
            instanceId,
            executionId,
            action,
            stamp,
            entry.openTasks,
            record.name,
            outbox,
            newTimers,
            senderExecutionId(record),
            trace,
          );
          if (produced !== undefined) {
            history.push(produced);
            const span = trace?.scheduled(produced);
            if (span !== undefined) spans.push(span);
          }
          if (action.type === 'CompleteOrchestration') completion = action;
          if (action.type === 'SendEntityMessage' && action.kind === 'lock') {
            record = {
              ...record,
              locks: { criticalSectionId: action.requestId, lockSet: action.lockSet ?? [], granted: false },
            };
          } else if (
            action.type === 'SendEntityMessage' &&
            action.kind === 'unlock' &&
            record.locks !== undefined
          ) {
            const lockSet: readonly string[] = record.locks.lockSet.filter(
              (target) => target !== action.targetInstanceId,
            );
            if (lockSet.length > 0) record = { ...record, locks: { ...record.locks, lockSet } };
            else {
              const { locks: _released, ...rest } = record;
              record = rest;
            }
          }
        }
        history.push(newEvent('OrchestratorCompleted', stamp, {}));
        timers = [...timers, ...newTimers];
        const canceledTimers = actions.flatMap((a) =>
          a.type === 'CancelTask' && a.kind === 'timer' ? [a.taskId] : [],
        );
        if (canceledTimers.length > 0) timers = timers.filter((t) => !canceledTimers.includes(t.id));
        const { awaitedEvents: _before, ...withoutAwaited } = record;
        record = {
          ...withoutAwaited,
          status,
          updatedAt: now,
          historyLength: fromIndex + history.length,
          ...(result.customStatus !== undefined ? { customStatus: result.customStatus } : {}),
          // Recorded so that `GET …/waiting` reads what the code awaits instead of running it.
          ...(result.awaitedEvents !== undefined ? { awaitedEvents: result.awaitedEvents } : {}),
        };
        if (startNow !== undefined) {
          const { pendingStart: _started, pendingEvents: _delivered, ...rest } = record;
          record = rest;
        }
        if (completion?.orchestrationStatus === 'ContinuedAsNew') {
          // Control messages that came after the continue-as-new in this batch still count.
          const terminated = events.find((e) => e.type === 'ExecutionTerminated');
          if (terminated !== undefined) {
            completion = {
              type: 'CompleteOrchestration',
              id: completion.id,
              orchestrationStatus: 'Terminated',
              ...(terminated.input !== undefined ? { result: terminated.input } : {}),
            };
            history[history.length - 2] = newEvent('ExecutionCompleted', stamp, {
              orchestrationStatus: 'Terminated',
              ...(terminated.input !== undefined ? { result: terminated.input } : {}),
            });
          }
        }
        if (completion !== undefined) {
          const carried = events.filter(
            (e) => e.type === 'ExecutionSuspended' || e.type === 'ExecutionResumed',
          );
          ({ record, finished } = this.complete(record, completion, now, entry, outbox, carried));
          if (
            trace !== undefined &&
            (finished !== undefined || completion.orchestrationStatus === 'ContinuedAsNew')
          ) {
            spans.push(
              trace.ended(completion.orchestrationStatus, now, completion.failureDetails?.errorMessage),
            );
            entry.trace = undefined;
          }
          if (finished !== undefined || completion.orchestrationStatus === 'ContinuedAsNew') timers = [];
          if (completion.orchestrationStatus === 'ContinuedAsNew') {
            // The finished execution's history is not kept; the new one starts from a message.
            dropHistoryOf = executionId;
            history = [];
            fromIndex = 0;
            pendingEvents = [];
          }
        }
      }
    }
    if (parked !== undefined) {
      // Nothing of the episode happened: its events wait on the document, and a timer wakes it.
      const { pendingStart: _inParked, parkedEvents: _old, ...rest } = record;
      record = rest;
      const wake: PendingTimer = { id: wakeTimerId, fireAt: now + (this.deps.parkedRetryMs ?? 10_000) };
      timers = [...timers.filter((t) => t.id !== wakeTimerId), wake];
      newTimers.push(wake);
      this.deps.logger.info('the episode cannot run here now; parked', {
        instanceId,
        partition: this.partition,
        reason: parkReason,
      });
    } else if (wasParked !== undefined) {
      const { parkedEvents: _ran, ...rest } = record;
      record = rest;
      timers = timers.filter((t) => t.id !== wakeTimerId);
    }

    const finalRecord: InstanceRecord = {
      ...withoutUndefined(record),
      appliedOffset,
      timers,
      ...(receivedFrom !== undefined ? { receivedFrom } : {}),
      ...(pendingEvents.length > 0 ? { pendingEvents } : {}),
      ...(parked !== undefined ? { parkedEvents: parked } : {}),
      ...(outbox.length > 0 && !this.committer.atomic
        ? { outbox: { offset: batchLastOffset, messages: outbox } }
        : {}),
    };
    if (outbox.length === 0 || this.committer.atomic) delete (finalRecord as { outbox?: unknown }).outbox;
    if (pendingEvents.length === 0) delete (finalRecord as { pendingEvents?: unknown }).pendingEvents;
    const write: InstanceWrite = {
      record: finalRecord,
      expectedEtag: entry.stored?.etag,
      ...(entry.created !== undefined && entry.created.etag === entry.stored?.etag
        ? { extendsCreated: { executionId: entry.created.executionId } }
        : {}),
      ...(history.length > 0
        ? { history: { executionId: finalRecord.executionId, fromIndex, events: history } }
        : {}),
      ...(dropHistoryOf !== undefined ? { dropHistoryOf } : {}),
    };
    const timersToArm = finalRecord.timers.filter(
      (t) => newTimers.includes(t) || (t.id === startTimerId && startArmed),
    );
    return {
      write,
      outbox,
      timers: timersToArm,
      finished,
      ...(spans.length > 0 ? { spans } : {}),
      ...(episode !== undefined ? { episode } : {}),
      ...(startNow !== undefined ? { started: startNow.name } : {}),
    };
  }

  /** The spans of an execution, when tracing and its orchestration runs here (SDK workers trace their own). */
  private traceOf(record: InstanceRecord): InstanceTrace | undefined {
    if (!tracingEnabled() || this.deps.executor.registry.getOrchestrator(record.name) === undefined)
      return undefined;
    return new InstanceTrace(
      record.instanceId,
      record.name,
      record.executionId,
      senderExecutionId(record),
      record.traceContext,
      record.createdAt,
    );
  }

  /**
   * Runs an episode; when it cannot run now (no remote worker for it, or a version this worker
   * leaves to another), the reason, and the instance is parked. A termination does not wait for a
   * worker: the instance ends as the orchestrator would end it.
   */
  private async runEpisode(
    session: EpisodeSession,
    episodeEvents: readonly HistoryEvent[],
    events: readonly HistoryEvent[],
  ): Promise<ExecutionResult | string> {
    try {
      return await session.execute([], episodeEvents);
    } catch (error) {
      if (!(error instanceof WorkerUnavailableError)) throw error;
      const terminated = events.find((e) => e.type === 'ExecutionTerminated');
      if (terminated === undefined) return error.message;
      const completion: CompleteOrchestrationAction = {
        type: 'CompleteOrchestration',
        id: -1,
        orchestrationStatus: 'Terminated',
        ...(terminated.input !== undefined ? { result: terminated.input } : {}),
      };
      return { actions: [completion], customStatus: undefined, completion };
    }
  }

  /**
   * Rewinds a failed instance to the start of the episode in which it first saw a failure (or
   * failed): later history is dropped, work that is open again is dispatched again, failed
   * sub-orchestrations are rewound too, and events raised after that point are delivered again.
   */
  private async rewind(
    instanceId: string,
    entry: CachedInstance,
    record: InstanceRecord,
    now: number,
    appliedOffset: number,
    batchLastOffset: number,
  ): Promise<Change> {
    const history = await this.deps.store.readHistory(instanceId, record.executionId);
    const failedAt = history.findIndex(
      (e) =>
        e.type === 'TaskFailed' ||
        e.type === 'SubOrchestrationInstanceFailed' ||
        e.type === 'ExecutionCompleted',
    );
    let cut = failedAt < 0 ? history.length : failedAt;
    while (cut > 0 && history[cut]?.type !== 'OrchestratorStarted') cut--;
    return this.rerunFrom(instanceId, entry, record, history, cut, [], now, appliedOffset, batchLastOffset);
  }

  /**
   * Resets a finished instance to a point of its history (see reset.ts); a point that is not in
   * its history now (the client checked it against an older one) changes nothing.
   */
  private async reset(
    instanceId: string,
    entry: CachedInstance,
    record: InstanceRecord,
    request: ResetRequest,
    now: number,
    appliedOffset: number,
    batchLastOffset: number,
  ): Promise<Change | undefined> {
    const history = await this.deps.store.readHistory(instanceId, record.executionId);
    let cut: number;
    try {
      cut = resetCut(history, request);
    } catch (error) {
      this.deps.logger.warn('reset refused', { instanceId, error: String(error) });
      return undefined;
    }
    // The reset event is the first new event of the resumed run: its episode also takes the steps
    // the kept history's code takes next (a cut inside an episode), which nothing else would wake.
    const event = resetEvent(toTimestamp(now), cut, history.length - cut, request.reason);
    const marker = instanceMessage({ instanceId, executionId: record.executionId, event }, this.partitions);
    return this.rerunFrom(
      instanceId,
      entry,
      record,
      history,
      cut,
      [marker],
      now,
      appliedOffset,
      batchLastOffset,
    );
  }

  /**
   * Runs an execution again from `history[cut]` on (shared by rewind and reset): later history is
   * dropped, work open at the cut is dispatched again, failed sub-orchestrations are rewound, and
   * events raised after the cut are delivered again, after the `first` messages.
   */
  private async rerunFrom(
    instanceId: string,
    entry: CachedInstance,
    record: InstanceRecord,
    history: readonly HistoryEvent[],
    cut: number,
    first: readonly OutboxMessage[],
    now: number,
    appliedOffset: number,
    batchLastOffset: number,
  ): Promise<Change> {
    const prefix = history.slice(0, cut);
    const started = history.find((e): e is ExecutionStartedEvent => e.type === 'ExecutionStarted');
    if (prefix.length === 0 && started !== undefined) {
      // It failed in its first episode: run it again from its start.
      const start = instanceMessage({ instanceId, event: started }, this.partitions);
      const raisedLater = history
        .filter((e) => e.type === 'EventRaised')
        .map((event) => instanceMessage({ instanceId, event }, this.partitions));
      const { output: _o, failureDetails: _f, completedAt: _c, outbox: _old, ...rest } = record;
      const outbox = [start, ...first, ...raisedLater];
      entry.session = undefined;
      entry.trace = undefined;
      return {
        write: {
          record: {
            ...rest,
            status: 'Running',
            updatedAt: now,
            historyLength: 0,
            appliedOffset,
            timers: [],
            pendingStart: start,
            ...(!this.committer.atomic ? { outbox: { offset: batchLastOffset, messages: outbox } } : {}),
          },
          expectedEtag: entry.stored?.etag,
          history: { executionId: record.executionId, fromIndex: 0, events: [], replace: true },
        },
        outbox,
        timers: [],
        finished: undefined,
      };
    }
    entry.session = this.deps.executor.createSession();
    entry.openTasks.clear();
    entry.replayActions = [...(await entry.session.execute(prefix, [])).actions];
    collectOpenTasks(prefix, entry.openTasks);
    entry.trace = this.traceOf({ ...record, rewinds: (record.rewinds ?? 0) + 1 });
    entry.trace?.replay(prefix);

    const stamp = toTimestamp(now);
    const outbox: OutboxMessage[] = [...first];
    const timers: PendingTimer[] = [];
    for (const event of prefix) {
      if (!entry.openTasks.has(event.eventId)) continue;
      if (event.type === 'TaskScheduled') {
        outbox.push(
          activityMessage(
            {
              instanceId,
              executionId: record.executionId,
              taskId: event.eventId,
              name: event.name,
              ...pick(event, 'version', 'input'),
              ...(entry.trace !== undefined
                ? { traceParent: entry.trace.taskTraceParent(event.eventId) }
                : {}),
              scheduledAt: now,
            },
            this.activityPartitions,
          ),
        );
      } else if (event.type === 'TimerCreated') {
        timers.push({ id: event.eventId, fireAt: fromTimestamp(event.fireAt) });
      } else if (event.type === 'SubOrchestrationInstanceCreated') {
        const child = (await this.deps.store.getInstance(event.instanceId))?.record;
        if (child?.status === 'Failed') {
          outbox.push(
            instanceMessage(
              { instanceId: event.instanceId, rewind: true, event: newEvent('GenericEvent', stamp, {}) },
              this.partitions,
            ),
          );
        } else if (child?.status === 'Completed') {
          const done = newEvent('SubOrchestrationInstanceCompleted', stamp, {
            taskScheduledId: event.eventId,
            ...(child.output !== undefined ? { result: child.output } : {}),
          });
          outbox.push(
            instanceMessage({ instanceId, executionId: record.executionId, event: done }, this.partitions),
          );
        }
      }
    }
    for (const event of history.slice(cut)) {
      if (event.type === 'EventRaised') outbox.push(instanceMessage({ instanceId, event }, this.partitions));
      // Entity results that arrived after the cut: the calls are not made again, so give them back.
      if (event.type === 'EntityOperationCompleted' || event.type === 'EntityOperationFailed')
        outbox.push(instanceMessage({ instanceId, executionId: record.executionId, event }, this.partitions));
    }
    const { output: _o, failureDetails: _f, completedAt: _c, outbox: _old, ...rest } = record;
    const rewound: InstanceRecord = {
      ...rest,
      // Steps after the cut get their old numbers again: a new sender id keeps receivers from
      // taking the messages they carry for resent copies.
      rewinds: (record.rewinds ?? 0) + 1,
      status: 'Running',
      updatedAt: now,
      historyLength: prefix.length,
      appliedOffset,
      timers,
      ...(outbox.length > 0 && !this.committer.atomic
        ? { outbox: { offset: batchLastOffset, messages: outbox } }
        : {}),
    };
    return {
      write: {
        record: rewound,
        expectedEtag: entry.stored?.etag,
        history: { executionId: record.executionId, fromIndex: 0, events: prefix, replace: true },
      },
      outbox,
      timers,
      finished: undefined,
    };
  }

  private complete(
    record: InstanceRecord,
    completion: CompleteOrchestrationAction,
    now: number,
    entry: CachedInstance,
    outbox: OutboxMessage[],
    carried: readonly HistoryEvent[] = [],
  ): { record: InstanceRecord; finished: RuntimeStatus | undefined } {
    const stamp = toTimestamp(now);
    if (record.locks !== undefined) {
      // The execution ends: release the entities it holds. Locks still on their way are released
      // when their grant arrives here (see EntityLockGranted above).
      if (record.locks.granted)
        outbox.push(
          ...unlockMessages(
            this.routing,
            record.instanceId,
            record.locks.criticalSectionId,
            record.locks.lockSet,
            now,
          ),
        );
      const { locks: _released, ...rest } = record;
      record = rest;
    }
    if (completion.orchestrationStatus === 'ContinuedAsNew') {
      const executionId = this.deps.idSource.newId();
      const started = newEvent('ExecutionStarted', stamp, {
        name: record.name,
        ...(record.version !== undefined ? { version: record.version } : {}),
        ...(completion.result !== undefined ? { input: completion.result } : {}),
        orchestrationInstance: { instanceId: record.instanceId, executionId },
        ...(record.parent !== undefined ? { parentInstance: record.parent } : {}),
        ...(record.tags !== undefined ? { tags: record.tags } : {}),
        ...(record.traceContext !== undefined ? { parentTraceContext: record.traceContext } : {}),
      });
      const startMessage = instanceMessage(
        { instanceId: record.instanceId, event: started },
        this.partitions,
      );
      outbox.push(startMessage);
      for (const event of [...(completion.carryoverEvents ?? []), ...carried]) {
        outbox.push(instanceMessage({ instanceId: record.instanceId, executionId, event }, this.partitions));
      }
      entry.session = undefined;
      entry.openTasks.clear();
      // What the old execution awaited is not what the new one will: its first episode says.
      const { output: _o, failureDetails: _f, completedAt: _c, awaitedEvents: _a, ...rest } = record;
      return {
        record: {
          ...rest,
          executionId,
          historyLength: 0,
          ...(completion.result !== undefined ? { input: completion.result } : {}),
          pendingStart: startMessage,
        },
        finished: undefined,
      };
    }
    const status = completion.orchestrationStatus;
    const finishedRecord: InstanceRecord = {
      ...record,
      status,
      completedAt: now,
      ...(completion.result !== undefined ? { output: completion.result } : {}),
      ...(completion.failureDetails !== undefined ? { failureDetails: completion.failureDetails } : {}),
    };
    outbox.push(...parentNotification(this.routing, finishedRecord, status, now));
    entry.session = undefined;
    return { record: finishedRecord, finished: status };
  }

  private armTimers(): void {
    if (this.stopped) return;
    if (this.timerHandle !== undefined) clearTimeout(this.timerHandle);
    this.timerHandle = undefined;
    const next = this.timers.peekTime();
    if (next === undefined) return;
    const delay = Math.min(Math.max(0, next - this.deps.clock.now()), maxTimeoutMs);
    this.timerHandle = setTimeout(() => void this.fireDueTimers(), delay);
  }

  /**
   * Asks the partition to start what the instance's document holds as its pending start. Not the
   * start message itself: a copy applied after the instance ran and was purged would start it again.
   */
  private startPendingMessage(instanceId: string, executionId: string): OutboxMessage {
    const event = newEvent('GenericEvent', toTimestamp(this.deps.clock.now()), {});
    return instanceMessage({ instanceId, executionId, startPending: true, event }, this.partitions);
  }

  /** Appends TimerFired (or the scheduled start) to this partition; applying it is deduplicated. */
  private async fireDueTimers(): Promise<void> {
    this.timerHandle = undefined;
    if (this.stopped) return;
    const now = this.deps.clock.now();
    const due = this.timers.popDue(now);
    const messages: OutboxMessage[] = [];
    for (const { instanceId, executionId, timer } of due) {
      if (timer.id === startTimerId) {
        messages.push(this.startPendingMessage(instanceId, executionId));
        continue;
      }
      if (timer.id === wakeTimerId) {
        const wake = newEvent('GenericEvent', toTimestamp(now), {});
        messages.push(instanceMessage({ instanceId, executionId, wake: true, event: wake }, this.partitions));
        continue;
      }
      const fired = newEvent('TimerFired', toTimestamp(now), {
        timerId: timer.id,
        fireAt: toTimestamp(timer.fireAt),
      });
      messages.push(instanceMessage({ instanceId, executionId, event: fired }, this.partitions));
    }
    try {
      if (messages.length > 0) await this.deps.log.append(messages);
    } catch (error) {
      this.deps.logger.warn('firing timers failed; retrying', {
        partition: this.partition,
        error: String(error),
      });
      for (const entry of due) this.timers.push(now + 100, entry);
    }
    this.armTimers();
  }

  private evictIdle(): void {
    const limit = this.deps.clock.now() - (this.deps.idleEvictMs ?? 60_000);
    for (const [id, entry] of this.cache)
      if (entry.lastUsed < limit && !this.detached.has(id) && !this.released.has(id)) this.cache.delete(id);
  }
}

/** Who an execution's messages come from, for receivers' dedupe: its id, and how often it was rewound. */
function senderExecutionId(record: InstanceRecord): string {
  return record.rewinds === undefined ? record.executionId : `${record.executionId}#${record.rewinds}`;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
