// An orchestration that interprets a small program, so property tests can generate many
// different orchestrations from a seed and drive each one in several ways.
import { TaskFailedError, TimeoutError } from '@durable/core';
import type { OrchestrationContext } from '../definitions';
import { Registry } from '../registry';

export type Step =
  | { op: 'call'; value: number }
  | { op: 'fan'; values: number[] }
  | { op: 'promiseAll'; values: number[] }
  | { op: 'timer'; ms: number }
  | { op: 'fail' }
  | { op: 'retry'; failures: number; maxAttempts: number }
  | { op: 'event'; name: string }
  | { op: 'eventTimeout'; ms: number }
  | { op: 'race'; ms: number }
  | { op: 'sub'; steps: Step[] }
  | { op: 'sendSelf'; value: number }
  | { op: 'guid' }
  | { op: 'now' }
  | { op: 'status' }
  | { op: 'continue' };

export interface ProgramInput {
  readonly steps: Step[];
  readonly results?: unknown[];
}

export async function runProgram(ctx: OrchestrationContext, input: ProgramInput): Promise<unknown[]> {
  const results = [...(input.results ?? [])];
  for (let i = 0; i < input.steps.length; i++) {
    const step = input.steps[i] as Step;
    switch (step.op) {
      case 'call':
        results.push(await ctx.callActivity<number>('Echo', step.value));
        break;
      case 'fan':
        results.push(await ctx.whenAll(step.values.map((v) => ctx.callActivity<number>('Echo', v))));
        break;
      case 'promiseAll':
        results.push(await Promise.all(step.values.map((v) => ctx.callActivity<number>('Echo', v))));
        break;
      case 'timer':
        await ctx.createTimer(step.ms);
        results.push('tick');
        break;
      case 'fail':
        try {
          await ctx.callActivity('Fail');
        } catch (error) {
          results.push(error instanceof TaskFailedError ? error.details.errorMessage : 'unexpected');
        }
        break;
      case 'retry':
        try {
          results.push(
            await ctx.callActivity(
              'FailTimes',
              { key: `${ctx.instanceId}/${i}`, failures: step.failures },
              {
                retry: { maxAttempts: step.maxAttempts, firstRetryIntervalMs: 100, backoffCoefficient: 2 },
              },
            ),
          );
        } catch {
          results.push('gave up');
        }
        break;
      case 'event':
        results.push(await ctx.waitForExternalEvent(step.name));
        break;
      case 'eventTimeout':
        try {
          results.push(await ctx.waitForExternalEvent('never', { timeout: step.ms }));
        } catch (error) {
          results.push(error instanceof TimeoutError ? 'timeout' : 'unexpected');
        }
        break;
      case 'race': {
        const call = ctx.callActivity<number>('Echo', step.ms);
        const timer = ctx.createTimer(step.ms);
        const first = await ctx.whenAny([call, timer]);
        results.push(first === 0 ? call.result : 'timer');
        break;
      }
      case 'sub':
        results.push(await ctx.callSubOrchestrator('Program', { steps: step.steps }));
        break;
      case 'sendSelf':
        ctx.sendEvent(ctx.instanceId, 'self', step.value);
        results.push(await ctx.waitForExternalEvent('self'));
        break;
      case 'guid':
        results.push(ctx.newGuid());
        break;
      case 'now':
        results.push(ctx.currentUtcDateTime.toISOString());
        break;
      case 'status':
        ctx.setCustomStatus({ step: i, results: results.length });
        break;
      case 'continue':
        ctx.continueAsNew({ steps: input.steps.slice(i + 1), results });
        return results;
    }
  }
  return results;
}

/** A fresh registry for one run: FailTimes counts attempts per key within that run. */
export function programRegistry(): Registry {
  const attempts = new Map<string, number>();
  return new Registry()
    .addOrchestrator('Program', runProgram)
    .addActivity('Echo', (value: number) => value)
    .addActivity('Fail', () => {
      throw new Error('always fails');
    })
    .addActivity('FailTimes', ({ key, failures }: { key: string; failures: number }) => {
      const n = (attempts.get(key) ?? 0) + 1;
      attempts.set(key, n);
      if (n <= failures) throw new Error(`attempt ${n} failed`);
      return `succeeded on attempt ${n}`;
    });
}

/** A small deterministic PRNG (mulberry32), so generated programs are the same for a seed. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A random program of `length` steps; `events` lists the external events it will wait for. */
export function randomProgram(
  random: () => number,
  length: number,
  depth = 0,
): { steps: Step[]; events: string[] } {
  const int = (n: number) => Math.floor(random() * n);
  const steps: Step[] = [];
  const events: string[] = [];
  for (let i = 0; i < length; i++) {
    const kind = int(depth === 0 ? 15 : 12);
    switch (kind) {
      case 0:
      case 1:
        steps.push({ op: 'call', value: int(1000) });
        break;
      case 2:
        steps.push({ op: 'fan', values: Array.from({ length: 1 + int(6) }, () => int(100)) });
        break;
      case 3:
        steps.push({ op: 'promiseAll', values: Array.from({ length: 1 + int(4) }, () => int(100)) });
        break;
      case 4:
        steps.push({ op: 'timer', ms: 1 + int(10_000) });
        break;
      case 5:
        steps.push({ op: 'fail' });
        break;
      case 6:
        steps.push({ op: 'retry', failures: int(4), maxAttempts: 1 + int(4) });
        break;
      case 7:
        steps.push({ op: 'eventTimeout', ms: 1 + int(5000) });
        break;
      case 8:
        steps.push({ op: 'race', ms: 1 + int(100) });
        break;
      case 9:
        steps.push({ op: 'sendSelf', value: int(100) });
        break;
      case 10:
        steps.push(random() < 0.5 ? { op: 'guid' } : { op: 'now' });
        break;
      case 11:
        steps.push({ op: 'status' });
        break;
      case 12: {
        const name = `e${i}`;
        steps.push({ op: 'event', name });
        events.push(name);
        break;
      }
      case 13:
        steps.push({ op: 'sub', steps: randomProgram(random, 1 + int(4), depth + 1).steps });
        break;
      default:
        steps.push({ op: 'continue' });
    }
  }
  return { steps, events };
}
