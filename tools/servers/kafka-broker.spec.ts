import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { KafkaBroker } from './kafka-broker';

describe('the local Kafka broker', () => {
  let broker: KafkaBroker;

  beforeAll(async () => {
    broker = await KafkaBroker.start();
  }, 180_000);

  afterAll(async () => {
    await broker?.stop();
  }, 30_000);

  it('starts in KRaft mode on 127.0.0.1 and carries records through a topic', async () => {
    const kafka = new Kafka({
      clientId: 'durable-test',
      brokers: [broker.brokers],
      logLevel: logLevel.NOTHING,
    });
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({
      topics: [{ topic: 'durable-smoke', numPartitions: 2 }],
      waitForLeaders: true,
    });
    expect(
      (await admin.fetchTopicMetadata({ topics: ['durable-smoke'] })).topics[0]?.partitions,
    ).toHaveLength(2);
    await admin.disconnect();

    const producer = kafka.producer({ idempotent: true });
    await producer.connect();
    await producer.send({ topic: 'durable-smoke', messages: [{ key: 'a', value: 'hello', partition: 1 }] });
    await producer.disconnect();

    const consumer = kafka.consumer({ groupId: 'durable-smoke' });
    await consumer.connect();
    await consumer.subscribe({ topic: 'durable-smoke', fromBeginning: true });
    const received = new Promise<{ partition: number; value: string }>((resolve) => {
      void consumer.run({
        eachMessage: async ({ partition, message }) =>
          resolve({ partition, value: message.value?.toString() ?? '' }),
      });
    });
    expect(await received).toEqual({ partition: 1, value: 'hello' });
    await consumer.disconnect();
  }, 120_000);

  it('starts again over the data folder of a broker that crashed, keeping its topics', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'durable-kafka-reuse-'));
    const crashed = await KafkaBroker.start({ dataDir });
    const admin = (brokers: string) =>
      new Kafka({ clientId: 'durable-test', brokers: [brokers], logLevel: logLevel.NOTHING }).admin();
    const before = admin(crashed.brokers);
    await before.connect();
    await before.createTopics({ topics: [{ topic: 'kept' }], waitForLeaders: true });
    await before.disconnect();
    const pid = crashed.pid as number;
    process.kill(pid, 'SIGKILL');
    while (isAlive(pid)) await new Promise((resolve) => setTimeout(resolve, 100));

    // The storage is formatted already: starting must reuse it, not fail formatting it again.
    const restarted = await KafkaBroker.start({ dataDir });
    try {
      const after = admin(restarted.brokers);
      await after.connect();
      expect(await after.listTopics()).toContain('kept');
      await after.disconnect();
    } finally {
      await restarted.stop();
    }
  }, 180_000);
});

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
