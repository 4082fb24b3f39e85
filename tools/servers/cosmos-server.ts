// The Cosmos DB NoSQL REST protocol for tests, benchmarks and local development, served by
// @vercel/cosmosdb-server over HTTPS with a self-signed certificate, bound to 127.0.0.1.
import { createHttpsServer } from '@vercel/cosmosdb-server';
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import type { Server } from 'node:https';
import type { AddressInfo } from 'node:net';

/** The key the server accepts (any key works; this one keeps configuration uniform). */
export const cosmosTestKey =
  'C2y6yDjf5/R+ob0N8A7Cgv30VRDJIWEHLM+4QDU5DE2nQ9nDuVTqobD4b8mGGyPMbIZnqyMsEcaGQy67XIw/Jw==';

/** What the server served: requests, item operations (a bulk request holds many) and their charge. */
export interface CosmosUsage {
  requests: number;
  operations: number;
  /** The sum of `x-ms-request-charge` (per operation for bulk requests). */
  requestCharge: number;
  byKind: Record<string, { requests: number; operations: number; requestCharge: number }>;
  /** Item reads (point reads, and the reads in bulk requests) by container. */
  readsByContainer: Record<string, number>;
}

/** A Cosmos DB protocol endpoint: the server in this process, or in a child process of its own. */
export interface CosmosEndpoint {
  readonly endpoint: string;
  /** The child's process id, when the server runs in one. */
  readonly pid?: number | undefined;
  stop(): Promise<void>;
}

export class CosmosServer implements CosmosEndpoint {
  private constructor(
    private readonly server: Server,
    readonly port: number,
  ) {}

  get endpoint(): string {
    return `https://127.0.0.1:${this.port}`;
  }

  /** `onRequest` sees each request's headers first (tests check how clients sign in). */
  static async start(
    options: {
      port?: number;
      onRequest?: (headers: IncomingHttpHeaders) => void;
      /** Sees each request and its response before the server handles it (to meter what it serves). */
      onExchange?: (request: IncomingMessage, response: ServerResponse) => void;
    } = {},
  ): Promise<CosmosServer> {
    const server = createHttpsServer({ keepAlive: true });
    const { onRequest, onExchange } = options;
    if (onRequest !== undefined) server.prependListener('request', (request) => onRequest(request.headers));
    if (onExchange !== undefined) server.prependListener('request', onExchange);
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
    });
    return new CosmosServer(server, (server.address() as AddressInfo).port);
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

/**
 * The server in a child process, so that its CPU time counts apart from the caller's. DURABLE_NODE_ARGS
 * (--cpu-prof, ...) applies to it as to the apps.
 */
export class CosmosServerProcess implements CosmosEndpoint {
  private constructor(
    private readonly child: ChildProcess,
    readonly port: number,
  ) {}

  get endpoint(): string {
    return `https://127.0.0.1:${this.port}`;
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  static async start(): Promise<CosmosServerProcess> {
    const nodeArgs = (process.env['DURABLE_NODE_ARGS'] ?? '').split(' ').filter((a) => a !== '');
    const child = spawn(
      process.execPath,
      [...nodeArgs, '-r', '@swc-node/register', join(__dirname, 'cosmos-server-main.ts')],
      { cwd: join(__dirname, '..', '..'), stdio: ['ignore', 'pipe', 'pipe', 'ipc'] },
    );
    let output = '';
    const port = await new Promise<number>((resolve, reject) => {
      child.stdout?.on('data', (chunk: Buffer) => {
        output += chunk.toString();
        const match = /listening (\d+)/.exec(output);
        if (match !== null) resolve(Number(match[1]));
      });
      child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
      child.once('exit', (code) => reject(new Error(`the Cosmos DB server exited with ${code}:\n${output}`)));
    });
    return new CosmosServerProcess(child, port);
  }

  /** What the server served since it started. */
  usage(): Promise<CosmosUsage> {
    return new Promise((resolve, reject) => {
      const onMessage = (message: { type?: string; usage?: CosmosUsage }): void => {
        if (message.type !== 'usage' || message.usage === undefined) return;
        this.child.off('message', onMessage);
        resolve(message.usage);
      };
      this.child.on('message', onMessage);
      if (this.child.send?.({ type: 'usage' }) !== true) {
        this.child.off('message', onMessage);
        reject(new Error('the Cosmos DB server process is gone'));
      }
    });
  }

  async stop(): Promise<void> {
    const child = this.child;
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
    await exited;
    clearTimeout(timer);
  }
}
