// One app of the product (frontend, orchestration worker, activity worker) as its own OS process,
// run from its build output as its container runs it (`node dist/apps/<app>/main.js`); tests and
// benchmarks start, kill, pause and restart them.
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { freePort } from '../net';
import { appOutput, type AppName } from './app-build';

export type { AppName } from './app-build';

export class AppProcess {
  private child: ChildProcess | undefined;
  private output = '';
  port = 0;

  constructor(
    readonly app: AppName,
    private readonly env: Record<string, string>,
    readonly label: string = app,
  ) {}

  get logs(): string {
    return this.output;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** The exit code of the last run once it exited by itself (null while running or if killed). */
  get exitCode(): number | null {
    return this.child?.exitCode ?? null;
  }

  get baseUrl(): string {
    return `http://127.0.0.1:${this.port}/runtime/webhooks/durabletask`;
  }

  /**
   * Starts the app from its build output (see ensureAppBuilt) and waits until /health/ready
   * (workers) or /health (frontend) answers 200.
   */
  async start(timeoutMs = 90_000): Promise<void> {
    this.port = this.port || (await freePort());
    // As the Docker images run them (NODE_OPTIONS there); DURABLE_NODE_ARGS adds flags such as
    // --cpu-prof (profiling the benchmark).
    const nodeArgs = [
      '--max-semi-space-size=32',
      ...(process.env['DURABLE_NODE_ARGS'] ?? '').split(' ').filter((a) => a !== ''),
    ];
    const child = spawn(process.execPath, [...nodeArgs, join(appOutput(this.app), 'main.js')], {
      cwd: join(__dirname, '..', '..'),
      env: { ...process.env, GRPC_PORT: '0', ...this.env, PORT: String(this.port) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    const keep = (chunk: Buffer): void => {
      this.output = (this.output + chunk.toString()).slice(-200_000);
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    const path = this.app === 'frontend' ? '/health' : '/health/ready';
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (child.exitCode !== null)
        throw new Error(`${this.label} exited with ${child.exitCode}:\n${this.output}`);
      try {
        if ((await fetch(`http://127.0.0.1:${this.port}${path}`)).ok) return;
      } catch {
        // not listening yet
      }
      if (Date.now() > deadline) throw new Error(`${this.label} was not ready in time:\n${this.output}`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }

  /** Kills the process at once, as a crash would. */
  kill(): Promise<void> {
    return this.signal('SIGKILL');
  }

  /** Asks for a graceful stop (SIGTERM) and waits for the exit. */
  stop(): Promise<void> {
    return this.signal('SIGTERM');
  }

  /** Freezes the process (SIGSTOP), as a long GC pause or a stalled VM would. */
  pause(): void {
    this.child?.kill('SIGSTOP');
  }

  resume(): void {
    this.child?.kill('SIGCONT');
  }

  private async signal(signal: NodeJS.Signals): Promise<void> {
    const child = this.child;
    if (child === undefined || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    if (signal !== 'SIGKILL') child.kill('SIGCONT');
    child.kill(signal);
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    await exited;
    clearTimeout(timer);
  }
}
