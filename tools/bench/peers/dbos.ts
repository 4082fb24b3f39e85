// The second peer engine: DBOS (@dbos-inc/dbos-sdk) on a private PostgreSQL cluster started for the
// run (tools/servers/postgres.ts), its workflows in their own application process (dbos-service.ts)
// reached over HTTP: one request starts a workflow there and answers with its result.
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { freePort } from '../../net';
import { PostgresCluster } from '../../servers/postgres';

const root = join(__dirname, '..', '..', '..');

export class DbosPeer {
  private constructor(
    readonly postgres: PostgresCluster,
    private readonly service: ChildProcess,
    private readonly endpoint: string,
  ) {}

  /** The PostgreSQL postmaster (its backends are metered with it). */
  get postgresPid(): number {
    return this.postgres.pid;
  }

  /** The DBOS application process. */
  get servicePid(): number {
    return this.service.pid ?? 0;
  }

  static async start(): Promise<DbosPeer> {
    const postgres = await PostgresCluster.start();
    const port = await freePort();
    const service = spawn(
      process.execPath,
      [
        '-r',
        '@swc-node/register',
        'tools/bench/peers/dbos-service.ts',
        String(port),
        postgres.url('dbos_bench'),
      ],
      {
        cwd: root,
        stdio: ['ignore', 'ignore', 'pipe'],
        env: { ...process.env, NODE_ENV: 'production' },
      },
    );
    let serviceErr = '';
    service.stderr?.on('data', (c: Buffer) => (serviceErr = (serviceErr + c.toString()).slice(-4000)));
    const peer = new DbosPeer(postgres, service, `http://127.0.0.1:${port}`);
    try {
      const deadline = Date.now() + 60_000;
      for (;;) {
        if (service.exitCode !== null) throw new Error(`the DBOS service exited:\n${serviceErr}`);
        try {
          await peer.run();
          break;
        } catch (error) {
          if (Date.now() > deadline)
            throw new Error(`the DBOS peer did not start in time: ${String(error)}\n${serviceErr}`);
        }
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
    } catch (error) {
      await peer.stop();
      throw error;
    }
    return peer;
  }

  /** One HelloSequence5 workflow (five steps), start to completion. */
  async run(): Promise<void> {
    const output = await this.call<string[]>('HelloSequence5');
    if (output.length !== 5) throw new Error(`dbos returned ${JSON.stringify(output)}`);
  }

  /** One fan-out/fan-in of n squares, summed: n steps at once. */
  async fanOut(n: number): Promise<void> {
    const sum = await this.call<number>('FanOutFanIn', n);
    if (sum !== (n * (n + 1) * (2 * n + 1)) / 6) throw new Error(`dbos returned ${sum} for ${n} squares`);
  }

  /** One durable timer of `ms`; resolves with the time it was due (epoch ms). */
  timer(ms: number): Promise<number> {
    return this.call<number>('DurableTimer', ms);
  }

  private async call<T>(path: string, input?: unknown): Promise<T> {
    const response = await fetch(`${this.endpoint}/${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: input === undefined ? '' : JSON.stringify(input),
    });
    if (!response.ok) throw new Error(`dbos answered ${response.status}: ${await response.text()}`);
    return (await response.json()) as T;
  }

  async stop(): Promise<void> {
    const child = this.service;
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    }
    await this.postgres.stop();
  }
}
