// A private PostgreSQL cluster for a test or a benchmark: initdb into a temporary directory, the
// server on 127.0.0.1 at a free port (its unix socket in that directory too), stopped and removed
// after. Uses Debian's server binaries (/usr/lib/postgresql/<version>/bin) or any on PATH.
// initdb and postgres refuse to run as root: as root, they run as the `postgres` system user (a
// `durable-pg` system user is created when there is none), which then owns the directory.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../net';

/** The directory holding initdb and postgres, or undefined when the server is not installed. */
export function postgresBinDir(): string | undefined {
  const candidates: string[] = [];
  if (process.env['PG_BIN']) candidates.push(process.env['PG_BIN']);
  const pgConfig = spawnSync('pg_config', ['--bindir'], { encoding: 'utf8' });
  if (pgConfig.status === 0 && pgConfig.stdout.trim()) candidates.push(pgConfig.stdout.trim());
  const debian = '/usr/lib/postgresql';
  if (existsSync(debian)) {
    const versions = readdirSync(debian)
      .filter((v) => /^\d+$/.test(v))
      .sort((a, b) => Number(b) - Number(a));
    candidates.push(...versions.map((v) => join(debian, v, 'bin')));
  }
  for (const dir of (process.env['PATH'] ?? '').split(':')) if (dir) candidates.push(dir);
  return candidates.find((dir) => existsSync(join(dir, 'initdb')) && existsSync(join(dir, 'postgres')));
}

interface RunAs {
  readonly uid: number;
  readonly gid: number;
  readonly home: string;
}

/** Under root, the unprivileged user to run the server as (created when missing). */
function serverUser(): RunAs | undefined {
  if (process.getuid?.() !== 0) return undefined;
  for (const name of ['postgres', 'durable-pg']) {
    const entry = spawnSync('getent', ['passwd', name], { encoding: 'utf8' });
    const fields = entry.status === 0 ? entry.stdout.trim().split(':') : [];
    if (fields.length >= 6) return { uid: Number(fields[2]), gid: Number(fields[3]), home: fields[5] ?? '/' };
  }
  const created = spawnSync('useradd', ['--system', '--user-group', '--no-create-home', 'durable-pg'], {
    encoding: 'utf8',
  });
  if (created.status !== 0) throw new Error(`could not create a user for PostgreSQL: ${created.stderr}`);
  return serverUser();
}

export class PostgresCluster {
  private constructor(
    private readonly server: ChildProcess,
    private readonly dir: string,
    readonly port: number,
    readonly version: string,
  ) {}

  /** The postmaster's process id; the backends are its children. */
  get pid(): number {
    return this.server.pid ?? 0;
  }

  /** A connection string for `database` as the superuser `postgres` (trust authentication). */
  url(database: string): string {
    return `postgresql://postgres@127.0.0.1:${this.port}/${database}`;
  }

  static async start(): Promise<PostgresCluster> {
    const bin = postgresBinDir();
    if (bin === undefined)
      throw new Error('PostgreSQL server binaries not found: install Debian\u2019s postgresql package');
    const runAs = serverUser();
    const dir = mkdtempSync(join(tmpdir(), 'durable-pg-'));
    const data = join(dir, 'data');
    const owner = runAs === undefined ? {} : { uid: runAs.uid, gid: runAs.gid };
    const env = {
      PATH: process.env['PATH'] ?? '',
      HOME: runAs?.home ?? process.env['HOME'] ?? dir,
      LC_ALL: 'C',
    };
    if (runAs !== undefined) {
      chownSync(dir, runAs.uid, runAs.gid);
      chmodSync(dir, 0o700);
    }
    try {
      const init = spawnSync(
        join(bin, 'initdb'),
        ['-D', data, '-U', 'postgres', '-A', 'trust', '-E', 'UTF8', '--no-instructions', '--no-sync'],
        { ...owner, cwd: dir, env, encoding: 'utf8' },
      );
      if (init.status !== 0) throw new Error(`initdb failed: ${init.stderr || init.stdout}`);
      const version = spawnSync(join(bin, 'postgres'), ['--version'], { encoding: 'utf8' }).stdout.trim();
      const port = await freePort();
      const server = spawn(
        join(bin, 'postgres'),
        ['-D', data, '-h', '127.0.0.1', '-p', String(port), '-k', dir, '-c', 'logging_collector=off'],
        { ...owner, cwd: dir, env, stdio: ['ignore', 'ignore', 'pipe'] },
      );
      let log = '';
      server.stderr?.on('data', (c: Buffer) => (log = (log + c.toString()).slice(-4000)));
      const cluster = new PostgresCluster(server, dir, port, version);
      const ready = join(bin, 'pg_isready');
      const deadline = Date.now() + 30_000;
      for (;;) {
        if (server.exitCode !== null) throw new Error(`postgres exited:\n${log}`);
        const check = spawnSync(ready, ['-h', '127.0.0.1', '-p', String(port), '-U', 'postgres', '-q'], {
          env,
        });
        if (check.status === 0) break;
        if (Date.now() > deadline) {
          await cluster.stop();
          throw new Error(`postgres did not start in time:\n${log}`);
        }
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      return cluster;
    } catch (error) {
      rmSync(dir, { recursive: true, force: true });
      throw error;
    }
  }

  /** Fast shutdown (SIGINT), then removes the cluster's directory. */
  async stop(): Promise<void> {
    const child = this.server;
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGINT');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}
