// The distributed mode end to end: one frontend, two orchestration workers and two activity
// workers as separate OS processes on a real Kafka broker and the Cosmos DB protocol server.
import { join } from 'node:path';
import { Kafka, logLevel, type KafkaMessage } from 'kafkajs';
import { DistributedCluster } from '@durable/tools/servers';
import { expectedOutput, fanOut } from '../fixtures/distributed-app';

const kinds = ['Seq', 'Fan', 'Timer', 'Wait', 'Parent', 'Retry'] as const;
const restCount = 400;
const topicCount = 100;
const maxPayloadBytes = 64 * 1024;

interface Started {
  readonly instanceId: string;
  readonly name: string;
  readonly expected: unknown;
}

type HistoryEvent = { readonly EventType: string };

const count = (history: readonly HistoryEvent[], type: string) =>
  history.filter((e) => e.EventType === type).length;

/** How many of each result event the history of a completed instance of `name` must hold, once each. */
function expectedCounts(name: string): Record<string, number> {
  const once = { ExecutionCompleted: 1 };
  switch (name) {
    case 'Seq':
      return { ...once, TaskCompleted: 3 };
    case 'Fan':
      return { ...once, TaskCompleted: fanOut };
    case 'Timer':
      return { ...once, TimerCreated: 1, TimerFired: 1, TaskCompleted: 1 };
    case 'Wait':
      return { ...once, EventRaised: 1 };
    case 'Parent':
      return { ...once, SubOrchestrationInstanceCompleted: 1 };
    case 'Retry':
    case 'FromTopic':
      return { ...once, TaskCompleted: 1 };
    default:
      throw new Error(`no expectation for ${name}`);
  }
}

/** Runs `work` over `items` with at most `limit` at once. */
async function eachLimited<T>(items: readonly T[], limit: number, work: (item: T) => Promise<void>) {
  let next = 0;
  await Promise.all(
    Array.from({ length: limit }, async () => {
      while (next < items.length) await work(items[next++] as T);
    }),
  );
}

describe('distributed mode on Kafka and Cosmos DB', () => {
  let cluster: DistributedCluster;
  let kafka: Kafka;

  beforeAll(async () => {
    cluster = await DistributedCluster.start({
      partitions: 8,
      topics: ['orders', 'legacy-orders'],
      app: join(__dirname, '..', 'fixtures', 'distributed-app.ts'),
      env: {
        KAFKA_TRIGGERS: 'orders=FromTopic,legacy-orders=RetiredOrchestration',
        MAX_PAYLOAD_BYTES: String(maxPayloadBytes),
      },
    });
    kafka = new Kafka({ clientId: 'e2e', brokers: [cluster.broker.brokers], logLevel: logLevel.NOTHING });
  }, 240_000);

  afterAll(async () => {
    await cluster?.stop();
  }, 120_000);

  const base = () => cluster.frontend.baseUrl;
  const hub = () => cluster.env['TASK_HUB'] as string;

  async function startOverRest(name: string, instanceId: string, input: unknown): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      const response = await fetch(`${base()}/orchestrators/${name}/${instanceId}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(input),
      });
      if (response.status === 202) return;
      // The broker restart can make a start fail with 503; nothing was acknowledged, so retry it.
      if (response.status !== 503 || attempt > 60)
        throw new Error(`start ${instanceId}: ${response.status} ${await response.text()}`);
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  }

  async function produce(
    topic: string,
    messages: Array<{ key?: string; value: string; headers?: Record<string, string> }>,
  ) {
    const admin = kafka.admin();
    await admin.connect();
    await admin
      .createTopics({ topics: [{ topic, numPartitions: 3 }], waitForLeaders: true })
      .catch(() => undefined);
    await admin.disconnect();
    const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    await producer.send({ topic, acks: -1, messages });
    await producer.disconnect();
  }

  async function readTopic(topic: string, expected: number, timeoutMs: number): Promise<KafkaMessage[]> {
    const consumer = kafka.consumer({ groupId: `e2e-${Math.random()}` });
    const seen: KafkaMessage[] = [];
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({ eachMessage: async ({ message }) => void seen.push(message) });
    const deadline = Date.now() + timeoutMs;
    while (seen.length < expected && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
    await new Promise((r) => setTimeout(r, 2000)); // anything beyond the expected count shows up too
    await consumer.disconnect();
    return seen;
  }

  async function statusOf(instanceId: string): Promise<{ status: number; body: Record<string, unknown> }> {
    const response = await fetch(`${base()}/instances/${instanceId}?showHistory=true`);
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  }

  async function listInstanceIds(): Promise<string[]> {
    const ids: string[] = [];
    let token: string | null = null;
    do {
      const response: Response = await fetch(`${base()}/instances?top=1000`, {
        headers: token !== null ? { 'x-ms-continuation-token': token } : {},
      });
      const page = (await response.json()) as Array<{ instanceId: string }>;
      ids.push(...page.map((i) => i.instanceId));
      token = response.headers.get('x-ms-continuation-token');
    } while (token !== null);
    return ids;
  }

  it('completes 500 mixed orchestrations exactly once through worker kills mid-flight and a broker restart, and dead-letters exactly the poison records', async () => {
    const started: Started[] = [];
    const startRest = async (from: number, to: number, paceMs = 0) => {
      const batch: Array<Promise<void>> = [];
      for (let i = from; i < to; i++) {
        const name = kinds[i % kinds.length] as string;
        const instanceId = `rest-${i}`;
        started.push({ instanceId, name, expected: expectedOutput(name, i) });
        batch.push(startOverRest(name, instanceId, i));
        if (paceMs > 0 && i % 10 === 9) await new Promise((resolve) => setTimeout(resolve, paceMs));
      }
      await Promise.all(batch);
    };
    const startTopic = async (from: number, to: number) => {
      const messages = [];
      for (let i = from; i < to; i++) {
        // Ids come from the key, from a header, or from topic-partition-offset.
        const headers: Record<string, string> | undefined =
          i % 3 === 1 ? { 'durable-instance-id': `topic-${i}` } : undefined;
        messages.push({
          key: i % 3 === 1 ? `k-${i}` : `topic-${i}`,
          value: JSON.stringify({ id: String(i) }),
          ...(headers ? { headers } : {}),
        });
        started.push({ instanceId: `topic-${i}`, name: 'FromTopic', expected: `order-${i}` });
      }
      await produce('orders', messages);
    };
    const poison = [
      { key: 'poison-json', value: '{"id": ' },
      { key: 'poison-size', value: JSON.stringify({ id: 'x'.repeat(maxPayloadBytes + 10) }) },
      { key: 'poison-id', value: '{"id":"1"}', headers: { 'durable-instance-id': 'bad/id' } },
    ];

    await startRest(0, restCount / 2);
    await startTopic(0, topicCount / 2);
    await produce('orders', poison);
    await produce('legacy-orders', [{ key: 'poison-unknown', value: '{"id":"2"}' }]);
    const firstHalf = [...started];

    // The second half starts while the kills land: 200 starts paced over several seconds.
    let secondHalfStarted = false;
    const secondHalf = (async () => {
      await Promise.all([startRest(restCount / 2, restCount, 150), startTopic(topicCount / 2, topicCount)]);
      secondHalfStarted = true;
    })();
    await new Promise((resolve) => setTimeout(resolve, 1500));
    await Promise.all([cluster.orchestrationWorkers[0]!.kill(), cluster.activityWorkers[0]!.kill()]);
    expect(secondHalfStarted).toBe(false);

    // The kills must land while work is in flight, or the test proves nothing: what the store holds
    // right after them has activities scheduled but not answered, and timers created but not fired.
    let activitiesInFlight = 0;
    let timersInFlight = 0;
    await eachLimited(firstHalf, 16, async ({ instanceId }) => {
      const { status, body } = await statusOf(instanceId);
      if (status !== 202) return;
      const history = (body['historyEvents'] as HistoryEvent[] | undefined) ?? [];
      // The status API folds a TaskScheduled into its result: one left alone is unanswered.
      activitiesInFlight += count(history, 'TaskScheduled');
      timersInFlight += count(history, 'TimerCreated') - count(history, 'TimerFired');
    });
    expect(activitiesInFlight).toBeGreaterThan(10);
    expect(timersInFlight).toBeGreaterThan(10);
    await secondHalf;
    const raises = new Map<string, number>();

    // Raise the events the waiting orchestrations wait for (some may still be pending: that is fine).
    // A raise is not idempotent: one retried after an error may have been applied twice.
    await eachLimited(
      started.filter((x) => x.name === 'Wait'),
      8,
      async (s) => {
        for (let attempt = 0; ; attempt++) {
          raises.set(s.instanceId, attempt + 1);
          const response = await fetch(`${base()}/instances/${s.instanceId}/raiseEvent/go`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: '"yes"',
          });
          if (response.status === 202) break;
          if (attempt > 60)
            throw new Error(`raise ${s.instanceId}: ${response.status} ${await response.text()}`);
          await new Promise((resolve) => setTimeout(resolve, 500));
        }
      },
    );
    // And restart the broker once.
    await cluster.broker.restart();

    // The crashed workers come back and take partitions again.
    await cluster.orchestrationWorkers[0]!.start();
    await cluster.activityWorkers[0]!.start();

    const deadline = Date.now() + 240_000;
    const pending = new Set(started.map((s) => s.instanceId));
    const problems: string[] = [];
    const children = new Map<string, string>();
    while (pending.size > 0 && Date.now() < deadline) {
      await eachLimited(
        started.filter((s) => pending.has(s.instanceId)),
        16,
        async (s) => {
          const { status, body } = await statusOf(s.instanceId);
          if (status === 202 || status === 404) return;
          pending.delete(s.instanceId);
          const history = (body['historyEvents'] as Array<HistoryEvent & { InstanceId?: string }>) ?? [];
          const counts = Object.fromEntries(
            Object.keys(expectedCounts(s.name)).map((type) => [type, count(history, type)]),
          );
          if (s.name === 'Wait' && counts['EventRaised']! <= (raises.get(s.instanceId) ?? 1))
            counts['EventRaised'] = Math.min(counts['EventRaised']!, 1);
          for (const e of history)
            if (e.EventType === 'SubOrchestrationInstanceCompleted' && e.InstanceId !== undefined)
              children.set(e.InstanceId, s.instanceId);
          if (
            body['runtimeStatus'] !== 'Completed' ||
            JSON.stringify(body['output']) !== JSON.stringify(s.expected) ||
            JSON.stringify(counts) !== JSON.stringify(expectedCounts(s.name))
          )
            problems.push(
              `${s.instanceId} (${s.name}): ${body['runtimeStatus']} ${JSON.stringify(body['output'])} ${JSON.stringify(counts)}`,
            );
        },
      );
      if (pending.size > 0) await new Promise((resolve) => setTimeout(resolve, 1000));
    }
    if (pending.size > 0 || problems.length > 0) {
      const stuck = await Promise.all(
        [...pending].slice(0, 5).map(async (id) => {
          const { status, body } = await statusOf(id);
          return `${id}: ${status} ${JSON.stringify(body)}`;
        }),
      );
      throw new Error(
        `not done: ${[...pending].slice(0, 10).join(', ')} (${pending.size}); wrong: ${problems.slice(0, 10).join('; ')}\n${stuck.join('\n')}\n${cluster.logs()}`,
      );
    }
    expect(started).toHaveLength(restCount + topicCount);

    // Nothing else was started: every instance is one of ours or the one child of a Parent.
    const parents = started.filter((s) => s.name === 'Parent').length;
    expect(children.size).toBe(parents);
    const expectedIds = [...started.map((s) => s.instanceId), ...children.keys()].sort();
    expect((await listInstanceIds()).sort()).toEqual(expectedIds);

    const dead = await readTopic(`${hub()}.dead-letters`, 4, 30_000);
    const reasons = new Map(
      dead.map((m) => [m.key?.toString(), m.headers?.['durable-dlq-reason']?.toString() ?? '']),
    );
    expect([...reasons.keys()].sort()).toEqual(['poison-id', 'poison-json', 'poison-size', 'poison-unknown']);
    expect(dead).toHaveLength(4);
    expect(reasons.get('poison-json')).toMatch(/JSON/i);
    expect(reasons.get('poison-unknown')).toMatch(/RetiredOrchestration/);
    expect(reasons.get('poison-size')).toMatch(/bytes|size|large/i);
    expect(reasons.get('poison-id')).toMatch(/instance id/i);
  }, 600_000);
});
