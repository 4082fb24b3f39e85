// The Cosmos DB NoSQL REST protocol for tests, benchmarks and local development, served by
// @vercel/cosmosdb-server over HTTPS with a self-signed certificate, bound to 127.0.0.1.
import { createHttpsServer } from '@vercel/cosmosdb-server';
import type { IncomingHttpHeaders } from 'node:http';
import type { Server } from 'node:https';
import type { AddressInfo } from 'node:net';

/** The key the server accepts (any key works; this one keeps configuration uniform). */
export const cosmosTestKey =
  'C2y6yDjf5/R+ob0N8A7Cgv30VRDJIWEHLM+4QDU5DE2nQ9nDuVTqobD4b8mGGyPMbIZnqyMsEcaGQy67XIw/Jw==';

export class CosmosServer {
  private constructor(
    private readonly server: Server,
    readonly port: number,
  ) {}

  get endpoint(): string {
    return `https://127.0.0.1:${this.port}`;
  }

  /** `onRequest` sees each request's headers first (tests check how clients sign in). */
  static async start(
    options: { port?: number; onRequest?: (headers: IncomingHttpHeaders) => void } = {},
  ): Promise<CosmosServer> {
    const server = createHttpsServer({ keepAlive: true });
    const onRequest = options.onRequest;
    if (onRequest !== undefined) server.prependListener('request', (request) => onRequest(request.headers));
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
