import { KafkaBroker } from '@durable/tools/servers';
import { Kafka, logLevel, Partitioners, type Admin, type Message, type Producer } from 'kafkajs';
import { KafkaTriggerConsumer, type KafkaTriggerOptions, type TriggerLogger } from './kafka-trigger-consumer';
import { RecordingTarget } from './testing';

interface Received {
  readonly key: string | undefined;
  readonly value: string | undefined;
  readonly headers: Record<string, string>;
}

describe('KafkaTriggerConsumer against a real broker', () => {
  let broker: KafkaBroker;
  let kafka: Kafka;
  let admin: Admin;
  let producer: Producer;
  let running: KafkaTriggerConsumer[] = [];
  let seq = 0;
  const unique = (prefix: string) => `${prefix}-${++seq}`;
  const logs: Array<{ level: string; message: string; fields?: Record<string, unknown> }> = [];
  const logger: TriggerLogger = {
    info: (message, fields) => logs.push({ level: 'info', message, ...(fields ? { fields } : {}) }),
    warn: (message, fields) => logs.push({ level: 'warn', message, ...(fields ? { fields } : {}) }),
    error: (message, fields) => logs.push({ level: 'error', message, ...(fields ? { fields } : {}) }),
  };

  beforeAll(async () => {
    broker = await KafkaBroker.start();
    kafka = new Kafka({ clientId: 'trigger-test', brokers: [broker.brokers], logLevel: logLevel.NOTHING });
    admin = kafka.admin();
    await admin.connect();
    producer = kafka.producer({ idempotent: true, createPartitioner: Partitioners.DefaultPartitioner });
    await producer.connect();
  }, 180_000);

  afterEach(async () => {
    await Promise.all(running.map((c) => c.stop()));
    running = [];
  }, 60_000);

  afterAll(async () => {
    await producer?.disconnect();
    await admin?.disconnect();
    await broker?.stop();
  }, 60_000);

  async function createTopic(partitions: number): Promise<string> {
    const topic = unique('orders');
    // The broker can answer "does not host this topic-partition" while a new topic gets leaders.
    for (let attempt = 1; ; attempt++) {
      try {
        await admin.createTopics({ topics: [{ topic, numPartitions: partitions }], waitForLeaders: true });
        await admin.fetchTopicMetadata({ topics: [topic] });
        return topic;
      } catch (error) {
        if (attempt >= 20 || !/does not host this topic-partition|leader/.test(String(error))) throw error;
        await new Promise((resolve) => setTimeout(resolve, 100 * attempt));
      }
    }
  }

  async function start(
    options: Partial<KafkaTriggerOptions> & Pick<KafkaTriggerOptions, 'target' | 'triggers' | 'groupId'>,
  ): Promise<KafkaTriggerConsumer> {
    const consumer = await KafkaTriggerConsumer.start({
      brokers: [broker.brokers],
      deadLetterTopic: 'unused',
      maxPayloadBytes: 1024,
      logger,
      retry: { initialDelayMs: 50, maxDelayMs: 400 },
      ...options,
    });
    running.push(consumer);
    return consumer;
  }

  async function send(topic: string, messages: Message[]): Promise<string[]> {
    const sent: string[] = [];
    // One record per request, so the returned base offset is that record's offset.
    for (const message of messages) {
      const [meta] = await producer.send({ topic, acks: -1, messages: [message] });
      sent.push(`${meta!.partition}-${meta!.baseOffset!}`);
    }
    return sent;
  }

  async function eventually(check: () => boolean | Promise<boolean>, what: string, timeoutMs = 45_000) {
    const deadline = Date.now() + timeoutMs;
    while (!(await check())) {
      if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  /** Waits until the group has committed every record of the topics, i.e. handled them all. */
  async function caughtUp(groupId: string, topics: string[]): Promise<void> {
    await eventually(
      async () => {
        for (const topic of topics) {
          const ends = await admin.fetchTopicOffsets(topic);
          const [committed] = await admin.fetchOffsets({ groupId, topics: [topic] });
          for (const { partition, high } of ends) {
            const offset = committed?.partitions.find((p) => p.partition === partition)?.offset;
            if (high !== '0' && offset !== high) return false;
          }
        }
        return true;
      },
      `group ${groupId} committed everything on ${topics.join(', ')}`,
    );
  }

  /** Every record on `topic`, read with a new group. */
  async function readAll(topic: string): Promise<Received[]> {
    const ends = await admin.fetchTopicOffsets(topic);
    const last = new Map(ends.filter((e) => e.high !== e.low).map((e) => [e.partition, BigInt(e.high) - 1n]));
    if (last.size === 0) return [];
    const received: Received[] = [];
    const reader = kafka.consumer({ groupId: unique('reader') });
    await reader.connect();
    await reader.subscribe({ topic, fromBeginning: true });
    try {
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`could not read all of ${topic}`)), 30_000);
        void reader.run({
          eachMessage: async ({ partition, message }) => {
            const headers: Record<string, string> = {};
            for (const [name, value] of Object.entries(message.headers ?? {}))
              if (value !== undefined) headers[name] = value.toString();
            received.push({ key: message.key?.toString(), value: message.value?.toString(), headers });
            if (BigInt(message.offset) >= (last.get(partition) ?? -1n)) last.delete(partition);
            if (last.size === 0) {
              clearTimeout(timer);
              resolve();
            }
          },
        });
      });
    } finally {
      await reader.disconnect();
    }
    return received;
  }

  it('starts one orchestration per record, with the id from the header, the key or the position', async () => {
    const topic = await createTopic(3);
    const deadLetterTopic = unique('dead');
    const target = new RecordingTarget(['ProcessOrder']);
    const groupId = unique('group');
    await start({ target, groupId, deadLetterTopic, triggers: [{ topic, orchestration: 'ProcessOrder' }] });

    const keyed = Array.from({ length: 12 }, (_, i) => ({ key: `order-${i}`, value: JSON.stringify({ i }) }));
    await send(topic, keyed);
    await send(topic, [
      { key: 'ignored-key', value: '{"h":1}', headers: { 'durable-instance-id': 'from-header' } },
      { key: 'no-input', value: null },
    ]);
    const [position] = await send(topic, [{ partition: 1, value: '[1,2]' }]);
    await caughtUp(groupId, [topic]);

    expect(target.started).toHaveLength(15);
    expect(new Set(target.started.map((s) => s.instanceId)).size).toBe(15);
    for (const { key, value } of keyed)
      expect(target.started).toContainEqual({ name: 'ProcessOrder', instanceId: key, input: value });
    expect(target.started).toContainEqual({
      name: 'ProcessOrder',
      instanceId: 'from-header',
      input: '{"h":1}',
    });
    expect(target.started).toContainEqual({ name: 'ProcessOrder', instanceId: 'no-input', input: undefined });
    expect(target.started).toContainEqual({
      name: 'ProcessOrder',
      instanceId: `${topic}-${position}`,
      input: '[1,2]',
    });
    expect(await readAll(deadLetterTopic)).toEqual([]);
  }, 90_000);

  it('starts nothing new for a repeated key or a replay of the whole topic', async () => {
    const topic = await createTopic(2);
    const target = new RecordingTarget(['ProcessOrder']);
    const groupId = unique('group');
    const options = {
      target,
      groupId,
      deadLetterTopic: unique('dead'),
      triggers: [{ topic, orchestration: 'ProcessOrder' }],
    };
    const first = await start(options);
    await send(topic, [
      ...Array.from({ length: 6 }, (_, i) => ({ key: `k${i}`, value: `{"v":${i}}` })),
      { key: 'k0', value: '{"v":"again"}' },
    ]);
    await caughtUp(groupId, [topic]);
    expect(target.calls).toBe(7);
    expect(target.started).toHaveLength(6);
    expect(target.started.find((s) => s.instanceId === 'k0')?.input).toBe('{"v":0}');

    // As if the offsets had never been committed: the group starts again from the beginning.
    await first.stop();
    await admin.deleteGroups([groupId]);
    await start(options);
    await eventually(() => target.calls === 14, 'every record was redelivered');
    await caughtUp(groupId, [topic]);
    expect(target.calls).toBe(14);
    expect(target.started).toHaveLength(6);
    expect(await readAll(options.deadLetterTopic)).toEqual([]);
  }, 90_000);

  it('dead-letters exactly the poison records, with reasons, and goes on with the records after them', async () => {
    const topic = await createTopic(1);
    const orphanTopic = await createTopic(1);
    const deadLetterTopic = unique('dead');
    const target = new RecordingTarget(['ProcessOrder']);
    target.failNext('boom', 1, () => new RangeError('boom'));
    const groupId = unique('group');
    await start({
      target,
      groupId,
      deadLetterTopic,
      maxPayloadBytes: 256,
      triggers: [
        { topic, orchestration: 'ProcessOrder' },
        { topic: orphanTopic, orchestration: 'Missing' },
      ],
    });

    const big = JSON.stringify('x'.repeat(300));
    const offsets = await send(topic, [
      { key: 'good-1', value: '{}' },
      { key: 'bad-json', value: '{nope', headers: { 'trace-id': 't-42' } },
      { key: 'too-big', value: big },
      { key: 'a/b', value: '{}' },
      { key: 'boom', value: '{}' },
      { key: 'good-2', value: '{}' },
      { key: 'good-3', value: '{}' },
    ]);
    await send(orphanTopic, [{ key: 'orphan', value: '{}' }]);
    await caughtUp(groupId, [topic, orphanTopic]);

    expect(target.started.map((s) => s.instanceId)).toEqual(['good-1', 'good-2', 'good-3']);
    const dead = await readAll(deadLetterTopic);
    expect(dead.map((d) => d.key).sort()).toEqual(['a/b', 'bad-json', 'boom', 'orphan', 'too-big']);
    const byKey = new Map(dead.map((d) => [d.key, d]));
    const expectations: Array<[string, string, RegExp]> = [
      ['bad-json', 'InvalidArgumentError', /^the value is not valid JSON/],
      ['too-big', 'PayloadTooLargeError', /^payload of 302 bytes exceeds the limit of 256 bytes$/],
      ['a/b', 'InvalidArgumentError', /^invalid instance id from the key: it must not contain '\/'/],
      ['boom', 'RangeError', /^boom$/],
      ['orphan', 'OrchestratorNotRegisteredError', /^no orchestrator named 'Missing' is registered$/],
    ];
    for (const [key, error, reason] of expectations) {
      const headers = byKey.get(key)!.headers;
      expect(headers['durable-dlq-error']).toBe(error);
      expect(headers['durable-dlq-reason']).toMatch(reason);
    }
    expect(byKey.get('bad-json')).toEqual({
      key: 'bad-json',
      value: '{nope',
      headers: {
        'trace-id': 't-42',
        'durable-dlq-reason': expect.any(String),
        'durable-dlq-error': 'InvalidArgumentError',
        'durable-source-topic': topic,
        'durable-source-partition': '0',
        'durable-source-offset': offsets[1]!.split('-')[1],
      },
    });
    expect(byKey.get('too-big')?.value).toBe(big);
    expect(byKey.get('orphan')?.headers['durable-source-topic']).toBe(orphanTopic);
  }, 90_000);

  it('commits each record as soon as it is started or dead-lettered, so a crash would repeat neither', async () => {
    const topic = await createTopic(1);
    const deadLetterTopic = unique('dead');
    const target = new RecordingTarget(['ProcessOrder']);
    const groupId = unique('group');
    await start({ target, groupId, deadLetterTopic, triggers: [{ topic, orchestration: 'ProcessOrder' }] });
    const committed = async () =>
      Number((await admin.fetchOffsets({ groupId, topics: [topic] }))[0]?.partitions[0]?.offset ?? -1);

    await send(topic, [{ key: 'poison', value: '{nope' }]);
    await eventually(
      () =>
        logs.some((l) => l.message === 'kafka trigger record dead-lettered' && l.fields?.['topic'] === topic),
      'the record is dead-lettered',
    );
    // Well within any periodic commit interval.
    await eventually(async () => (await committed()) === 1, 'the dead letter is committed', 1_500);

    await send(topic, [{ key: 'good', value: '{}' }]);
    await eventually(() => target.started.length === 1, 'the record is started');
    await eventually(async () => (await committed()) === 2, 'the start is committed', 1_500);
  });

  it('retries a retriable failure in place, then starts it and the records after it in order', async () => {
    const topic = await createTopic(1);
    const deadLetterTopic = unique('dead');
    const target = new RecordingTarget(['ProcessOrder']);
    target.failNext('r-1', 3);
    const groupId = unique('group');
    await start({ target, groupId, deadLetterTopic, triggers: [{ topic, orchestration: 'ProcessOrder' }] });

    await send(topic, [
      { key: 'r-1', value: '{}' },
      { key: 'r-2', value: '{}' },
      { key: 'r-3', value: '{}' },
    ]);
    await caughtUp(groupId, [topic]);

    expect(target.started.map((s) => s.instanceId)).toEqual(['r-1', 'r-2', 'r-3']);
    expect(target.calls).toBe(6);
    const retries = logs.filter(
      (l) => l.message === 'kafka trigger start failed; retrying' && l.fields?.['topic'] === topic,
    );
    expect(retries.map((l) => [l.fields?.['attempt'], l.fields?.['delayMs']])).toEqual([
      [1, 50],
      [2, 100],
      [3, 200],
    ]);
    expect(await readAll(deadLetterTopic)).toEqual([]);
  }, 90_000);

  it('keeps other partitions moving while one record waits for a retriable failure to clear', async () => {
    const topic = await createTopic(2);
    const deadLetterTopic = unique('dead');
    const target = new RecordingTarget(['ProcessOrder']);
    const release = target.failUntilReleased('held');
    const groupId = unique('group');
    await start({ target, groupId, deadLetterTopic, triggers: [{ topic, orchestration: 'ProcessOrder' }] });

    await send(topic, [
      { partition: 0, key: 'held', value: '{}' },
      { partition: 0, key: 'after-held', value: '{}' },
      { partition: 1, key: 'p1-a', value: '{}' },
    ]);
    await eventually(() => target.has('p1-a'), 'p1-a started');
    // Records produced later on the free partition start too, while `held` is still retrying.
    await send(topic, [{ partition: 1, key: 'p1-b', value: '{}' }]);
    await eventually(() => target.has('p1-b'), 'p1-b started');
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect(target.has('held')).toBe(false);
    expect(target.has('after-held')).toBe(false);

    release();
    await caughtUp(groupId, [topic]);
    const order = target.started.map((s) => s.instanceId);
    expect(order.filter((id) => id === 'held' || id === 'after-held')).toEqual(['held', 'after-held']);
    expect(order).toHaveLength(4);
    expect(await readAll(deadLetterTopic)).toEqual([]);
  }, 90_000);

  it('resumes from the committed offset after stop and start, losing and repeating nothing', async () => {
    const topic = await createTopic(2);
    const target = new RecordingTarget(['ProcessOrder'], 20);
    const groupId = unique('group');
    const options = {
      target,
      groupId,
      deadLetterTopic: unique('dead'),
      triggers: [{ topic, orchestration: 'ProcessOrder' }],
    };
    const first = await start(options);
    await send(
      topic,
      Array.from({ length: 30 }, (_, i) => ({ key: `a${i}`, value: '{}' })),
    );
    await eventually(() => target.started.length >= 5, 'some records started');
    await first.stop(); // while records are in flight
    const startedBeforeRestart = target.started.length;
    expect(startedBeforeRestart).toBeLessThan(30);

    await send(
      topic,
      Array.from({ length: 10 }, (_, i) => ({ key: `b${i}`, value: '{}' })),
    );
    await start(options);
    await caughtUp(groupId, [topic]);

    expect(target.started).toHaveLength(40);
    expect(new Set(target.started.map((s) => s.instanceId)).size).toBe(40);
    // The stop committed what it had handled: nothing was offered twice.
    expect(target.calls).toBe(40);
  }, 90_000);

  it('refuses to start on a missing trigger topic, and creates the dead-letter topic', async () => {
    const target = new RecordingTarget(['ProcessOrder']);
    await expect(
      start({ target, groupId: unique('group'), triggers: [{ topic: 'no-such-topic', orchestration: 'X' }] }),
    ).rejects.toThrow('Kafka trigger topics do not exist: no-such-topic');

    const topic = await createTopic(1);
    const deadLetterTopic = unique('dead');
    await start({
      target,
      groupId: unique('group'),
      deadLetterTopic,
      triggers: [{ topic, orchestration: 'X' }],
    });
    expect(await admin.listTopics()).toContain(deadLetterTopic);
  }, 60_000);

  // Last: it restarts the shared broker.
  it('starts every record exactly once across a broker restart', async () => {
    const topic = await createTopic(2);
    const target = new RecordingTarget(['ProcessOrder']);
    const groupId = unique('group');
    await start({
      target,
      groupId,
      deadLetterTopic: unique('dead'),
      triggers: [{ topic, orchestration: 'ProcessOrder' }],
      // The group outlives the broker restart; let the pre-restart membership expire sooner.
      sessionTimeoutMs: 8_000,
    });
    await send(
      topic,
      Array.from({ length: 10 }, (_, i) => ({ key: `before-${i}`, value: '{}' })),
    );
    await eventually(() => target.started.length === 10, 'the first records started');

    await broker.restart({ kill: true });
    await send(
      topic,
      Array.from({ length: 10 }, (_, i) => ({ key: `after-${i}`, value: '{}' })),
    );
    await caughtUp(groupId, [topic]);
    expect(target.started).toHaveLength(20);
    expect(new Set(target.started.map((s) => s.instanceId)).size).toBe(20);
  }, 120_000);
});
