// The sample app `npm start` registers. Your own app is a module shaped like this one: export a
// `registry` (or a default export) holding your orchestrations and activities, then run
// `DURABLE_APP=./path/to/your-app.ts npm start`.
import {
  defineActivity,
  defineEntity,
  defineOrchestration,
  DurableEntity,
  Registry,
  type EntityContext,
} from '@durable/engine';

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

/** A function-style entity: `add` (a number), `reset`, `get`. */
export const counter = defineEntity('Counter', (ctx: EntityContext<number>) => {
  const value = ctx.getState(() => 0) ?? 0;
  switch (ctx.operationName) {
    case 'add': {
      const amount = ctx.getInput<number>();
      if (typeof amount !== 'number' || !Number.isFinite(amount)) throw new TypeError('add needs a number');
      ctx.setState(value + amount);
      return value + amount;
    }
    case 'reset':
      ctx.setState(0);
      return 0;
    case 'get':
      return value;
    default:
      throw new Error(`Counter has no operation '${ctx.operationName}' (add, reset, get)`);
  }
});

/** A class-style entity: a balance that never goes below zero. */
export class Account extends DurableEntity<number> {
  initialState(): number {
    return 0;
  }
  deposit(amount: number): number {
    checkAmount(amount);
    this.state += amount;
    return this.state;
  }
  withdraw(amount: number): number {
    checkAmount(amount);
    if (amount > this.state) throw new Error(`insufficient funds: balance ${this.state}, asked ${amount}`);
    this.state -= amount;
    return this.state;
  }
  balance(): number {
    return this.state;
  }
}
export const account = defineEntity('Account', Account);

function checkAmount(amount: unknown): asserts amount is number {
  if (typeof amount !== 'number' || !Number.isFinite(amount) || amount <= 0)
    throw new TypeError('amount must be a positive number');
}

export interface TransferRequest {
  readonly from: string;
  readonly to: string;
  readonly amount: number;
}

/** Moves money between two accounts inside a critical section, so no other transfer interleaves. */
export const bankTransfer = defineOrchestration('BankTransfer', async (ctx, transfer: TransferRequest) => {
  const from = { name: 'Account', key: transfer.from };
  const to = { name: 'Account', key: transfer.to };
  if (transfer.from === transfer.to) return { transferred: false, reason: 'same account' };
  const lock = await ctx.lockEntities(from, to);
  try {
    const balance = await ctx.callEntity<number>(from, 'balance');
    if (balance < transfer.amount) return { transferred: false, reason: 'insufficient funds' };
    await ctx.callEntity(from, 'withdraw', transfer.amount);
    await ctx.callEntity(to, 'deposit', transfer.amount);
    return { transferred: true };
  } finally {
    lock.release();
  }
});

export const registry = new Registry().add(
  sayHello,
  helloSequence,
  helloSequence5,
  square,
  fanOutFanIn,
  approval,
  flakyGreeting,
  retryingGreeting,
  counter,
  account,
  bankTransfer,
);
