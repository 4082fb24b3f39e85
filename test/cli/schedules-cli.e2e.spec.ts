// `durable schedules …`: the linked bin as a process against the product.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { DurableProcess } from '../support/durable-process';
import { until } from '../support/until';

const root = join(__dirname, '..', '..');
const bin = join(root, 'node_modules', '.bin', 'durable');
const server = new DurableProcess({ DURABLE_APP: 'test/fixtures/schedules-app.ts' });

function durable(args: readonly string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(bin, args, {
      cwd: root,
      env: { ...process.env, NO_COLOR: '1', DURABLE_URL: server.baseUrl.replace(/\/runtime.*$/, '') },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

beforeAll(() => server.start(), 60_000);
afterAll(async () => {
  await server.stop();
  server.cleanup();
});

describe('durable schedules', () => {
  jest.setTimeout(90_000);
  const get = async (id: string) => {
    const run = await durable(['schedules', 'get', id]);
    return run.code === 0 ? (JSON.parse(run.stdout) as Record<string, unknown>) : { exit: run.code };
  };

  it('creates, lists, pauses, resumes, updates and deletes a schedule, with exit codes for bad input', async () => {
    const created = await durable([
      'schedules',
      'create',
      'nightly',
      'Tick',
      '--cron',
      '0 2 * * *',
      '--time-zone',
      'Europe/Paris',
      '--input',
      '{"counter":"nightly"}',
    ]);
    expect(created).toMatchObject({ code: 0, stderr: expect.stringContaining('created schedule nightly') });
    await until(
      () => get('nightly'),
      (s) => s['status'] === 'Active',
    );
    const listed = await durable(['schedules', 'list']);
    expect(listed.code).toBe(0);
    expect(listed.stdout).toMatch(/nightly\s+Tick\s+cron 0 2 \* \* \* \(Europe\/Paris\)\s+Active/);

    expect((await durable(['schedules', 'pause', 'nightly'])).code).toBe(0);
    await until(
      () => get('nightly'),
      (s) => s['status'] === 'Paused',
    );
    expect((await durable(['schedules', 'resume', 'nightly'])).code).toBe(0);
    expect((await durable(['schedules', 'update', 'nightly', '--every', '1h'])).code).toBe(0);
    await until(
      () => get('nightly'),
      (s) => s['status'] === 'Active' && s['interval'] === 3_600_000 && s['cron'] === undefined,
    );

    const bad = await durable(['schedules', 'create', 'other', 'Tick', '--cron', 'whenever']);
    expect(bad.code).toBe(4);
    expect(bad.stderr).toMatch(/invalid cron expression/);
    expect((await durable(['schedules', 'create', 'other', 'Nope', '--every', '1h'])).code).toBe(3);
    expect((await durable(['schedules', 'pause', 'missing'])).code).toBe(3);

    expect((await durable(['schedules', 'delete', 'nightly'])).code).toBe(0);
    await until(
      () => get('nightly'),
      (s) => s['exit'] === 3,
    );
    expect((await durable(['--json', 'schedules', 'list'])).stdout.trim()).toBe('[]');
  });
});
