// Representative orchestrations whose recorded histories are replayed in CI (golden histories):
// a change that breaks replay of existing instances fails that test.
import { EntityOperationFailedError } from '@durable/core';
import { defineActivity, defineOrchestration } from '../definitions';
import { Registry } from '../registry';
import { fanOutFanIn, helloSequence, sayHello, square } from './hello';
import { prng, programRegistry, randomProgram } from './program';

const flakyAttempts = new Map<string, number>();
export const flaky = defineActivity('Flaky', (key: string) => {
  const attempt = (flakyAttempts.get(key) ?? 0) + 1;
  flakyAttempts.set(key, attempt);
  if (attempt <= 2) throw new Error(`attempt ${attempt} failed`);
  return `succeeded on attempt ${attempt}`;
});

export const retryThenSucceed = defineOrchestration('RetryThenSucceed', async (ctx) =>
  ctx.callActivity(flaky, ctx.instanceId, {
    retry: { maxAttempts: 5, firstRetryIntervalMs: 1000, backoffCoefficient: 2 },
  }),
);

export const approval = defineOrchestration('Approval', async (ctx, input: { timeoutSeconds: number }) => {
  const decision = ctx.waitForExternalEvent<boolean>('Approval');
  const timeout = ctx.createTimer(input.timeoutSeconds * 1000);
  const first = await ctx.whenAny([decision, timeout]);
  if (first === 1) return 'timed out';
  return decision.result ? 'approved' : 'rejected';
});

export const failingChild = defineOrchestration('FailingChild', async (_ctx, message: string) => {
  throw new Error(message);
});

export const parentChild = defineOrchestration('ParentChild', async (ctx) => {
  const [a, b] = await ctx.whenAll([
    ctx.callSubOrchestrator(helloSequence, undefined),
    ctx.callSubOrchestrator(fanOutFanIn, 4),
  ]);
  let failure = 'none';
  try {
    await ctx.callSubOrchestrator(failingChild, 'child failed');
  } catch (error) {
    failure = (error as Error).name;
  }
  ctx.setCustomStatus({ children: 3 });
  return { greetings: a, sum: b, failure };
});

export const eternalCounter = defineOrchestration('EternalCounter', async (ctx, count: number) => {
  const increment = await ctx.waitForExternalEvent<number>('add');
  if (count + increment >= 3) return count + increment;
  ctx.continueAsNew(count + increment);
  return undefined;
});

/**
 * Cancels one task of each kind: an activity (whose result still reaches history, late, and must be
 * dropped on replay), a child orchestration (terminated), a timer and an external event wait.
 */
export const cancelEverything = defineOrchestration('CancelEverything', async (ctx) => {
  const greeting = ctx.callActivity(sayHello, 'nobody');
  ctx.cancel(greeting);
  const child = ctx.callSubOrchestrator(
    approval,
    { timeoutSeconds: 3600 },
    { instanceId: `${ctx.instanceId}-child` },
  );
  const longTimer = ctx.createTimer(3_600_000);
  const approvalWait = ctx.waitForExternalEvent('Approval', { timeout: 60_000 });
  await ctx.createTimer(1000);
  const rest = ctx.whenAll([child, longTimer, approvalWait]);
  ctx.cancel(rest);
  const seen: string[] = [];
  for (const task of [greeting, child, longTimer, approvalWait]) {
    try {
      await task;
      seen.push('completed');
    } catch (error) {
      seen.push((error as Error).name);
    }
  }
  return seen;
});

/**
 * Entities in a critical section: locks two accounts, reads one, moves money, and reports a failed
 * withdrawal. Its golden file comes from a run on the embedded platform (the in-memory test host
 * does not run entities), so it is not among the scenarios `golden:record` records.
 */
export const entityTransfer = defineOrchestration(
  'EntityTransfer',
  async (ctx, input: { from: string; to: string; amount: number }) => {
    const from = { name: 'Account', key: input.from };
    const to = { name: 'Account', key: input.to };
    ctx.signalEntity(from, 'touch');
    const lock = await ctx.lockEntities(from, to);
    try {
      const balance = await ctx.callEntity<number>(from, 'balance');
      await ctx.callEntity(from, 'withdraw', input.amount);
      await ctx.callEntity(to, 'deposit', input.amount);
      return { moved: input.amount, before: balance };
    } catch (error) {
      if (error instanceof EntityOperationFailedError)
        return { moved: 0, reason: error.details.errorMessage };
      throw error;
    } finally {
      lock.release();
    }
  },
);

export interface GoldenScenario {
  readonly name: string;
  readonly orchestration: string;
  readonly input?: unknown;
  readonly events?: ReadonlyArray<readonly [string, unknown]>;
}

export const goldenScenarios: readonly GoldenScenario[] = [
  { name: 'hello-sequence', orchestration: 'HelloSequence' },
  { name: 'fan-out-fan-in', orchestration: 'FanOutFanIn', input: 5 },
  {
    name: 'approval-approved',
    orchestration: 'Approval',
    input: { timeoutSeconds: 30 },
    events: [['Approval', true]],
  },
  { name: 'approval-timed-out', orchestration: 'Approval', input: { timeoutSeconds: 30 } },
  { name: 'retry-then-succeed', orchestration: 'RetryThenSucceed' },
  { name: 'parent-child', orchestration: 'ParentChild' },
  { name: 'cancel-everything', orchestration: 'CancelEverything' },
  {
    name: 'eternal-counter',
    orchestration: 'EternalCounter',
    input: 0,
    events: [
      ['add', 1],
      ['add', 1],
      ['add', 1],
    ],
  },
  ...[7, 21, 42].map((seed) => {
    const { steps, events } = randomProgram(prng(seed), 10);
    return {
      name: `program-${seed}`,
      orchestration: 'Program',
      input: { steps },
      events: events.map((e, i) => [e, i] as const),
    };
  }),
];

/** Everything the golden scenarios need, with fresh per-run activity state. */
export function goldenRegistry(): Registry {
  flakyAttempts.clear();
  return programRegistry().add(
    sayHello,
    helloSequence,
    square,
    fanOutFanIn,
    flaky,
    retryThenSucceed,
    approval,
    failingChild,
    parentChild,
    eternalCounter,
    entityTransfer,
    cancelEverything,
  );
}
