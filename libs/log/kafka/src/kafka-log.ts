import { durableMetrics, MetricAttr } from '@durable/telemetry';
import { randomUUID } from 'node:crypto';
import { InvalidArgumentError, UnavailableError } from '@durable/core';
import { silentLogger, type Logger } from '@durable/engine';
import {
  Stream,
  type AppendRecord,
  type LogRecord,
  type Membership,
  type OwnershipListener,
  type PartitionedLog,
  type ReadOptions,
} from '@durable/log';
import {
  AssignerProtocol,
  Kafka,
  logLevel,
  type Admin,
  type Consumer,
  type KafkaConfig,
  type Producer,
  type TopicMessages,
} from 'kafkajs';
import { PartitionReader } from './partition-reader';

export interface KafkaLogOptions {
  readonly brokers: readonly string[];
  /** Task hub name: topics are `<hub>.partitions`, `<hub>.activities`, `<hub>.epochs`, `<hub>.finished`. */
  readonly hub: string;
  /** Partitions of the orchestrations topic (created with it; must match an existing topic). */
  readonly partitions: number;
  /** Partitions of the activities topic (default: `partitions`). */
  readonly activityPartitions?: number;
  readonly clientId?: string;
  readonly logger?: Logger;
  /** Group session timeout: a member that stops heartbeating loses its partitions after this. */
  readonly sessionTimeoutMs?: number;
  /** Extra kafkajs settings (ssl, sasl) for managed clusters. */
  readonly kafka?: Partial<KafkaConfig>;
}

interface PendingAppend {
  readonly records: readonly AppendRecord[];
  resolve(): void;
  reject(error: unknown): void;
}

interface GroupMember {
  /** Replaced when kafkajs gives up on it after a crash. */
  consumer: Consumer;
  /** Offset commits waiting for the next OffsetCommit request (one is in flight at a time). */
  commits: Array<{
    readonly topic: string;
    readonly partition: number;
    readonly offset: number;
    resolve(): void;
    reject(error: unknown): void;
  }>;
  /** An OffsetCommit request of this member is in flight. */
  committing: boolean;
  owned: Set<number>;
  /** Assignment changes are applied one at a time, in the order the group announced them. */
  queue: Promise<void>;
  /** Set once `leave` began: later assignments are not taken up. */
  leaving: boolean;
  /** The consumer crashed and has not rejoined the group since. */
  crashed: boolean;
}

/**
 * A produce request's payload stays under this, so that no partition's record batch reaches a
 * broker's default `message.max.bytes` (1 MiB): a fan-out's outbox can hold thousands of records.
 */
const maxRequestBytes = 512 * 1024;
/** Kafka's per-record framing, roughly, on top of key and value. */
const recordOverheadBytes = 32;

/**
 * The PartitionedLog on Apache Kafka. Appends go through one idempotent producer, coalesced per
 * event-loop turn. Reads come from one consumer per stream that follows exactly the partitions
 * being read (pull over push, see PartitionReader). Groups are Kafka consumer groups, used for
 * assignment and committed offsets only; their consumers never fetch. Every assignment gets a
 * fencing epoch: the offset of a claim record on `<hub>.epochs`, which only grows.
 */
export class KafkaLog implements PartitionedLog {
  private readonly kafka: Kafka;
  private readonly logger: Logger;
  private pending: PendingAppend[] = [];
  /** Instances announced finished since the last flush: they ride along with its produce request. */
  private finishedNotices: string[] = [];
  private readonly finishedFollowers: Consumer[] = [];
  private flushScheduled = false;
  private flushing = false;
  private readonly readers = new Map<Stream, { reader: PartitionReader; consumer: Consumer }>();
  private readonly readersStarting = new Map<Stream, Promise<PartitionReader>>();
  private readonly members = new Map<string, GroupMember[]>();
  private closed = false;

  private constructor(
    private readonly options: KafkaLogOptions,
    kafka: Kafka,
    private readonly producer: Producer,
    private readonly admin: Admin,
  ) {
    this.kafka = kafka;
    this.logger = options.logger ?? silentLogger;
  }

  /** Connects, and creates the hub's topics if missing (checking the partition counts of existing ones). */
  static async open(options: KafkaLogOptions): Promise<KafkaLog> {
    if (!Number.isInteger(options.partitions) || options.partitions < 1)
      throw new InvalidArgumentError('partitions must be a positive integer');
    const kafka = new Kafka({
      clientId: options.clientId ?? 'durable',
      brokers: [...options.brokers],
      logLevel: logLevel.NOTHING,
      retry: { initialRetryTime: 200, maxRetryTime: 5_000, retries: 12 },
      ...options.kafka,
    });
    const admin = kafka.admin();
    const producer = kafka.producer({
      idempotent: true,
      maxInFlightRequests: 1,
      allowAutoTopicCreation: false,
    });
    await admin.connect();
    await producer.connect();
    const log = new KafkaLog(options, kafka, producer, admin);
    await log.ensureTopics();
    return log;
  }

  topic(stream: Stream | 'epochs' | 'finished'): string {
    const suffix = stream === Stream.Orchestrations ? 'partitions' : stream;
    return `${this.options.hub}.${suffix}`;
  }

  partitionCount(stream: Stream): number {
    return stream === Stream.Orchestrations
      ? this.options.partitions
      : (this.options.activityPartitions ?? this.options.partitions);
  }

  append(records: readonly AppendRecord[]): Promise<void> {
    if (this.closed) return Promise.reject(new UnavailableError('the log is closed'));
    for (const record of records) {
      const count = this.partitionCount(record.stream);
      if (!Number.isInteger(record.partition) || record.partition < 0 || record.partition >= count)
        return Promise.reject(
          new InvalidArgumentError(`partition ${record.partition} is outside 0..${count - 1}`),
        );
    }
    if (records.length === 0) return Promise.resolve();
    return new Promise((resolve, reject) => {
      this.pending.push({ records, resolve, reject });
      this.scheduleFlush();
    });
  }

  /**
   * Tells the frontends that an instance finished, so that callers waiting for it read its status
   * now instead of at their next poll. A hint, sent with the next produce request and not retried:
   * waiting callers still poll (rarely) in case one is lost.
   */
  announceFinished(instanceId: string): void {
    if (this.closed) return;
    this.finishedNotices.push(instanceId);
    this.scheduleFlush();
  }

  /**
   * Calls `listener` with every instance announced finished from now on (by any worker of the hub).
   * Each follower reads the notices topic whole, in a consumer group of its own.
   */
  async followFinished(listener: (instanceId: string) => void): Promise<void> {
    const consumer = this.kafka.consumer({
      groupId: `${this.options.hub}.finished.${randomUUID()}`,
      maxWaitTimeInMs: 50,
      minBytes: 1,
      allowAutoTopicCreation: false,
    });
    this.finishedFollowers.push(consumer);
    // A consumer kafkajs gives up on is replaced (meanwhile waiting callers fall back to polling).
    consumer.on(consumer.events.CRASH, (event) => {
      if (event.payload.restart === true || this.closed) return;
      this.logger.warn('following finish notices failed; following again', {
        error: String(event.payload.error),
      });
      const index = this.finishedFollowers.indexOf(consumer);
      if (index >= 0) this.finishedFollowers.splice(index, 1);
      void consumer.disconnect().catch(() => undefined);
      void this.followFinished(listener).catch((error: unknown) =>
        this.logger.error('following finish notices again failed', { error: String(error) }),
      );
    });
    await consumer.connect();
    await consumer.subscribe({ topic: this.topic('finished'), fromBeginning: false });
    await consumer.run({
      autoCommit: false,
      eachBatch: async ({ batch }) => {
        for (const message of batch.messages) {
          const instanceId = message.key?.toString();
          if (instanceId !== undefined) listener(instanceId);
        }
      },
    });
  }

  private scheduleFlush(): void {
    if (this.flushScheduled || this.flushing) return;
    this.flushScheduled = true;
    setImmediate(() => void this.flushAll());
  }

  /**
   * One produce round in flight at a time: appends made meanwhile wait for the next round, so under
   * load requests grow larger instead of more numerous (the producer would queue them anyway).
   */
  private async flushAll(): Promise<void> {
    this.flushScheduled = false;
    this.flushing = true;
    try {
      while (this.pending.length > 0 || this.finishedNotices.length > 0) await this.flush();
    } finally {
      this.flushing = false;
    }
  }

  /**
   * Sends every append of this turn in as few produce requests as fit under `maxRequestBytes`
   * (acks from all replicas), one after the other so each partition keeps its order.
   */
  private async flush(): Promise<void> {
    this.flushScheduled = false;
    const batch = this.pending;
    this.pending = [];
    const notices = this.finishedNotices;
    this.finishedNotices = [];
    const requests: Map<string, TopicMessages>[] = [];
    let byTopic = new Map<string, TopicMessages>();
    let bytes = 0;
    const add = (topic: string, partition: number, key: string, value: string): void => {
      const size = Buffer.byteLength(key) + Buffer.byteLength(value) + recordOverheadBytes;
      if (bytes > 0 && bytes + size > maxRequestBytes) {
        requests.push(byTopic);
        byTopic = new Map();
        bytes = 0;
      }
      bytes += size;
      let entry = byTopic.get(topic);
      if (entry === undefined) {
        entry = { topic, messages: [] };
        byTopic.set(topic, entry);
      }
      entry.messages.push({ partition, key, value });
    };
    for (const { records } of batch)
      for (const record of records)
        add(this.topic(record.stream), record.partition, record.key, record.value);
    for (const instanceId of notices) add(this.topic('finished'), 0, instanceId, '');
    requests.push(byTopic);
    try {
      for (const request of requests)
        await this.producer.sendBatch({ topicMessages: [...request.values()], acks: -1 });
      for (const append of batch) append.resolve();
      const produced = durableMetrics().logProduced;
      for (const request of requests)
        for (const { topic, messages } of request.values())
          produced.add(messages.length, { [MetricAttr.Stream]: topic });
    } catch (error) {
      const failure = new UnavailableError(`appending to Kafka failed: ${String(error)}`, undefined, {
        cause: error,
      });
      for (const append of batch) append.reject(failure);
    }
  }

  async read(
    stream: Stream,
    partition: number,
    fromOffset: number,
    options: ReadOptions,
  ): Promise<LogRecord[]> {
    const count = this.partitionCount(stream);
    if (!Number.isInteger(partition) || partition < 0 || partition >= count)
      throw new InvalidArgumentError(`partition ${partition} is outside 0..${count - 1}`);
    if (this.closed) return [];
    const reader = await this.readerOf(stream);
    try {
      const records = await reader.read(partition, fromOffset, options);
      if (records.length > 0)
        durableMetrics().logConsumed.add(records.length, {
          [MetricAttr.Stream]: stream,
          [MetricAttr.Partition]: partition,
        });
      return records;
    } catch (error) {
      // A reader whose consumer failed (kafkajs can leave one unusable after a broker restart) is
      // replaced: the next read starts a fresh one at the offset the caller asks for.
      this.dropReader(stream, reader, error);
      throw error;
    }
  }

  private dropReader(stream: Stream, reader: PartitionReader, reason: unknown): void {
    const current = this.readers.get(stream);
    if (current?.reader !== reader) return;
    this.readers.delete(stream);
    this.logger.warn('replacing the log reader after a failure', { stream, error: String(reason) });
    reader.close();
    void current.consumer.disconnect().catch(() => undefined);
  }

  async endOffset(stream: Stream, partition: number): Promise<number> {
    const count = this.partitionCount(stream);
    if (!Number.isInteger(partition) || partition < 0 || partition >= count)
      throw new InvalidArgumentError(`partition ${partition} is outside 0..${count - 1}`);
    const offsets = await this.endOffsetsOf(stream);
    return offsets.get(partition) ?? 0;
  }

  /** Calls made at the same time (a metrics scrape asks for each owned partition) share one request. */
  private readonly endOffsetRequests = new Map<Stream, Promise<Map<number, number>>>();

  private endOffsetsOf(stream: Stream): Promise<Map<number, number>> {
    let request = this.endOffsetRequests.get(stream);
    if (request === undefined) {
      request = this.fetchEndOffsets(this.topic(stream))
        .catch((error: unknown) => {
          throw new UnavailableError(`reading end offsets failed: ${String(error)}`, undefined, {
            cause: error,
          });
        })
        .finally(() => this.endOffsetRequests.delete(stream));
      this.endOffsetRequests.set(stream, request);
    }
    return request;
  }

  /**
   * A topic's high watermarks. kafkajs' admin does not retry a partition whose leader is moving
   * (just after the topic was created, or a broker restarted): retry that briefly here.
   */
  private async fetchEndOffsets(topic: string): Promise<Map<number, number>> {
    for (let attempt = 1; ; attempt++) {
      try {
        const offsets = await this.admin.fetchTopicOffsets(topic);
        return new Map(offsets.map((o) => [o.partition, Number(o.high)]));
      } catch (error) {
        if (attempt >= 8 || !isTransientTopicError(error)) throw error;
        await new Promise((resolve) => setTimeout(resolve, 100 * attempt));
      }
    }
  }

  async committedOffset(group: string, stream: Stream, partition: number): Promise<number> {
    try {
      const topics = await this.admin.fetchOffsets({
        groupId: this.groupId(group),
        topics: [this.topic(stream)],
      });
      const offset = topics[0]?.partitions.find((p) => p.partition === partition)?.offset ?? '-1';
      return Math.max(0, Number(offset));
    } catch (error) {
      throw new UnavailableError(`reading committed offsets failed: ${String(error)}`, undefined, {
        cause: error,
      });
    }
  }

  async commitOffset(group: string, stream: Stream, partition: number, nextOffset: number): Promise<void> {
    const topic = this.topic(stream);
    const members = this.members.get(this.memberKey(group, stream)) ?? [];
    const member = members.find((m) => m.owned.has(partition)) ?? members[0];
    try {
      if (member !== undefined) {
        // Committed as a member of the current generation: the group coordinator refuses it from a
        // member that was rebalanced away.
        await this.commitAsMember(member, topic, partition, nextOffset);
      } else {
        // A group with no member here (tools, tests): only possible while the group is empty.
        await this.admin.setOffsets({
          groupId: this.groupId(group),
          topic,
          partitions: [{ partition, offset: String(nextOffset) }],
        });
      }
    } catch (error) {
      throw new UnavailableError(`committing the offset failed: ${String(error)}`, undefined, {
        cause: error,
      });
    }
  }

  /**
   * One OffsetCommit request in flight per member: commits asked for meanwhile (its partitions'
   * processors finishing batches) go out together in the next, as one write to the offsets log.
   */
  private commitAsMember(
    member: GroupMember,
    topic: string,
    partition: number,
    nextOffset: number,
  ): Promise<void> {
    return new Promise((resolve, reject) => {
      member.commits.push({ topic, partition, offset: nextOffset, resolve, reject });
      if (member.committing) return;
      member.committing = true;
      setImmediate(() => void this.sendCommits(member));
    });
  }

  private async sendCommits(member: GroupMember): Promise<void> {
    try {
      while (member.commits.length > 0) {
        const commits = member.commits;
        member.commits = [];
        // A partition asked more than once commits its furthest offset.
        const furthest = new Map<string, { topic: string; partition: number; offset: string }>();
        for (const c of commits) {
          const key = `${c.topic}\u0000${c.partition}`;
          const known = furthest.get(key);
          if (known === undefined || Number(known.offset) < c.offset)
            furthest.set(key, { topic: c.topic, partition: c.partition, offset: String(c.offset) });
        }
        try {
          await member.consumer.commitOffsets([...furthest.values()]);
          for (const c of commits) c.resolve();
        } catch (error) {
          for (const c of commits) c.reject(error);
        }
      }
    } finally {
      member.committing = false;
    }
  }

  async join(group: string, stream: Stream, listener: OwnershipListener): Promise<Membership> {
    const key = this.memberKey(group, stream);
    const topic = this.topic(stream);
    const newConsumer = () =>
      this.kafka.consumer({
        groupId: this.groupId(group),
        sessionTimeout: this.options.sessionTimeoutMs ?? 10_000,
        rebalanceTimeout: 20_000,
        heartbeatInterval: 500,
        maxWaitTimeInMs: 250,
        allowAutoTopicCreation: false,
      });
    const member: GroupMember = {
      consumer: newConsumer(),
      commits: [],
      committing: false,
      owned: new Set(),
      queue: Promise.resolve(),
      leaving: false,
      crashed: false,
    };
    const members = this.members.get(key) ?? [];
    members.push(member);
    this.members.set(key, members);
    let firstAssignment!: () => void;
    const assignedOnce = new Promise<void>((resolve) => (firstAssignment = resolve));
    const run = async (consumer: Consumer): Promise<void> => {
      consumer.on(consumer.events.GROUP_JOIN, (event) => {
        // After a crash kafkajs restarts the consumer with a fresh state: pause it again each time.
        consumer.pause([{ topic }]);
        member.crashed = false;
        const assignment = new Set(member.leaving ? [] : (event.payload.memberAssignment[topic] ?? []));
        member.queue = member.queue
          .then(() => this.applyAssignment(member, assignment, listener))
          .catch((error: unknown) =>
            this.logger.error('applying a partition assignment failed', { group, error: String(error) }),
          )
          .then(firstAssignment);
      });
      consumer.on(consumer.events.CRASH, (event) => {
        member.crashed = true;
        const restart = event.payload.restart;
        this.logger[restart ? 'warn' : 'error'](
          restart ? 'group consumer crashed; kafkajs rejoins' : 'group consumer crashed; joining again',
          { group, error: String(event.payload.error) },
        );
        // kafkajs gave up on this consumer (after a broker restart, say): join with a new one; its
        // first assignment hands every partition back and takes them again under new epochs.
        if (restart !== true) void rejoin(consumer);
      });
      await consumer.connect();
      await consumer.subscribe({ topic, fromBeginning: true });
      // The group consumer only holds the assignment: it never fetches (reads go through the readers).
      await consumer.run({
        autoCommit: false,
        eachBatchAutoResolve: false,
        eachBatch: async () => undefined,
      });
    };
    const rejoin = async (crashed: Consumer): Promise<void> => {
      await crashed.disconnect().catch(() => undefined);
      for (let attempt = 1; !member.leaving && !this.closed && member.consumer === crashed; attempt++) {
        await new Promise((resolve) => setTimeout(resolve, Math.min(500 * attempt, 5000)));
        const next = newConsumer();
        // Commits go through the new member as soon as it joins, so it replaces the old one first.
        member.consumer = next;
        try {
          await run(next);
        } catch (error) {
          this.logger.warn('joining the group again failed; retrying', { group, error: String(error) });
          await next.disconnect().catch(() => undefined);
          member.consumer = crashed;
        }
      }
    };
    await run(member.consumer);
    await assignedOnce;
    return {
      renew: async (partition) => {
        const renewal = member.queue.then(async () => {
          if (!member.owned.has(partition) || member.leaving) return;
          const [epoch] = await this.claimEpochs([partition]);
          await listener.revoked([partition]);
          await listener.assigned([{ partition, epoch: epoch as number }]);
        });
        member.queue = renewal.catch(() => undefined);
        await renewal;
      },
      leave: async () => {
        if (member.leaving) return;
        member.leaving = true;
        try {
          await member.queue;
          // Still a member while the processors finish the batch in hand: their last offsets are
          // committed as this member of the current generation (the admin API refuses a group in use).
          const owned = [...member.owned];
          if (owned.length > 0) await listener.revoked(owned);
        } finally {
          member.owned.clear();
          const index = members.indexOf(member);
          if (index >= 0) members.splice(index, 1);
          await member.consumer.disconnect();
        }
      },
    };
  }

  async assignedPartitions(group: string, stream: Stream): Promise<ReadonlySet<number> | undefined> {
    const topic = this.topic(stream);
    let described;
    try {
      described = (await this.admin.describeGroups([this.groupId(group)])).groups[0];
    } catch (error) {
      throw new UnavailableError(`describing the group failed: ${String(error)}`, undefined, {
        cause: error,
      });
    }
    if (described === undefined) return new Set();
    // Mid-rebalance the member assignments are old or empty: that is not "no owner".
    if (described.state === 'PreparingRebalance' || described.state === 'CompletingRebalance')
      return undefined;
    const assigned = new Set<number>();
    for (const member of described.members) {
      const decoded = AssignerProtocol.MemberAssignment.decode(member.memberAssignment);
      for (const partition of decoded?.assignment[topic] ?? []) assigned.add(partition);
    }
    return assigned;
  }

  /** Whether every group this log joined has its member in the group (none crashed, the log open). */
  get inGroups(): boolean {
    return !this.closed && [...this.members.values()].every((ms) => ms.every((m) => !m.crashed));
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const member of [...this.members.values()].flat())
      await member.consumer.disconnect().catch(() => undefined);
    this.members.clear();
    for (const { reader, consumer } of this.readers.values()) {
      reader.close();
      await consumer.disconnect().catch(() => undefined);
    }
    this.readers.clear();
    for (const consumer of this.finishedFollowers.splice(0))
      await consumer.disconnect().catch(() => undefined);
    await this.producer.disconnect().catch(() => undefined);
    await this.admin.disconnect().catch(() => undefined);
  }

  /**
   * Every rebalance is a new generation: all partitions are handed back and taken again with new
   * epochs, even those this member keeps. A member that was paused past its session may have been
   * fenced out meanwhile; restarting its processors under a fresh epoch is what lets it work again.
   */
  private async applyAssignment(
    member: GroupMember,
    assignment: ReadonlySet<number>,
    listener: OwnershipListener,
  ): Promise<void> {
    const lost = [...member.owned];
    if (lost.length > 0) {
      member.owned.clear();
      await listener.revoked(lost);
    }
    const gained = [...assignment].sort((a, b) => a - b);
    if (gained.length === 0) return;
    const epochs = await this.claimEpochs(gained);
    for (const p of gained) member.owned.add(p);
    await listener.assigned(gained.map((partition, i) => ({ partition, epoch: epochs[i] as number })));
  }

  /** One claim record per partition; its offset + 1 is the epoch, larger than any earlier claim's. */
  private async claimEpochs(partitions: readonly number[]): Promise<number[]> {
    const [result] = await this.producer.send({
      topic: this.topic('epochs'),
      acks: -1,
      messages: partitions.map((p) => ({ partition: 0, key: String(p), value: String(p) })),
    });
    const base = Number(result?.baseOffset ?? NaN);
    if (!Number.isFinite(base)) throw new UnavailableError('claiming partitions returned no offset');
    return partitions.map((_, i) => base + i + 1);
  }

  private readerOf(stream: Stream): Promise<PartitionReader> {
    const ready = this.readers.get(stream);
    if (ready !== undefined) return Promise.resolve(ready.reader);
    let starting = this.readersStarting.get(stream);
    if (starting === undefined) {
      starting = this.startReader(stream);
      this.readersStarting.set(stream, starting);
      starting.catch(() => this.readersStarting.delete(stream));
    }
    return starting;
  }

  /**
   * A consumer alone in a group of its own gets every partition of the stream; all start paused
   * and the reader resumes the ones being read, at the offsets asked for.
   */
  private async startReader(stream: Stream): Promise<PartitionReader> {
    const topic = this.topic(stream);
    const consumer = this.kafka.consumer({
      groupId: `${this.options.hub}.reader.${randomUUID()}`,
      maxWaitTimeInMs: 100,
      minBytes: 1,
      maxBytesPerPartition: 4 * 1024 * 1024,
      allowAutoTopicCreation: false,
    });
    const reader = new PartitionReader(stream, {
      seek: (partition, offset) => {
        consumer.seek({ topic, partition, offset: String(offset) });
        consumer.resume([{ topic, partitions: [partition] }]);
      },
      pause: (partition) => consumer.pause([{ topic, partitions: [partition] }]),
      resume: (partition) => consumer.resume([{ topic, partitions: [partition] }]),
      endOffset: async (partition) => (await this.fetchEndOffsets(topic)).get(partition) ?? 0,
    });
    let joined: (() => void) | undefined;
    const assigned = new Promise<void>((resolve) => (joined = resolve));
    // A rejoin (after a pause longer than the session, or a broker restart) resets positions.
    consumer.on(consumer.events.GROUP_JOIN, () => {
      // After a crash kafkajs restarts the consumer with a fresh state: pause it again each time.
      consumer.pause([{ topic }]);
      if (joined !== undefined) {
        joined();
        joined = undefined;
      } else reader.reseek();
    });
    // A crash kafkajs does not restart from leaves the consumer unusable: replace the reader.
    consumer.on(consumer.events.CRASH, (event) => {
      if (event.payload.restart !== true) this.dropReader(stream, reader, event.payload.error);
    });
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: false });
    await consumer.run({
      autoCommit: false,
      eachBatch: async ({ batch, isStale }) => {
        if (isStale()) return;
        reader.push(
          batch.partition,
          batch.messages.map((m) => ({
            stream,
            partition: batch.partition,
            offset: Number(m.offset),
            key: m.key?.toString() ?? '',
            value: m.value?.toString() ?? '',
          })),
        );
      },
    });
    await assigned;
    this.readers.set(stream, { reader, consumer });
    this.readersStarting.delete(stream);
    return reader;
  }

  private async ensureTopics(): Promise<void> {
    const wanted = [
      { topic: this.topic(Stream.Orchestrations), numPartitions: this.partitionCount(Stream.Orchestrations) },
      { topic: this.topic(Stream.Activities), numPartitions: this.partitionCount(Stream.Activities) },
      { topic: this.topic('epochs'), numPartitions: 1 },
      // Finish notices are only of use for a moment: kept an hour.
      {
        topic: this.topic('finished'),
        numPartitions: 1,
        configEntries: [{ name: 'retention.ms', value: String(60 * 60 * 1000) }],
      },
    ];
    // Just after a topic is created the broker can answer "does not host this topic-partition"
    // (or has no leader yet) for a moment: those answers are retried, anything else is not.
    for (let attempt = 1; ; attempt++) {
      try {
        await this.createMissingTopics(wanted);
        break;
      } catch (error) {
        if (attempt >= 20 || !isTransientTopicError(error)) throw error;
        await new Promise((resolve) => setTimeout(resolve, Math.min(100 * attempt, 1000)));
      }
    }
    const metadata = await this.admin.fetchTopicMetadata({ topics: wanted.map((t) => t.topic) });
    for (const want of wanted) {
      const actual = metadata.topics.find((t) => t.name === want.topic)?.partitions.length;
      if (actual !== want.numPartitions)
        throw new InvalidArgumentError(
          `topic ${want.topic} has ${String(actual)} partitions, this hub is configured for ${want.numPartitions} (PARTITION_COUNT must match the existing topics)`,
        );
    }
  }

  private async createMissingTopics(
    wanted: ReadonlyArray<{
      topic: string;
      numPartitions: number;
      configEntries?: Array<{ name: string; value: string }>;
    }>,
  ): Promise<void> {
    const existing = new Set(await this.admin.listTopics());
    const missing = wanted.filter((t) => !existing.has(t.topic));
    if (missing.length > 0) {
      try {
        await this.admin.createTopics({ topics: [...missing], waitForLeaders: true });
      } catch (error) {
        // Another process may have created them at the same moment.
        if (!String(error).includes('already exists')) throw error;
      }
    }
    // Every partition has a leader before anyone produces or reads.
    await this.admin.fetchTopicMetadata({ topics: wanted.map((t) => t.topic) });
  }

  private groupId(group: string): string {
    return `${this.options.hub}.${group}`;
  }

  private memberKey(group: string, stream: Stream): string {
    return `${group}\u0000${stream}`;
  }
}

function isTransientTopicError(error: unknown): boolean {
  const text = String(error);
  return (
    (error as { retriable?: unknown } | null)?.retriable === true ||
    text.includes('does not host this topic-partition') ||
    text.includes('leader')
  );
}
