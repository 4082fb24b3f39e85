// A zombie owner: an orchestration worker frozen (SIGSTOP) past its group session loses its
// partitions; when it resumes it still holds them in memory, and its commits must be refused.
import { join } from 'node:path';
import { DistributedCluster } from '@durable/tools/servers';
import { expectedOutput } from '../fixtures/distributed-app';

describe('fencing in distributed mode', () => {
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

  it('refuses the commits of a worker paused past its ownership, and every orchestration still completes once', async () => {
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
        await new Promise((resolve) => setTimeout(resolve, 15));
      }
    })();

    const zombie = cluster.orchestrationWorkers[0]!;
    await new Promise((resolve) => setTimeout(resolve, 2000));
    zombie.pause();
    // Past the 10 s group session: the other worker is given every partition under newer epochs.
    await new Promise((resolve) => setTimeout(resolve, 16_000));
    zombie.resume();
    await new Promise((resolve) => setTimeout(resolve, 5000));
    loading = false;
    await load;

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
        const n = Number(instanceId.slice(4));
        const completions = ((body['historyEvents'] as Array<{ EventType: string }>) ?? []).filter(
          (e) => e.EventType === 'ExecutionCompleted',
        ).length;
        if (
          body['runtimeStatus'] !== 'Completed' ||
          completions !== 1 ||
          JSON.stringify(body['output']) !== JSON.stringify(expectedOutput('Seq', n))
        )
          wrong.push(`${instanceId}: ${response.status} ${JSON.stringify(body).slice(0, 200)}`);
        break;
      }
    }
    // Load all along: how much depends on the machine, so only ask for a real stream of starts.
    expect(started.length).toBeGreaterThan(100);
    if (wrong.length > 0)
      throw new Error(`${wrong.length} wrong: ${wrong.slice(0, 5).join('\n')}\n${cluster.logs()}`);
    // The zombie's next commit was refused: by the store's epoch check, or, when the pause fell
    // between its store commit and its offset commit, by the group coordinator that dropped it.
    expect(zombie.logs).toMatch(
      /partition lost; stopping.*now belongs to epoch|committing the offset failed: .*not aware of this member/,
    );
  }, 400_000);
});
