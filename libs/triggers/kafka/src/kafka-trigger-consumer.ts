import { InvalidArgumentError } from '@durable/core';
import {
  Kafka,
  logLevel,
  Partitioners,
  type Consumer,
  type EachBatchPayload,
  type KafkaConfig,
  type LogEntry,
  type Producer,
} from 'kafkajs';
import {
  classifyFailure,
  deadLetterHeaders,
  decideRecord,
  retryDelayMs,
  traceContextOfRecord,
  type RetryPolicy,
  type TriggerRecord,
} from './record-decision';
import { checkTriggers, topicNameProblem, type TriggerBinding } from './trigger-config';

/** What a trigger starts orchestrations on; the runtime's InstanceClient satisfies it. */
export interface TriggerTarget {
  orchestrationNames(): readonly string[];
  start(
    name: string,
    options: {
      instanceId?: string;
      input?: string;
      reusePolicy?: 'replaceFinished' | 'error' | 'ignore';
      traceContext?: { traceParent: string; traceState?: string };
    },
  ): Promise<{ instanceId: string }>;
}

/** The `Logger` of @durable/engine fits. */
export interface TriggerLogger {
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

export interface KafkaTriggerOptions {
  readonly brokers: string[];
  readonly clientId?: string;
  /** e.g. `<hub>.triggers` */
  readonly groupId: string;
  readonly triggers: ReadonlyArray<TriggerBinding>;
  /** e.g. `<hub>.dead-letters`; created if missing. */
  readonly deadLetterTopic: string;
  readonly maxPayloadBytes: number;
  readonly target: TriggerTarget;
  /** Receives the trigger's logs and kafkajs' warnings and errors. */
  readonly logger?: TriggerLogger;
  /** Back-off for retriable failures (default 200 ms, doubling, at most 30 s). */
  readonly retry?: Partial<RetryPolicy>;
  /** Partitions processed at once (default 8); records within a partition go one at a time. */
  readonly partitionsConsumedConcurrently?: number;
  /** How long a member that vanished keeps its partitions (default 30 s, kafkajs' default). */
  readonly sessionTimeoutMs?: number;
  /** TLS and SASL for managed clusters (Event Hubs' Kafka endpoint, Confluent Cloud). */
  readonly connection?: Pick<KafkaConfig, 'ssl' | 'sasl'>;
}

type Outcome = { readonly kind: 'done' } | { readonly kind: 'retry'; reason: string; retryAfterMs?: number };

const silent: TriggerLogger = { info: () => undefined, warn: () => undefined, error: () => undefined };

/**
 * Starts one orchestration per record of the trigger topics. Each record's offset is committed as
 * soon as its start was acknowledged or it was written to the dead-letter topic, and not before, so
 * a crash redelivers at most the record in hand, and the `ignore` reuse policy turns a redelivered
 * start into a no-op. A record that fails retriably
 * pauses its partition and is fetched again after a back-off, so it keeps its place in the
 * partition's order while other partitions (and heartbeats) go on.
 */
export class KafkaTriggerConsumer {
  private readonly attempts = new Map<string, { offset: string; count: number }>();
  private readonly retryTimers = new Set<NodeJS.Timeout>();
  private stopping: Promise<void> | undefined;

  private constructor(
    private readonly options: KafkaTriggerOptions,
    private readonly consumer: Consumer,
    private readonly producer: Producer,
    private readonly logger: TriggerLogger,
    private readonly retry: RetryPolicy,
  ) {}

  static async start(options: KafkaTriggerOptions): Promise<KafkaTriggerConsumer> {
    checkOptions(options);
    const logger = options.logger ?? silent;
    const kafka = new Kafka({
      clientId: options.clientId ?? 'durable-triggers',
      brokers: options.brokers,
      logLevel: logLevel.WARN,
      logCreator: () => (entry) => forwardLog(logger, entry),
      ...options.connection,
    });
    await prepareTopics(kafka, options);

    // Idempotent with acks -1: a dead letter is durable before its source offset is committed.
    const producer = kafka.producer({
      idempotent: true,
      allowAutoTopicCreation: false,
      createPartitioner: Partitioners.DefaultPartitioner,
    });
    // A short fetch wait, so a partition resumed after a retry back-off is fetched again soon.
    const consumer = kafka.consumer({
      groupId: options.groupId,
      allowAutoTopicCreation: false,
      maxWaitTimeInMs: 500,
      ...(options.sessionTimeoutMs !== undefined ? { sessionTimeout: options.sessionTimeoutMs } : {}),
    });
    consumer.on(consumer.events.CRASH, ({ payload }) =>
      // kafkajs restarts after retriable crashes; otherwise the host must restart the trigger.
      logger.error(
        payload.restart
          ? 'kafka trigger consumer crashed; restarting'
          : 'kafka trigger consumer crashed and stopped',
        { error: payload.error.message },
      ),
    );
    const trigger = new KafkaTriggerConsumer(options, consumer, producer, logger, {
      initialDelayMs: options.retry?.initialDelayMs ?? 200,
      maxDelayMs: options.retry?.maxDelayMs ?? 30_000,
    });
    try {
      await producer.connect();
      await consumer.connect();
      await consumer.subscribe({ topics: options.triggers.map((t) => t.topic), fromBeginning: true });
      // Each record's offset is committed by hand once its outcome is durable (see eachBatch).
      await consumer.run({
        eachBatchAutoResolve: false,
        autoCommit: false,
        partitionsConsumedConcurrently: options.partitionsConsumedConcurrently ?? 8,
        eachBatch: (payload) => trigger.eachBatch(payload),
      });
    } catch (error) {
      await Promise.allSettled([consumer.disconnect(), producer.disconnect()]);
      throw error;
    }

    const known = options.target.orchestrationNames();
    for (const { topic, orchestration } of options.triggers) {
      if (!known.includes(orchestration))
        logger.warn('kafka trigger names an unknown orchestration; its records will be dead-lettered', {
          topic,
          orchestration,
        });
    }
    logger.info('kafka triggers started', { groupId: options.groupId, triggers: options.triggers });
    return trigger;
  }

  /** Finishes the record in hand, commits, and leaves the group. */
  stop(): Promise<void> {
    this.stopping ??= this.shutdown();
    return this.stopping;
  }

  private async shutdown(): Promise<void> {
    for (const timer of this.retryTimers) clearTimeout(timer);
    this.retryTimers.clear();
    // kafkajs waits for the batch in flight (whose records commit as they finish), then leaves the group.
    await this.consumer.disconnect();
    await this.producer.disconnect();
    this.logger.info('kafka triggers stopped', { groupId: this.options.groupId });
  }

  private async eachBatch(payload: EachBatchPayload): Promise<void> {
    const { batch, resolveOffset, heartbeat, commitOffsetsIfNecessary, isRunning, isStale, pause } = payload;
    const orchestration = this.options.triggers.find((t) => t.topic === batch.topic)?.orchestration;
    if (orchestration === undefined) return;
    for (const message of batch.messages) {
      if (!isRunning() || isStale()) return;
      const record: TriggerRecord = {
        topic: batch.topic,
        partition: batch.partition,
        offset: message.offset,
        key: message.key,
        value: message.value,
        ...(message.headers !== undefined ? { headers: message.headers } : {}),
      };
      const outcome = await this.handle(record, orchestration);
      if (outcome.kind === 'retry') {
        // Leave the offset unresolved: after the back-off the partition is fetched from this record.
        this.retryLater(record, outcome, pause());
        return;
      }
      this.attempts.delete(`${record.topic}:${record.partition}`);
      resolveOffset(message.offset);
      // Started or dead-lettered for good: commit now, so a crash cannot repeat it (a periodic
      // commit would leave seconds of records, dead letters included, to be handled again).
      const next = (BigInt(message.offset) + 1n).toString();
      try {
        await commitOffsetsIfNecessary({
          topics: [{ topic: batch.topic, partitions: [{ partition: batch.partition, offset: next }] }],
        });
      } catch (error) {
        // The record is done and a later commit covers it; the batch ends here, as after a rebalance
        // the partition may have moved (its new owner starts from the last committed offset).
        this.logger.warn('kafka trigger offset commit failed', {
          topic: record.topic,
          partition: record.partition,
          offset: record.offset,
          error: (error as Error).message,
        });
        return;
      }
      await heartbeat();
    }
  }

  private async handle(record: TriggerRecord, orchestration: string): Promise<Outcome> {
    const { target, maxPayloadBytes, deadLetterTopic } = this.options;
    let decision = decideRecord(record, {
      orchestration,
      orchestrationNames: target.orchestrationNames(),
      maxPayloadBytes,
    });
    if (decision.kind === 'start') {
      const traceContext = traceContextOfRecord(record);
      try {
        await target.start(orchestration, {
          instanceId: decision.instanceId,
          ...(traceContext !== undefined ? { traceContext } : {}),
          ...(decision.input !== undefined ? { input: decision.input } : {}),
          reusePolicy: 'ignore',
        });
        return { kind: 'done' };
      } catch (error) {
        const verdict = classifyFailure(error);
        if (verdict.kind === 'retry') return verdict;
        decision = verdict;
      }
    }
    try {
      await this.producer.send({
        topic: deadLetterTopic,
        acks: -1,
        messages: [{ key: record.key, value: record.value, headers: deadLetterHeaders(record, decision) }],
      });
    } catch (error) {
      // A record neither started nor dead-lettered must not be passed over, whatever the error.
      return { kind: 'retry', reason: `writing the dead letter failed: ${(error as Error).message}` };
    }
    this.logger.warn('kafka trigger record dead-lettered', {
      topic: record.topic,
      partition: record.partition,
      offset: record.offset,
      orchestration,
      error: decision.error,
      reason: decision.reason,
    });
    return { kind: 'done' };
  }

  private retryLater(
    record: TriggerRecord,
    outcome: Extract<Outcome, { kind: 'retry' }>,
    resume: () => void,
  ): void {
    const key = `${record.topic}:${record.partition}`;
    const previous = this.attempts.get(key);
    const count = previous?.offset === record.offset ? previous.count + 1 : 1;
    this.attempts.set(key, { offset: record.offset, count });
    const delayMs = retryDelayMs(count, outcome.retryAfterMs, this.retry);
    this.logger.warn('kafka trigger start failed; retrying', {
      topic: record.topic,
      partition: record.partition,
      offset: record.offset,
      attempt: count,
      delayMs,
      reason: outcome.reason,
    });
    const timer = setTimeout(() => {
      this.retryTimers.delete(timer);
      resume();
    }, delayMs);
    this.retryTimers.add(timer);
  }
}

function checkOptions(options: KafkaTriggerOptions): void {
  const fail = (reason: string): never => {
    throw new InvalidArgumentError(`invalid Kafka trigger options: ${reason}`);
  };
  if (options.brokers.length === 0) fail('no brokers');
  if (options.groupId.trim() === '') fail('groupId is empty');
  if (options.triggers.length === 0) fail('no triggers');
  checkTriggers(options.triggers);
  const deadLetterProblem = topicNameProblem(options.deadLetterTopic);
  if (deadLetterProblem !== undefined) fail(`deadLetterTopic ${deadLetterProblem}`);
  if (options.triggers.some((t) => t.topic === options.deadLetterTopic))
    fail(`the dead-letter topic '${options.deadLetterTopic}' is also a trigger topic`);
  if (!Number.isSafeInteger(options.maxPayloadBytes) || options.maxPayloadBytes <= 0)
    fail('maxPayloadBytes must be a positive integer');
}

/** Creates the dead-letter topic if missing; a missing trigger topic is a configuration error. */
async function prepareTopics(kafka: Kafka, options: KafkaTriggerOptions): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    const missing = options.triggers.map((t) => t.topic).filter((topic) => !existing.has(topic));
    if (missing.length > 0)
      throw new InvalidArgumentError(`Kafka trigger topics do not exist: ${missing.join(', ')}`);
    // createTopics returns false when another process created it first.
    if (!existing.has(options.deadLetterTopic)) {
      // Just after creation the broker can answer "does not host this topic-partition" for a
      // moment while it waits for leaders: retry that, not other errors.
      for (let attempt = 1; ; attempt++) {
        try {
          await admin.createTopics({ topics: [{ topic: options.deadLetterTopic }], waitForLeaders: true });
          await admin.fetchTopicMetadata({ topics: [options.deadLetterTopic] });
          break;
        } catch (error) {
          const transient = /does not host this topic-partition|leader/.test(String(error));
          if (attempt >= 20 || !transient) throw error;
          await new Promise((resolve) => setTimeout(resolve, Math.min(100 * attempt, 1000)));
        }
      }
    }
  } finally {
    await admin.disconnect();
  }
}

function forwardLog(logger: TriggerLogger, { level, namespace, log }: LogEntry): void {
  const { message, ...fields } = log;
  const line = `kafkajs ${namespace}: ${message}`;
  if (level === logLevel.ERROR) logger.error(line, fields);
  else if (level === logLevel.WARN) logger.warn(line, fields);
}
