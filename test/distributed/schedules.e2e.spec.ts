// Schedules and signal-with-start in the distributed mode (Kafka, Cosmos DB, the apps as processes):
// a schedule ticking every second goes on through a SIGKILL of each orchestration worker in turn
// (its partition moves, then moves back), and every tick starts exactly one orchestration that runs
// once: no tick missed (catch-up `all`), none started twice.
import { join } from 'node:path';
import { DistributedCluster } from '@durable/tools/servers';
import { until as untilHolds } from '../support/until';

interface Schedule {
  status: string;
  runs: number;
  lastRunAt?: string;
}

// Workers are killed and restarted here: a read that fails, or finds nothing yet, is tried again.
const until = <T>(read: () => Promise<T>, ok: (value: T) => boolean, timeoutMs = 120_000) =>
  untilHolds(read, (value) => value !== undefined && ok(value), { timeoutMs, retryErrors: true });

describe('schedules and signal-with-start, distributed', () => {
  let cluster: DistributedCluster;
  beforeAll(async () => {
    cluster = await DistributedCluster.start({
      orchestrationWorkers: 2,
      activityWorkers: 1,
      partitions: 4,
      app: join(__dirname, '..', 'fixtures', 'schedules-app.ts'),
    });
  }, 600_000);
  afterAll(async () => {
    await cluster?.stop();
  }, 120_000);

  const send = (method: string, path: string, body?: unknown) =>
    fetch(`${cluster.frontend.baseUrl}${path}`, {
      method,
      ...(body !== undefined
        ? { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }
        : {}),
    });
  const schedule = async (id: string): Promise<Schedule | undefined> => {
    const response = await send('GET', `/schedules/${id}`);
    if (response.status !== 200) return undefined;
    return (await response.json()) as Schedule;
  };

  it('starts each tick exactly once through SIGKILLs of the orchestration workers', async () => {
    const id = 'every-second';
    const created = await send('POST', `/schedules/${id}`, {
      orchestrationName: 'Tick',
      input: { counter: id },
      interval: '1s',
      catchupPolicy: 'all',
    });
    expect(created.status).toBe(202);
    await until(
      () => schedule(id),
      (s) => s !== undefined && s.runs >= 3,
    );

    for (const worker of cluster.orchestrationWorkers) {
      await worker.kill();
      const killedAt = Date.now();
      // The schedule goes on (or catches up) once its partition has an owner again.
      await until(
        () => schedule(id),
        (s) => s !== undefined && Date.parse(s.lastRunAt ?? '') > killedAt + 1000,
      );
      await worker.start();
    }
    const restartedAt = Date.now();
    await until(
      () => schedule(id),
      (s) => s !== undefined && Date.parse(s.lastRunAt ?? '') > restartedAt + 1000,
    );
    expect((await send('POST', `/schedules/${id}/pause`)).status).toBe(202);
    const paused = await until(
      () => schedule(id),
      (s) => s?.status === 'Paused',
    );

    const instances = await until(
      async () =>
        (await (await send('GET', `/instances?instanceIdPrefix=${id}-&top=1000`)).json()) as Array<{
          instanceId: string;
          runtimeStatus: string;
        }>,
      (list) => list.length === paused?.runs && list.every((i) => i.runtimeStatus === 'Completed'),
    );
    const ticks = instances.map((i) => Date.parse(i.instanceId.slice(id.length + 1))).sort((a, b) => a - b);
    const gaps = ticks.slice(1).map((t, i) => t - (ticks[i] as number));
    expect(gaps.filter((gap) => gap !== 1000)).toEqual([]);
    // Each tick's orchestration ran once: each run adds one to this counter.
    await until(
      async () => {
        const response = await send('GET', `/entities/Runs/${id}`);
        return response.status === 200 ? ((await response.json()) as number) : 0;
      },
      (count) => count === ticks.length,
      60_000,
    );
  }, 400_000);

  it('signal-with-start: concurrent callers start one instance and every event arrives', async () => {
    const callers = 10;
    const responses = await Promise.all(
      Array.from({ length: callers }, (_, i) =>
        send('POST', '/orchestrators/Collect/collector/raiseEvent/item', {
          input: { count: callers },
          eventData: i,
        }),
      ),
    );
    expect(responses.map((r) => r.status).filter((s) => s === 202)).toHaveLength(1);
    expect(responses.map((r) => r.status).filter((s) => s === 200)).toHaveLength(callers - 1);
    const done = await until(
      async () => (await (await send('GET', '/instances/collector')).json()) as Record<string, unknown>,
      (body) => body['runtimeStatus'] === 'Completed',
    );
    expect([...(done['output'] as number[])].sort((a, b) => a - b)).toEqual(
      Array.from({ length: callers }, (_, i) => i),
    );
  }, 120_000);
});
