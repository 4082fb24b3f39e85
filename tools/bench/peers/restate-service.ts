// The peer's side of the comparison: HelloSequence5 as a Restate service, five durable steps in
// sequence, either as `ctx.run` steps (journaled inline, as each activity result is recorded in our
// history) or as calls to a SayHello service.
// Runs as its own process: `node -r @swc-node/register tools/bench/peers/restate-service.ts <port>`.
import { createServer } from 'node:http2';

// The current SDK uses Promise.withResolvers, which Node 20 lacks (Node 22 has it).
const promiseStatics = Promise as unknown as { withResolvers?: unknown };
promiseStatics.withResolvers ??= function withResolvers<T>() {
  let resolve!: (value: T) => void;
  let reject!: (reason?: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
};

// eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded after the polyfill above
const restate = require('@restatedev/restate-sdk') as typeof import('@restatedev/restate-sdk');

type Context = import('@restatedev/restate-sdk').Context;

const sayHello = async (name: string): Promise<string> => `Hello ${name}!`;

// Each greeting as its own service call: the closer match to an activity, which is a separate task
// the engine dispatches (and could run in another process).
const greeter = restate.service({
  name: 'SayHello',
  handlers: { say: async (_ctx: Context, name: string) => sayHello(name) },
});

const helloSequence5 = restate.service({
  name: 'HelloSequence5',
  handlers: {
    run: async (ctx: Context): Promise<string[]> => {
      const out: string[] = [];
      for (const city of ['Tokyo', 'Seattle', 'London', 'Paris', 'Oslo']) {
        out.push(await ctx.run(`SayHello ${city}`, () => sayHello(city)));
      }
      return out;
    },
    calls: async (ctx: Context): Promise<string[]> => {
      const out: string[] = [];
      for (const city of ['Tokyo', 'Seattle', 'London', 'Paris', 'Oslo']) {
        out.push(await ctx.serviceClient(greeter).say(city));
      }
      return out;
    },
  },
});

const squarer = restate.service({
  name: 'Square',
  handlers: { square: async (_ctx: Context, n: number) => n * n },
});

// Fan-out/fan-in of n squares, summed: n `ctx.run` steps at once, or n calls to the Square service.
const fanOut = restate.service({
  name: 'FanOutFanIn',
  handlers: {
    run: async (ctx: Context, n: number): Promise<number> => {
      const squares = await restate.RestatePromise.all(
        Array.from({ length: n }, (_, i) => ctx.run(`Square ${i + 1}`, async () => (i + 1) * (i + 1))),
      );
      return squares.reduce((sum, value) => sum + value, 0);
    },
    calls: async (ctx: Context, n: number): Promise<number> => {
      const squares = await restate.RestatePromise.all(
        Array.from({ length: n }, (_, i) => ctx.serviceClient(squarer).square(i + 1)),
      );
      return squares.reduce((sum, value) => sum + value, 0);
    },
  },
});

// One durable timer: sleeps `ms` and returns when it was due (epoch ms), like our DurableTimer.
const durableTimer = restate.service({
  name: 'DurableTimer',
  handlers: {
    sleep: async (ctx: Context, ms: number): Promise<number> => {
      const due = (await ctx.date.now()) + ms;
      await ctx.sleep(ms);
      return due;
    },
  },
});

const port = Number(process.argv[2] ?? 9080);
createServer(
  restate.createEndpointHandler({ services: [greeter, helloSequence5, squarer, fanOut, durableTimer] }),
).listen(port, '127.0.0.1', () => console.log(`listening on ${port}`));
