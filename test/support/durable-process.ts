import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '@durable/tools/net';

const root = join(__dirname, '..', '..');

/** The product started the way `npm start` starts it, as a separate OS process. */
export class DurableProcess {
  private child: ChildProcess | undefined;
  private output = '';
  readonly dataDir: string;
  port = 0;

  constructor(
    private readonly env: Record<string, string> = {},
    dataDir?: string,
  ) {
    this.dataDir = dataDir ?? mkdtempSync(join(tmpdir(), 'durable-e2e-'));
  }

  get baseUrl(): string {
    return `http://127.0.0.1:${this.port}/runtime/webhooks/durabletask`;
  }

  get logs(): string {
    return this.output;
  }

  async start(): Promise<void> {
    // A fixed PORT, when given: an identity provider must know the dashboard's address beforehand.
    this.port = this.env['PORT'] !== undefined ? Number(this.env['PORT']) : await freePort();
    this.output = '';
    const child = spawn(process.execPath, ['-r', '@swc-node/register', 'apps/frontend/src/main.ts'], {
      cwd: root,
      env: {
        ...process.env,
        PORT: String(this.port),
        DURABLE_DATA_DIR: this.dataDir,
        PARTITION_COUNT: '4',
        GRPC_PORT: '0',
        ...this.env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    child.stdout?.on('data', (chunk: Buffer) => (this.output += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => (this.output += chunk.toString()));
    const deadline = Date.now() + 30_000;
    for (;;) {
      if (child.exitCode !== null)
        throw new Error(`the product exited with ${child.exitCode}:\n${this.output}`);
      try {
        const response = await fetch(`http://127.0.0.1:${this.port}/health`);
        if (response.ok) return;
      } catch {
        // not listening yet
      }
      if (Date.now() > deadline) throw new Error(`the product did not start in time:\n${this.output}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  /** Kills the process at once, as a crash would. */
  async kill(): Promise<void> {
    await this.signal('SIGKILL');
  }

  async stop(): Promise<void> {
    await this.signal('SIGTERM');
  }

  cleanup(): void {
    rmSync(this.dataDir, { recursive: true, force: true });
  }

  private async signal(signal: NodeJS.Signals): Promise<void> {
    const child = this.child;
    if (child === undefined || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill(signal);
    await exited;
  }
}

/** Polls the status URL until the instance is no longer running. */
export async function waitForOutput(
  statusUrl: string,
  timeoutMs = 30_000,
): Promise<{ status: number; body: Record<string, unknown> }> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const response = await fetch(statusUrl);
    const body = (await response.json()) as Record<string, unknown>;
    if (response.status !== 202) return { status: response.status, body };
    if (Date.now() > deadline)
      throw new Error(`still running after ${timeoutMs} ms: ${JSON.stringify(body)}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}
