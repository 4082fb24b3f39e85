import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '@durable/tools/net';
import { DurableProcess } from '../support/durable-process';

const root = join(__dirname, '..', '..');
// The bin npm links for the `@durable/cli` workspace: what `npx durable` runs.
const bin = join(root, 'node_modules', '.bin', 'durable');

interface Run {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

function durable(args: readonly string[], env: Record<string, string> = {}, cwd = root): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(bin, args, {
      cwd,
      env: { ...process.env, NO_COLOR: '1', DURABLE_URL: server.baseUrl.replace(/\/runtime.*$/, ''), ...env },
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

async function ok(args: readonly string[]): Promise<string> {
  const run = await durable(args);
  if (run.code !== 0)
    throw new Error(`durable ${args.join(' ')} exited ${run.code}: ${run.stderr}${run.stdout}`);
  return run.stdout;
}

const server = new DurableProcess({ DURABLE_APP: 'test/fixtures/cli-app.ts' });

beforeAll(() => server.start(), 60_000);
afterAll(async () => {
  await server.stop();
  server.cleanup();
});

describe('durable, the CLI, against the product', () => {
  it('starts an orchestration, waits for it and shows its status', async () => {
    const started = await durable(['start', 'Greeting', '--input', '"Ada"', '--wait']);
    expect(started.code).toBe(0);
    expect(started.stdout).toMatch(/^status:\s+Completed$/m);
    expect(started.stdout).toMatch(/^output:\s+"Hello Ada!"$/m);

    const id = (await ok(['start', 'Greeting', '--id', 'cli-greet-1'])).trim();
    expect(id).toBe('cli-greet-1');
    const status = JSON.parse(await ok(['--json', 'start', 'Greeting', '--id', 'cli-greet-2', '--wait'])) as {
      runtimeStatus: string;
      output: string;
    };
    expect(status).toMatchObject({ runtimeStatus: 'Completed', output: 'Hello World!' });
  });

  it('reads the input from a file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'durable-cli-'));
    try {
      writeFileSync(join(dir, 'input.json'), '"from a file"');
      const out = await ok(['start', 'Greeting', '--input', `@${join(dir, 'input.json')}`, '--wait']);
      expect(out).toContain('"Hello from a file!"');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('exits 1 when the instance it waited for failed, showing the failure', async () => {
    const run = await durable(['start', 'Failing', '--input', '"on purpose"', '--wait']);
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/^status:\s+Failed$/m);
    expect(run.stdout).toContain('exploded: on purpose');
    expect(run.stderr).toContain('ended Failed');
  });

  it('refuses bad input with exit 2 and sends nothing', async () => {
    const bad = await durable(['start', 'Greeting', '--id', 'cli-bad-input', '--input', '{oops']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--input must be JSON');
    expect((await durable(['status', 'cli-bad-input'])).code).toBe(3);

    for (const args of [
      ['no-such-command'],
      ['status'],
      ['list', '--status', 'Done'],
      ['list', '--created-after', 'yesterday'],
      ['list', '--top', '0'],
      ['purge'],
      ['purge', '--status', 'Running'],
      ['--url', 'ftp://x', 'list'],
      ['completion', 'fish'],
    ]) {
      const run = await durable(args);
      expect({ args, code: run.code, stdout: run.stdout }).toEqual({ args, code: 2, stdout: '' });
      expect(run.stderr).toMatch(/error/);
    }
  });

  it('exits 3 for what does not exist, 4 for what the server refuses, 5 when it cannot reach it', async () => {
    const missing = await durable(['status', 'cli-nobody']);
    expect(missing).toMatchObject({ code: 3, stdout: '' });
    expect(missing.stderr).toContain('InstanceNotFoundError');
    expect((await durable(['start', 'NoSuchOrchestration'])).code).toBe(3);
    expect((await durable(['entities', 'get', 'Counter', 'never-signalled'])).code).toBe(3);

    await ok(['start', 'Greeting', '--id', 'cli-twice', '--wait']);
    const finished = await durable(['terminate', 'cli-twice']);
    expect(finished.code).toBe(4);
    expect(finished.stderr).toContain('InstanceFinishedError');

    const port = await freePort();
    const unreachable = await durable(['list'], { DURABLE_URL: `http://127.0.0.1:${port}` });
    expect(unreachable.code).toBe(5);
    expect(unreachable.stderr).toContain('cannot reach');
  });

  it('lists instances as an aligned table with the filters, or as JSON', async () => {
    await Promise.all(
      ['a', 'b', 'c'].map((k) => ok(['start', 'Greeting', '--id', `cli-list-${k}`, '--wait'])),
    );
    await ok(['start', 'Failing', '--id', 'cli-list-failed', '--wait']).catch(() => undefined);

    const out = await ok(['list', '--prefix', 'cli-list-', '--status', 'Completed', '--created-after', '1h']);
    const lines = out.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^INSTANCE\s+NAME\s+STATUS\s+CREATED \(UTC\)\s+RAN FOR\s+OUTPUT$/);
    expect(
      lines
        .slice(1)
        .map((l) => l.split(/\s+/)[0])
        .sort(),
    ).toEqual(['cli-list-a', 'cli-list-b', 'cli-list-c']);
    // Aligned: every row's STATUS column starts where the header's does.
    const column = lines[0]!.indexOf('STATUS');
    for (const line of lines.slice(1)) expect(line.slice(column, column + 9)).toBe('Completed');

    const json = JSON.parse(await ok(['--json', 'list', '--prefix', 'cli-list-', '--name', 'failing'])) as {
      instanceId: string;
    }[];
    expect(json.map((i) => i.instanceId)).toEqual(['cli-list-failed']);
    expect(
      JSON.parse(await ok(['--json', 'list', '--prefix', 'cli-list-', '--created-before', '1h'])),
    ).toEqual([]);

    const limited = await durable(['list', '--prefix', 'cli-list-', '--top', '2']);
    expect(limited.stdout.trimEnd().split('\n')).toHaveLength(3);
    expect(limited.stderr).toContain('showing the first 2');
  });

  it('shows the history as a timeline with how long each task took', async () => {
    await ok(['start', 'Greeting', '--id', 'cli-history', '--input', '"Bo"', '--wait']);
    const out = await ok(['history', 'cli-history']);
    const lines = out.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^AT\s+EVENT\s+TOOK\s+DETAIL$/);
    expect(lines[1]).toMatch(/^\+0 ms\s+ExecutionStarted\s+Greeting "Bo"$/);
    expect(lines[2]).toMatch(/^\+\d+ ms\s+TaskCompleted\s+\d+ ms\s+Greet → "Hello Bo!"$/);
    expect(lines[3]).toMatch(/^\+\d+ ms\s+ExecutionCompleted\s+Completed "Hello Bo!"$/);
    expect(await ok(['status', 'cli-history', '--history'])).toContain('TaskCompleted');
    const events = JSON.parse(await ok(['--json', 'history', 'cli-history'])) as { EventType: string }[];
    expect(events.map((e) => e.EventType)).toEqual([
      'ExecutionStarted',
      'TaskCompleted',
      'ExecutionCompleted',
    ]);
  });

  it('watches an instance until it ends while an event is raised', async () => {
    await ok(['start', 'WaitForGo', '--id', 'cli-watch']);
    const watching = durable(['watch', 'cli-watch', '--interval', '50']);
    await waitFor(async () => (await ok(['status', 'cli-watch'])).includes('waiting for Go'));
    await ok(['raise', 'cli-watch', 'Go', '--data', '"now"']);
    const run = await watching;
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/Running\s+"waiting for Go"/);
    expect(run.stdout).toMatch(/Completed\s+"got Go"/);
    expect(run.stdout).toMatch(/^output:\s+"went now"$/m);

    const timeout = await durable([
      'start',
      'WaitForGo',
      '--id',
      'cli-watch-timeout',
      '--wait',
      '--timeout',
      '0.5',
    ]);
    expect(timeout.code).toBe(7);
    expect(timeout.stderr).toContain('still Running');
  });

  it('explains why an instance is not progressing', async () => {
    await ok(['start', 'Parent', '--id', 'cli-why']);
    await waitFor(async () => (await ok(['status', 'cli-why-child'])).includes('waiting for Go'));

    const parent = (await ok(['why', 'cli-why'])).trimEnd().split('\n');
    expect(parent[0]).toMatch(/^cli-why \(Parent\) is Running on partition \d+$/);
    expect(parent[2]).toMatch(/^WAITS ON\s+WHAT\s+SINCE \(UTC\)\s+DETAIL$/);
    expect(parent[3]).toMatch(/^sub-orchestration\s+cli-why-child\s+\S+ \S+ \(.+ ago\)\s+WaitForGo$/);

    const child = await ok(['why', 'cli-why-child']);
    expect(child).toMatch(/^event\s+Go\s+\S+ \S+ \(.+ ago\)\s+raise it to continue$/m);
    const json = JSON.parse(await ok(['--json', 'why', 'cli-why-child'])) as {
      events: { name: string }[];
      runtimeStatus: string;
    };
    expect(json).toMatchObject({ runtimeStatus: 'Running', events: [{ name: 'Go' }] });

    await ok(['suspend', 'cli-why-child']);
    await waitFor(async () => (await ok(['status', 'cli-why-child'])).includes('Suspended'));
    expect(await ok(['why', 'cli-why-child'])).toContain('note: suspended: results are held back');
    await ok(['terminate', 'cli-why', '--recursive']);
    await waitFor(async () => (await ok(['status', 'cli-why'])).includes('Terminated'));
    expect(await ok(['why', 'cli-why'])).toContain('note: terminated: a finished instance waits on nothing');

    const missing = await durable(['why', 'cli-why-nobody']);
    expect(missing).toMatchObject({ code: 3, stdout: '' });
    expect(missing.stderr).toContain('InstanceNotFoundError');
    const usage = await durable(['why']);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toContain("missing required argument 'instanceId'");
  });

  it('suspends, resumes and terminates recursively', async () => {
    await ok(['start', 'Parent', '--id', 'cli-parent']);
    await waitFor(async () => (await durable(['status', 'cli-parent-child'])).code === 0);
    await ok(['suspend', 'cli-parent', '--reason', 'a pause']);
    await waitFor(async () => (await ok(['status', 'cli-parent'])).includes('Suspended'));
    await ok(['resume', 'cli-parent']);
    await waitFor(async () => (await ok(['status', 'cli-parent'])).includes('Running'));
    await ok(['terminate', 'cli-parent', '--recursive', '--reason', 'done here']);
    const parent = await durable(['watch', 'cli-parent', '--interval', '50']);
    expect(parent.code).toBe(1);
    expect(parent.stdout).toMatch(/^status:\s+Terminated$/m);
    await waitFor(async () => (await ok(['status', 'cli-parent-child'])).includes('Terminated'));
  });

  it('rewinds a failed instance and restarts a finished one', async () => {
    const failed = await durable(['start', 'Rewindable', '--id', 'cli-rewind', '--wait']);
    expect(failed.code).toBe(1);
    await ok(['rewind', 'cli-rewind', '--reason', 'fixed']);
    const rewound = await durable(['watch', 'cli-rewind', '--interval', '50']);
    expect(rewound.code).toBe(0);
    expect(rewound.stdout).toMatch(/^output:\s+"call 2"$/m);

    const restarted = (await ok(['restart', 'cli-rewind'])).trim();
    expect(restarted).not.toBe('cli-rewind');
    expect(await ok(['watch', restarted])).toMatch(/^status:\s+Completed$/m);
  });

  it('purges one instance by id, and by filter with a count', async () => {
    await Promise.all([1, 2, 3].map((n) => ok(['start', 'Greeting', '--id', `cli-purge-${n}`, '--wait'])));
    await ok(['start', 'WaitForGo', '--id', 'cli-purge-live']);
    expect(await ok(['purge', 'cli-purge-1'])).toBe('purged 1 instance\n');
    expect((await durable(['purge', 'cli-purge-1'])).code).toBe(3);

    const out = await ok(['purge', '--prefix', 'cli-purge-', '--created-after', '1h']);
    expect(out).toBe('purged 2 instances\n');
    const left = JSON.parse(await ok(['--json', 'list', '--prefix', 'cli-purge-'])) as {
      instanceId: string;
    }[];
    expect(left.map((i) => i.instanceId)).toEqual(['cli-purge-live']);
    expect(
      JSON.parse(await ok(['--json', 'purge', '--prefix', 'cli-purge-', '--status', 'Completed'])),
    ).toEqual({
      instancesDeleted: 0,
    });
  });

  it('says retention is off, and refuses a sweep with the reason', async () => {
    expect(await ok(['retention'])).toContain('retention is off');
    expect(JSON.parse(await ok(['--json', 'retention', 'show']))).toEqual({
      enabled: false,
      policy: {},
      purgedSinceStart: 0,
    });
    const sweep = await durable(['retention', 'sweep']);
    expect(sweep).toMatchObject({ code: 4, stdout: '' });
    expect(sweep.stderr).toContain('retention is off on this server: set DURABLE_RETENTION');
  });

  it('signals, reads, lists, deletes and cleans entities', async () => {
    await ok(['entities', 'signal', 'Counter', 'cli-c1', 'add', '--input', '5']);
    await ok(['entities', 'signal', 'Counter', 'cli-c1', 'add', '--input', '2']);
    await waitFor(
      async () => (await durable(['entities', 'get', 'Counter', 'cli-c1'])).stdout.trim() === '7',
    );

    const table = await ok(['entities', 'list', '--name', 'Counter', '--key-prefix', 'cli-', '--state']);
    expect(table).toMatch(/^NAME\s+KEY\s+LAST OPERATION \(UTC\)\s+LOCKED BY\s+QUEUED\s+STATE$/m);
    expect(table).toMatch(/^counter\s+cli-c1\s+\S+ \S+\s+0\s+7$/m);

    expect((await durable(['entities', 'signal', 'NoSuchEntity', 'k', 'add'])).code).toBe(3);
    expect((await durable(['entities', 'signal', 'Counter', 'k', 'add', '--input', 'nope'])).code).toBe(2);

    await ok(['entities', 'delete', 'Counter', 'cli-c1']);
    await waitFor(async () => (await durable(['entities', 'get', 'Counter', 'cli-c1'])).code === 3);
    expect(await ok(['entities', 'clean'])).toMatch(
      /^removed \d+ empty entities, released \d+ orphaned locks$/m,
    );
  });

  it('completes commands and their options in bash', async () => {
    const script = await ok(['completion', 'bash']);
    const complete = (line: string): Promise<string> =>
      new Promise((resolve, reject) => {
        const words = line.split(' ');
        const program = `${script}\nCOMP_WORDS=(${words.map((w) => `'${w}'`).join(' ')}); COMP_CWORD=${
          words.length - 1
        }; _durable_completion; echo "\${COMPREPLY[*]}"`;
        const bash: ChildProcess = spawn('bash', ['-c', program], { stdio: ['ignore', 'pipe', 'inherit'] });
        let out = '';
        bash.stdout?.on('data', (c: Buffer) => (out += c.toString()));
        bash.on('error', reject);
        bash.on('close', () => resolve(out.trim()));
      });
    expect(await complete('durable st')).toBe('start status');
    expect(await complete('durable entities s')).toBe('signal');
    expect(await complete('durable w')).toBe('watch why');
    expect(await complete('durable retention s')).toBe('show sweep');
    expect(await complete('durable --json entities list --ke')).toBe('--key-prefix');
    expect(await complete('durable terminate some-id --re')).toBe('--reason --recursive');
  });

  it('sends the token as a bearer token and exits 6 when it is refused', async () => {
    // The product has no authentication yet: a listener that records the request stands in for one.
    let seen: IncomingHttpHeaders | undefined;
    const refusing = createServer((req, res) => {
      seen = req.headers;
      res.writeHead(401, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: 'Unauthorized', message: 'bad token' }));
    });
    await new Promise<void>((resolve) => refusing.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = refusing.address() as { port: number };
      const run = await durable(['list'], {
        DURABLE_URL: `http://127.0.0.1:${port}`,
        DURABLE_TOKEN: 's3cret',
      });
      expect(run.code).toBe(6);
      expect(run.stderr).toContain('Unauthorized: bad token');
      expect(seen?.authorization).toBe('Bearer s3cret');
      await durable(['--token', 'other', 'status', 'x'], { DURABLE_URL: `http://127.0.0.1:${port}` });
      expect(seen?.authorization).toBe('Bearer other');
    } finally {
      refusing.close();
    }
  });
});

describe('durable retention, against a server that purges', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'durable-retention-'));
  let purging: DurableProcess | undefined;
  const run = (args: readonly string[]) =>
    durable(args, { DURABLE_URL: `http://127.0.0.1:${purging?.port ?? 0}` });
  const start = async (env: Record<string, string>): Promise<void> => {
    await purging?.stop();
    purging = new DurableProcess({ DURABLE_APP: 'test/fixtures/cli-app.ts', ...env }, dataDir);
    await purging.start();
  };

  afterAll(async () => {
    await purging?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('purges completed instances on a sweep, a batch at a time, and keeps the other statuses', async () => {
    // Sweeps only on demand here (the interval is long), so each count is exact.
    await start({
      DURABLE_RETENTION_COMPLETED: '1ms',
      DURABLE_RETENTION_INTERVAL: '1h',
      DURABLE_RETENTION_BATCH: '2',
    });
    for (const n of [1, 2, 3])
      expect((await run(['start', 'Greeting', '--id', `ret-${n}`, '--wait'])).code).toBe(0);
    expect((await run(['start', 'Failing', '--id', 'ret-failed', '--wait'])).code).toBe(1);

    const shown = (await run(['retention'])).stdout.trimEnd().split('\n');
    expect(shown.slice(0, 5)).toEqual([
      'STATUS      KEPT FOR',
      'Completed   1ms',
      'Failed      kept',
      'Terminated  kept',
      'Canceled    kept',
    ]);
    expect(shown).toContain('sweeps every 1h, at most 2 instances each');
    expect(shown).toContain('no sweep yet');

    const first = await run(['retention', 'sweep']);
    expect(first).toMatchObject({ code: 0, stdout: 'purged 2 instances (Completed 2)\n' });
    expect(first.stderr).toContain('more are due');
    expect((await run(['retention', 'sweep'])).stdout).toBe('purged 1 instance (Completed 1)\n');
    for (const n of [1, 2, 3]) expect((await run(['status', `ret-${n}`])).code).toBe(3);
    expect((await run(['status', 'ret-failed'])).stdout).toMatch(/^status:\s+Failed$/m);

    const state = JSON.parse((await run(['--json', 'retention'])).stdout) as Record<string, unknown>;
    expect(state).toMatchObject({
      enabled: true,
      policy: { Completed: '1ms' },
      purgedSinceStart: 3,
      lastSweep: { total: 1, purged: { Completed: 1 }, limited: false },
    });
  });

  it('purges in the background, counted in the metrics', async () => {
    await start({ DURABLE_RETENTION: '1ms', DURABLE_RETENTION_INTERVAL: '100ms' });
    // No --wait: the loop may purge it before a wait reads its outcome. Only a finished one is purged.
    expect((await run(['start', 'Greeting', '--id', 'ret-background'])).code).toBe(0);
    await waitFor(async () => (await run(['status', 'ret-background'])).code === 3);
    // The failed instance of the first test is due now too: every finished status has a retention.
    await waitFor(async () => (await run(['status', 'ret-failed'])).code === 3);
    const metrics = await (await fetch(`http://127.0.0.1:${purging!.port}/metrics`)).text();
    expect(metrics).toMatch(/^durable_retention_purged_total\{[^}]*status="Completed"[^}]*\} [1-9]/m);
    expect(metrics).toMatch(/^durable_retention_purged_total\{[^}]*status="Failed"[^}]*\} 1/m);
    expect(await (await run(['retention'])).stdout).toMatch(/^last sweep .* UTC: purged/m);
  });

  it('refuses to start with a retention it cannot read, naming the setting', async () => {
    await purging?.stop();
    purging = undefined;
    const bad = new DurableProcess({ DURABLE_RETENTION_FAILED: '7 days' }, dataDir);
    await expect(bad.start()).rejects.toThrow(
      "DURABLE_RETENTION_FAILED must be a positive span like 30d, 12h, 15m, 90s or 500ms, got '7 days'",
    );
  });
});

describe('durable dev', () => {
  it('runs your app and restarts it when the file changes', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'durable-dev-'));
    const app = join(dir, 'app.ts');
    const source = (
      word: string,
    ): string => `import { defineActivity, defineOrchestration, Registry } from '@durable/engine';
const say = defineActivity('Say', (name: string) => \`${word} \${name}\`);
const hello = defineOrchestration('Hello', async (ctx, name: string) => ctx.callActivity(say, name));
export const registry = new Registry().add(say, hello);
`;
    writeFileSync(app, source('first'));
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const dev = spawn(bin, ['dev', 'app.ts', '--port', String(port)], {
      cwd: dir,
      env: { ...process.env, NO_COLOR: '1', GRPC_PORT: 'off', PARTITION_COUNT: '2' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let logs = '';
    dev.stdout.on('data', (c: Buffer) => (logs += c.toString()));
    dev.stderr.on('data', (c: Buffer) => (logs += c.toString()));
    const exited = new Promise<number | null>((resolve) => dev.on('close', resolve));
    try {
      const say = async (): Promise<string> => {
        const run = await durable(['--json', 'start', 'Hello', '--input', '"Ada"', '--wait'], {
          DURABLE_URL: url,
        });
        return run.code === 0 ? (JSON.parse(run.stdout) as { output: string }).output : '';
      };
      await waitFor(async () => (await say()) === 'first Ada', 30_000);
      writeFileSync(app, source('second'));
      await waitFor(async () => (await say()) === 'second Ada', 30_000);
      expect(logs).toContain('app.ts changed, restarting');
      dev.kill('SIGINT');
      expect(await exited).toBe(0);
      // The product it ran is gone with it.
      await expect(fetch(`${url}/health`)).rejects.toThrow();
    } catch (error) {
      throw new Error(`${String(error)}\n${logs}`);
    } finally {
      dev.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    }
  }, 90_000);
});

async function waitFor(check: () => Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
