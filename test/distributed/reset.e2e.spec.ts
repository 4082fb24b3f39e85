// Reset on Kafka and Cosmos DB: a finished instance runs again from a point of its history, the
// history before it kept (Cosmos history chunks replaced), the reset recorded with its reason.
import { join } from 'node:path';
import { DistributedCluster } from '@durable/tools/servers';
import { until as untilHolds } from '../support/until';

type HistoryJson = Array<{ EventType: string; EventId: number; Data?: unknown }>;

describe('reset in distributed mode', () => {
  let cluster: DistributedCluster;

  beforeAll(async () => {
    cluster = await DistributedCluster.start({
      orchestrationWorkers: 1,
      activityWorkers: 1,
      partitions: 2,
      app: join(__dirname, '..', 'fixtures', 'reset-app.ts'),
    });
  }, 240_000);

  afterAll(async () => {
    await cluster?.stop();
  }, 120_000);

  const post = (path: string, body?: string) =>
    fetch(`${cluster.frontend.baseUrl}${path}`, {
      method: 'POST',
      ...(body !== undefined ? { body, headers: { 'content-type': 'application/json' } } : {}),
    });
  const statusOf = async (id: string) =>
    (await (
      await fetch(`${cluster.frontend.baseUrl}/instances/${id}?showHistory=true&showHistoryOutput=true`)
    ).json()) as { runtimeStatus: string; output?: unknown; historyEvents: HistoryJson };
  const until = <T>(what: string, read: () => Promise<T>, done: (value: T) => boolean) =>
    untilHolds(read, done, { what, timeoutMs: 60_000, intervalMs: 100, context: () => cluster.logs() });
  const finished = (s: { runtimeStatus: string }) => ['Completed', 'Failed'].includes(s.runtimeStatus);
  const resetDone = (s: { runtimeStatus: string; historyEvents: HistoryJson }) =>
    finished(s) && s.historyEvents.some((e) => e.EventType === 'GenericEvent');

  it('re-runs a Completed instance from an event id and a Failed one from its last completed activity', async () => {
    expect((await post('/orchestrators/Steps/d-done', 'false')).status).toBe(202);
    expect((await post('/orchestrators/Steps/d-failed', 'true')).status).toBe(202);
    const done = await until('d-done', () => statusOf('d-done'), finished);
    expect(done.output).toEqual(['d-done/a#1', 'd-done/b#1', 'd-done/c#1']);
    expect((await until('d-failed', () => statusOf('d-failed'), finished)).runtimeStatus).toBe('Failed');

    const second = done.historyEvents.filter((e) => e.EventType === 'TaskCompleted')[1];
    expect((await post(`/instances/d-done/reset?eventId=${second?.EventId}&reason=redo`)).status).toBe(202);
    expect((await post('/instances/d-failed/reset?to=lastCompletedActivity&reason=fixed')).status).toBe(202);

    const again = await until('the reset of d-done', () => statusOf('d-done'), resetDone);
    expect(again).toMatchObject({
      runtimeStatus: 'Completed',
      output: ['d-done/a#1', 'd-done/b#2', 'd-done/c#2'],
    });
    expect(again.historyEvents.filter((e) => e.EventId < (second?.EventId ?? 0))).toEqual(
      done.historyEvents.filter((e) => e.EventId < (second?.EventId ?? 0)),
    );
    expect(again.historyEvents.find((e) => e.EventType === 'GenericEvent')?.Data).toMatchObject({
      type: 'ExecutionReset',
      fromEventId: second?.EventId,
      reason: 'redo',
    });
    const fixed = await until('the reset of d-failed', () => statusOf('d-failed'), resetDone);
    expect(fixed).toMatchObject({
      runtimeStatus: 'Completed',
      output: ['d-failed/a#1', 'd-failed/b#1', 'd-failed/c#2'],
    });

    const refused = await post('/instances/d-done/reset?eventId=100000');
    expect(refused.status).toBe(400);
    expect(((await refused.json()) as { message: string }).message).toMatch(
      /is not an event of the instance's history/,
    );
  }, 300_000);
});
