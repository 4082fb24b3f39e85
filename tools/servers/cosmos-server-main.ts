// The Cosmos DB protocol server as a process of its own (the benchmark meters and profiles it apart
// from the driver): prints its port once listening, answers { type: 'usage' } over IPC with what it
// served, stops on SIGTERM.
import type { ServerResponse } from 'node:http';
import { CosmosServer, type CosmosUsage } from './cosmos-server';

const usage: CosmosUsage = { requests: 0, operations: 0, requestCharge: 0, byKind: {}, readsByContainer: {} };

/** What a request did, for the breakdown: read, query, bulk, create, replace, upsert, delete. */
function kindOf(
  method: string | undefined,
  url: string | undefined,
  headers: Record<string, unknown>,
): string {
  if (headers['x-ms-cosmos-is-batch-request'] !== undefined) return 'bulk';
  if (headers['x-ms-documentdb-isquery'] !== undefined || headers['x-ms-documentdb-query'] !== undefined)
    return 'query';
  const onDocument = /\/docs\/[^/]+$/.test(url ?? '');
  if (method === 'GET') return onDocument ? 'read' : 'read-feed';
  if (method === 'PUT') return 'replace';
  if (method === 'DELETE') return 'delete';
  if (method === 'POST') return headers['x-ms-documentdb-is-upsert'] === 'true' ? 'upsert' : 'create';
  return String(method);
}

/** A bulk response lists each operation with its own charge: those count, not the request's header. */
function chargeOf(res: ServerResponse, kind: string, body: unknown): { operations: number; charge: number } {
  if (kind === 'bulk' && typeof body === 'string') {
    let operations = 0;
    let charge = 0;
    // Scanned, not parsed: the answer echoes the documents, and parsing would inflate the server's CPU.
    for (const match of body.matchAll(/"requestCharge":(\d+(?:\.\d+)?)/g)) {
      operations++;
      charge += Number(match[1]);
    }
    return { operations, charge };
  }
  return { operations: 1, charge: Number(res.getHeader('x-ms-request-charge') ?? 0) || 0 };
}

function count(kind: string, requests: number, operations: number, charge: number): void {
  const entry = (usage.byKind[kind] ??= { requests: 0, operations: 0, requestCharge: 0 });
  entry.requests += requests;
  entry.operations += operations;
  entry.requestCharge += charge;
}

async function main(): Promise<void> {
  const server = await CosmosServer.start({
    onExchange: (req, res) => {
      const kind = kindOf(req.method, req.url, req.headers);
      // A bulk request's operations, by type, from its body (read alongside the server's handler).
      let requestBody = '';
      if (kind === 'bulk') req.on('data', (chunk: Buffer) => (requestBody += chunk.toString()));
      const end = res.end.bind(res) as (...args: unknown[]) => ServerResponse;
      res.end = ((...args: unknown[]) => {
        const { operations, charge } = chargeOf(res, kind, args[0]);
        usage.requests++;
        usage.operations += operations;
        usage.requestCharge += charge;
        const container = /\/colls\/([^/]+)/.exec(req.url ?? '')?.[1] ?? '';
        const reads = (n: number) =>
          (usage.readsByContainer[container] = (usage.readsByContainer[container] ?? 0) + n);
        if (kind === 'bulk') {
          const types = [...requestBody.matchAll(/"operationType":"(\w+)"/g)].map((m) => String(m[1]));
          for (const type of types)
            count(`bulk ${type.toLowerCase()}`, 0, 1, charge / Math.max(types.length, 1));
          count('bulk', 1, 0, 0);
          reads(types.filter((type) => type === 'Read').length);
        } else {
          count(kind, 1, operations, charge);
          if (kind === 'read') reads(1);
        }
        return end(...args);
      }) as typeof res.end;
    },
  });
  process.on('message', (message: { type?: string }) => {
    if (message.type === 'usage') process.send?.({ type: 'usage', usage });
  });
  process.stdout.write(`listening ${server.port}\n`);
  process.on('SIGTERM', () => {
    void server.stop().then(() => process.exit(0));
  });
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
