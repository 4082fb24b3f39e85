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
});
