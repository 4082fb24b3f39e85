// Retention in distributed mode: the frontend process purges over Cosmos DB what its policy says is
// due, driven through the `durable` CLI as an operator would.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { DistributedCluster } from '@durable/tools/servers';
import { waitForOutput } from '../support/durable-process';

const bin = join(__dirname, '..', '..', 'node_modules', '.bin', 'durable');

describe('retention in distributed mode', () => {
  let cluster: DistributedCluster;

  beforeAll(async () => {
    cluster = await DistributedCluster.start({
      orchestrationWorkers: 1,
      activityWorkers: 1,
      partitions: 2,
      app: join(__dirname, '..', 'fixtures', 'distributed-app.ts'),
      // Sweeps on demand only (the interval is long), so the counts are exact.
      env: { DURABLE_RETENTION_COMPLETED: '1ms', DURABLE_RETENTION_INTERVAL: '1h' },
    });
  }, 240_000);

  afterAll(async () => {
    await cluster?.stop();
  }, 120_000);

  const durable = (
    args: readonly string[],
  ): Promise<{ code: number | null; stdout: string; stderr: string }> =>
    new Promise((resolve, reject) => {
      const child = spawn(bin, args, {
        env: { ...process.env, NO_COLOR: '1', DURABLE_URL: cluster.frontend.baseUrl },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
      child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
      child.on('error', reject);
      child.on('close', (code) => resolve({ code, stdout, stderr }));
    });

  it('purges the completed instances on a sweep and keeps the running ones', async () => {
    for (const id of ['ret-d1', 'ret-d2']) {
      const started = await fetch(`${cluster.frontend.baseUrl}/orchestrators/Seq/${id}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '2',
      });
      expect(started.status).toBe(202);
      expect((await waitForOutput(`${cluster.frontend.baseUrl}/instances/${id}`, 60_000)).status).toBe(200);
    }
    const waiting = await fetch(`${cluster.frontend.baseUrl}/orchestrators/Wait/ret-live`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '1',
    });
    expect(waiting.status).toBe(202);

    const shown = await durable(['retention']);
    expect(shown.stdout).toMatch(/^Completed\s+1ms$/m);
    const sweep = await durable(['retention', 'sweep']);
    expect(sweep).toMatchObject({ code: 0, stdout: 'purged 2 instances (Completed 2)\n' });
    for (const id of ['ret-d1', 'ret-d2']) expect((await durable(['status', id])).code).toBe(3);
    expect((await durable(['status', 'ret-live'])).code).toBe(0);
    const state = JSON.parse((await durable(['--json', 'retention'])).stdout) as Record<string, unknown>;
    expect(state).toMatchObject({ enabled: true, purgedSinceStart: 2, lastSweep: { total: 2 } });
  }, 120_000);
});
