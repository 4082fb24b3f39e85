// The DBOS side of the comparison: the same workloads as DBOS workflows checkpointed in PostgreSQL,
// in an application process of their own with a small HTTP endpoint. Each request starts one
// workflow in this process and answers with its result, as Restate's ingress answers when the
// handler finished.
// Runs as its own process:
// `node -r @swc-node/register tools/bench/peers/dbos-service.ts <port> <system database url>`.
import { createServer, type IncomingMessage } from 'node:http';
import { DBOS } from '@dbos-inc/dbos-sdk';

const sayHello = async (name: string): Promise<string> => `Hello ${name}!`;

// HelloSequence5: five steps in sequence, each checkpointed before the next starts.
const helloSequence5 = DBOS.registerWorkflow(
  async (): Promise<string[]> => {
    const out: string[] = [];
    for (const city of ['Tokyo', 'Seattle', 'London', 'Paris', 'Oslo']) {
      out.push(await DBOS.runStep(() => sayHello(city), { name: `SayHello ${city}` }));
    }
    return out;
  },
  { name: 'HelloSequence5' },
);

// Fan-out/fan-in of n squares, summed: n steps started at once (in a deterministic order, as DBOS
// requires for concurrent steps), awaited together.
const fanOutFanIn = DBOS.registerWorkflow(
  async (n: number): Promise<number> => {
    const settled = await Promise.allSettled(
      Array.from({ length: n }, (_, i) =>
        DBOS.runStep(async () => (i + 1) * (i + 1), { name: `Square ${i + 1}` }),
      ),
    );
    return settled.reduce((sum, s) => {
      if (s.status === 'rejected') throw s.reason;
      return sum + s.value;
    }, 0);
  },
  { name: 'FanOutFanIn' },
);

// One durable timer: sleeps `ms` and returns when it was due (epoch ms), like our DurableTimer.
const durableTimer = DBOS.registerWorkflow(
  async (ms: number): Promise<number> => {
    const due = (await DBOS.now()) + ms;
    await DBOS.sleep(ms);
    return due;
  },
  { name: 'DurableTimer' },
);

const routes: Record<string, (input: unknown) => Promise<unknown>> = {
  '/HelloSequence5': () => helloSequence5(),
  '/FanOutFanIn': (n) => fanOutFanIn(Number(n)),
  '/DurableTimer': (ms) => durableTimer(Number(ms)),
  '/health': async () => 'ok',
};

async function body(request: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString();
  return text === '' ? undefined : JSON.parse(text);
}

async function main(): Promise<void> {
  const port = Number(process.argv[2] ?? 9090);
  const systemDatabaseUrl = process.argv[3];
  if (systemDatabaseUrl === undefined) throw new Error('usage: dbos-service.ts <port> <system database url>');
  DBOS.setConfig({ name: 'durable-bench', systemDatabaseUrl, logLevel: 'error' });
  await DBOS.launch();
  const server = createServer((request, response) => {
    const route = routes[request.url ?? ''];
    if (route === undefined) {
      response.writeHead(404).end();
      return;
    }
    body(request)
      .then(route)
      .then(
        (output) => {
          response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(output));
        },
        (error: unknown) => {
          response.writeHead(500, { 'content-type': 'text/plain' }).end(String(error));
        },
      );
  });
  server.keepAliveTimeout = 60_000;
  server.listen(port, '127.0.0.1', () => console.log(`listening on ${port}`));
  const shutdown = (): void => {
    server.close();
    DBOS.shutdown().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGTERM', shutdown);
  process.once('SIGINT', shutdown);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
