// The peer engine of the comparison: the Restate server from npm (@restatedev/restate-server),
// bound to 127.0.0.1 with telemetry off, and the HelloSequence5 service (restate-service.ts) as its
// own process, registered as a deployment. Invocations go through Restate's HTTP ingress.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../../net';

const root = join(__dirname, '..', '..', '..');

export class RestatePeer {
  private constructor(
    private readonly server: ChildProcess,
    private readonly service: ChildProcess,
    private readonly ingress: string,
    private readonly dataDir: string,
  ) {}

  /** The server's process id, for CPU and memory metering. */
  get serverPid(): number {
    return this.server.pid ?? 0;
  }

  /** The SDK service's process id. */
  get servicePid(): number {
    return this.service.pid ?? 0;
  }

  static async start(): Promise<RestatePeer> {
    const [ingressPort, adminPort, fabricPort, servicePort] = await Promise.all([
      freePort(),
      freePort(),
      freePort(),
      freePort(),
    ]);
    const dataDir = mkdtempSync(join(tmpdir(), 'durable-restate-'));
    const binary = require.resolve('@restatedev/restate-server-linux-x64/bin/restate-server');
    const server = spawn(binary, ['--no-logo', '--listen-mode', 'tcp', '--base-dir', dataDir], {
      env: {
        PATH: process.env['PATH'] ?? '',
        RESTATE_DISABLE_TELEMETRY: 'true',
        RESTATE_BIND_ADDRESS: `127.0.0.1:${fabricPort}`,
        RESTATE_ADVERTISED_ADDRESS: `http://127.0.0.1:${fabricPort}`,
        RESTATE_ADMIN__BIND_ADDRESS: `127.0.0.1:${adminPort}`,
        RESTATE_INGRESS__BIND_ADDRESS: `127.0.0.1:${ingressPort}`,
        RESTATE_LOG_FILTER: 'error',
      },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let serverErr = '';
    let lastError = '';
    server.stderr?.on('data', (c: Buffer) => (serverErr = (serverErr + c.toString()).slice(-4000)));
    const service = spawn(
      process.execPath,
      ['-r', '@swc-node/register', 'tools/bench/peers/restate-service.ts', String(servicePort)],
      { cwd: root, stdio: ['ignore', 'ignore', 'ignore'], env: { ...process.env, NODE_ENV: 'production' } },
    );
    const peer = new RestatePeer(server, service, `http://127.0.0.1:${ingressPort}`, dataDir);
    try {
      await until(
        async () =>
          (await fetch(`http://127.0.0.1:${adminPort}/health`, { signal: AbortSignal.timeout(5000) })).ok,
        60_000,
        () => serverErr,
      );
      await until(
        async () => {
          const response = await fetch(`http://127.0.0.1:${adminPort}/deployments`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ uri: `http://127.0.0.1:${servicePort}`, force: true }),
            signal: AbortSignal.timeout(10_000),
          });
          if (!response.ok) lastError = `${response.status} ${await response.text()}`;
          return response.ok;
        },
        60_000,
        () => `${lastError}\n${serverErr}`,
      );
      await until(
        async () =>
          (
            await fetch(`${peer.ingress}/HelloSequence5/run`, {
              method: 'POST',
              signal: AbortSignal.timeout(10_000),
            })
          ).ok,
        60_000,
        () => serverErr,
      );
    } catch (error) {
      await peer.stop();
      throw error;
    }
    return peer;
  }

  /**
   * One HelloSequence5, start to completion (the ingress answers when the handler finished):
   * `run` takes five `ctx.run` steps, `calls` five calls to the SayHello service.
   */
  async run(handler: 'run' | 'calls' = 'run'): Promise<void> {
    const response = await fetch(`${this.ingress}/HelloSequence5/${handler}`, { method: 'POST' });
    if (!response.ok) throw new Error(`restate answered ${response.status}: ${await response.text()}`);
    const output = (await response.json()) as string[];
    if (output.length !== 5) throw new Error(`restate returned ${JSON.stringify(output)}`);
  }

  /** One fan-out/fan-in of n squares, summed: n `ctx.run` steps at once, or n Square service calls. */
  async fanOut(handler: 'run' | 'calls', n: number): Promise<void> {
    const sum = await this.call<number>(`FanOutFanIn/${handler}`, n);
    if (sum !== (n * (n + 1) * (2 * n + 1)) / 6) throw new Error(`restate returned ${sum} for ${n} squares`);
  }

  /** One durable timer of `ms`; resolves with the time it was due (epoch ms). */
  timer(ms: number): Promise<number> {
    return this.call<number>('DurableTimer/sleep', ms);
  }

  private async call<T>(path: string, input: unknown): Promise<T> {
    const response = await fetch(`${this.ingress}/${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(input),
    });
    if (!response.ok) throw new Error(`restate answered ${response.status}: ${await response.text()}`);
    return (await response.json()) as T;
  }

  async stop(): Promise<void> {
    await Promise.all([stopProcess(this.service), stopProcess(this.server)]);
    rmSync(this.dataDir, { recursive: true, force: true });
  }
}

async function until(check: () => Promise<boolean>, timeoutMs: number, details: () => string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      if (await check()) return;
    } catch (error) {
      if (process.env['DEBUG_PEER']) console.error(String(error));
    }
    if (Date.now() > deadline) throw new Error(`the Restate peer did not start in time:\n${details()}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

async function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}
