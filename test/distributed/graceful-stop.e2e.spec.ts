// A graceful stop: an orchestration worker that gets SIGTERM under load stops being ready, finishes
// the batch in hand, commits its offsets as a member of the group, hands its partitions back and
// exits 0; the other worker takes over and every orchestration completes once.
import { join } from 'node:path';
import { DistributedCluster } from '@durable/tools/servers';
import { expectedOutput } from '../fixtures/distributed-app';

describe('graceful stop in distributed mode', () => {
  let cluster: DistributedCluster;

  beforeAll(async () => {
    cluster = await DistributedCluster.start({
      orchestrationWorkers: 2,
      activityWorkers: 1,
      partitions: 4,
      app: join(__dirname, '..', 'fixtures', 'distributed-app.ts'),
    });
  }, 240_000);

  afterAll(async () => {
    await cluster?.stop();
  }, 120_000);

  it('stops an orchestration worker on SIGTERM under load: not ready, commits, exits 0, and everything completes once', async () => {
    const base = cluster.frontend.baseUrl;
    const started: string[] = [];
    let loading = true;
    const load = (async () => {
      for (let i = 0; loading; i++) {
        const response = await fetch(`${base}/orchestrators/Seq/seq-${i}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: String(i),
        });
        if (response.status === 202) started.push(`seq-${i}`);
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    })();

    const leaving = cluster.orchestrationWorkers[0]!;
    const ready = `http://127.0.0.1:${leaving.port}/health/ready`;
    await new Promise((resolve) => setTimeout(resolve, 4000));
    expect((await fetch(ready)).status).toBe(200);
    const stopped = leaving.stop();
    // Readiness while it stops, until it no longer listens.
    const seen: number[] = [];
    for (;;) {
      try {
        seen.push((await fetch(ready)).status);
      } catch {
        break;
      }
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    await stopped;
    await new Promise((resolve) => setTimeout(resolve, 3000));
    loading = false;
    await load;

    expect(leaving.exitCode).toBe(0);
    expect(seen).toContain(503);
    expect(seen.slice(seen.indexOf(503))).not.toContain(200);
    expect(leaving.logs).not.toMatch(/committing the offset failed/);

    const wrong: string[] = [];
    const deadline = Date.now() + 120_000;
    for (const instanceId of started) {
      for (;;) {
        const response = await fetch(`${base}/instances/${instanceId}?showHistory=true`);
        const body = (await response.json()) as Record<string, unknown>;
        if (response.status === 202 && Date.now() < deadline) {
          await new Promise((resolve) => setTimeout(resolve, 250));
          continue;
        }
        const history = (body['historyEvents'] as Array<{ EventType: string }>) ?? [];
        const count = (type: string) => history.filter((e) => e.EventType === type).length;
        const n = Number(instanceId.slice(4));
        if (
          body['runtimeStatus'] !== 'Completed' ||
          count('ExecutionCompleted') !== 1 ||
          count('TaskCompleted') !== 3 ||
          JSON.stringify(body['output']) !== JSON.stringify(expectedOutput('Seq', n))
        )
          wrong.push(`${instanceId}: ${response.status} ${JSON.stringify(body).slice(0, 300)}`);
        break;
      }
    }
    // Load all along: how much depends on the machine, so only ask for a real stream of starts.
    expect(started.length).toBeGreaterThan(30);
    if (wrong.length > 0)
      throw new Error(`${wrong.length} wrong: ${wrong.slice(0, 5).join('\n')}\n${cluster.logs()}`);
  }, 400_000);
});
