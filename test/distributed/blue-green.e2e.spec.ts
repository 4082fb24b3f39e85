// A blue/green deploy of orchestration workers with orchestration versioning, on Kafka and Cosmos DB:
// blue runs version 1.0 (Strict), green version 2.0 (CurrentOrOlder); both Reject what they do not
// match. Side by side on the same partitions, old instances run on either (green's code keeps the
// old path behind ctx.version), new ones only on green: a new instance on a partition blue owns
// waits (parked) until that partition moves to green, as it does when blue is retired.
import { join } from 'node:path';
import { partitionOf } from '@durable/log';
import { AppProcess, DistributedCluster, installUserApp } from '@durable/tools/servers';
import { until as untilHolds } from '../support/until';

const app = join(__dirname, '..', 'fixtures', 'blue-green-app.ts');

interface Output {
  version: string;
  path: 'old' | 'new';
  startedBy: string;
  finishedBy: string;
}

describe('blue/green orchestration workers with versioning (distributed)', () => {
  let cluster: DistributedCluster;
  let blue: AppProcess;
  let green: AppProcess;

  const worker = (version: string, match: string, label: string) =>
    new AppProcess(
      'orchestration-worker',
      {
        ...cluster.env,
        DURABLE_APP: installUserApp('orchestration-worker', app),
        DURABLE_VERSION: version,
        DURABLE_DEFAULT_VERSION: version,
        DURABLE_VERSION_MATCH: match,
        DURABLE_VERSION_FAILURE: 'Reject',
        // Parking is logged at info: the test reads what blue refused.
        DURABLE_LOG_LEVEL: 'info',
      },
      label,
    );

  beforeAll(async () => {
    cluster = await DistributedCluster.start({
      orchestrationWorkers: 0,
      activityWorkers: 1,
      partitions: 4,
      app,
    });
  }, 240_000);

  afterAll(async () => {
    await Promise.all([blue?.stop(), green?.stop()]);
    await cluster?.stop();
  }, 120_000);

  const post = (path: string) => fetch(`${cluster.frontend.baseUrl}${path}`, { method: 'POST' });
  const statusOf = async (id: string) =>
    (await (await fetch(`${cluster.frontend.baseUrl}/instances/${id}?showHistory=true`)).json()) as {
      runtimeStatus: string;
      output?: Output;
      historyEvents?: Array<{ EventType: string }>;
    };
  const logs = () =>
    `--- blue\n${blue.logs.slice(-5000)}\n--- green\n${green.logs.slice(-5000)}\n${cluster.logs()}`;
  const until = (what: string, condition: () => Promise<boolean>) =>
    untilHolds(condition, (holds) => holds, { what, timeoutMs: 120_000, context: logs });
  const startedFirstStep = async (id: string) =>
    (await statusOf(id)).historyEvents?.some((e) => e.EventType === 'TaskCompleted') ?? false;

  it('serves old instances on both versions and new ones only on the new version, through the cut-over', async () => {
    blue = worker('1.0', 'Strict', 'blue');
    await blue.start();
    const old = Array.from({ length: 6 }, (_, i) => `old-${i}`);
    for (const id of old) expect((await post(`/orchestrators/Order/${id}?version=1.0`)).status).toBe(202);
    for (const id of old) await until(`${id}'s first step`, () => startedFirstStep(id));

    green = worker('2.0', 'CurrentOrOlder', 'green');
    await green.start();
    // New instances on every partition: blue owns some of them now, so it meets new instances.
    const next: string[] = [];
    for (let i = 0; new Set(next.map((id) => partitionOf(id, 4))).size < 4 || next.length < 6; i++)
      next.push(`new-${i}`);
    for (const id of next) expect((await post(`/orchestrators/Order/${id}?version=2.0`)).status).toBe(202);
    for (const id of [...old, ...next])
      expect((await post(`/instances/${id}/raiseEvent/go`)).status).toBe(202);

    // Both run side by side: every old instance completes, whichever worker owns its partition.
    for (const id of old)
      await until(`${id} completing`, async () => (await statusOf(id)).runtimeStatus === 'Completed');
    // Blue is retired: its partitions, with the new instances parked on them, move to green.
    await blue.stop();
    expect(blue.exitCode).toBe(0);
    const refusals = blue.logs
      .split('\n')
      .filter((line) => line.includes('parked'))
      .map((line) => JSON.parse(line) as { instanceId: string; reason: string });
    expect(refusals.length).toBeGreaterThan(0);
    for (const { instanceId, reason } of refusals) {
      expect(next).toContain(instanceId);
      expect(reason).toBe("The orchestration version '2.0' does not match the worker version '1.0'.");
    }
    for (const id of next)
      await until(`${id} completing`, async () => (await statusOf(id)).runtimeStatus === 'Completed');

    for (const id of old) {
      const { output } = await statusOf(id);
      expect({ id, version: output?.version, path: output?.path, startedBy: output?.startedBy }).toEqual({
        id,
        version: '1.0',
        path: 'old',
        startedBy: '1.0',
      });
      expect(['1.0', '2.0']).toContain(output?.finishedBy);
    }
    for (const id of next) {
      const { output } = await statusOf(id);
      // Blue never ran a step of a new instance: it started and finished on green.
      expect({ id, ...output }).toEqual({
        id,
        version: '2.0',
        path: 'new',
        startedBy: '2.0',
        finishedBy: '2.0',
      });
    }
  }, 600_000);
});
