// The sample app `npm start` registers. Your own app is a module shaped like this one: export a
// `registry` (or a default export) holding your orchestrations and activities, then run
// `DURABLE_APP=./path/to/your-app.ts npm start`.
import { defineActivity, defineOrchestration, Registry } from '@durable/engine';

export const sayHello = defineActivity('SayHello', (name: string) => `Hello ${name}!`);

export const helloSequence = defineOrchestration('HelloSequence', async (ctx) => [
  await ctx.callActivity(sayHello, 'Tokyo'),
  await ctx.callActivity(sayHello, 'Seattle'),
  await ctx.callActivity(sayHello, 'London'),
]);

/** Five activities in sequence: the benchmark workload. */
export const helloSequence5 = defineOrchestration('HelloSequence5', async (ctx) => {
  const greetings: string[] = [];
  for (const city of ['Tokyo', 'Seattle', 'London', 'Paris', 'Cairo'])
    greetings.push(await ctx.callActivity(sayHello, city));
  return greetings;
});

export const square = defineActivity('Square', (n: number) => n * n);

export const fanOutFanIn = defineOrchestration('FanOutFanIn', async (ctx, n: number) => {
  if (!Number.isInteger(n) || n < 0) throw new RangeError('input must be a non-negative integer');
  const squares = await ctx.whenAll(Array.from({ length: n }, (_, i) => ctx.callActivity(square, i + 1)));
  return squares.reduce((sum, value) => sum + value, 0);
});

export const approval = defineOrchestration('Approval', async (ctx, input: { timeoutSeconds: number }) => {
  const decision = ctx.waitForExternalEvent<boolean>('Approval');
  const timeout = ctx.createTimer((input?.timeoutSeconds ?? 60) * 1000);
  const first = await ctx.whenAny([decision, timeout]);
  if (first === 1) return 'timed out';
  return decision.result ? 'approved' : 'rejected';
});

const attempts = new Map<string, number>();

/** Fails the first two times it runs for an instance, then succeeds. */
export const flakyGreeting = defineActivity('FlakyGreeting', (name: string, ctx) => {
  const attempt = (attempts.get(ctx.instanceId) ?? 0) + 1;
  attempts.set(ctx.instanceId, attempt);
  if (attempt <= 2) throw new Error(`attempt ${attempt} failed (on purpose)`);
  return `Hello ${name}, on attempt ${attempt}!`;
});

export const retryingGreeting = defineOrchestration('RetryingGreeting', async (ctx, name: string) =>
  ctx.callActivity(flakyGreeting, name ?? 'World', {
    retry: { maxAttempts: 5, firstRetryIntervalMs: 500, backoffCoefficient: 2 },
  }),
);

export const registry = new Registry().add(
  sayHello,
  helloSequence,
  helloSequence5,
  square,
  fanOutFanIn,
  approval,
  flakyGreeting,
  retryingGreeting,
);
