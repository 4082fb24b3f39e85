// The app the benchmarks run: the sample app plus the workloads it lacks. The distributed workers
// load it through DURABLE_APP, so it must stay importable on its own.
import { defineOrchestration, Registry } from '@durable/engine';
import {
  approval,
  fanOutFanIn,
  flakyGreeting,
  helloSequence,
  helloSequence5,
  retryingGreeting,
  sayHello,
  square,
} from '@durable/samples';

/**
 * Waits on one durable timer of `ms` milliseconds and returns the time it was due (epoch ms), so
 * the benchmark can tell how late after its due time the instance completed.
 */
export const durableTimer = defineOrchestration('DurableTimer', async (ctx, ms: number) => {
  const due = ctx.currentUtcDateTime.getTime() + ms;
  await ctx.createTimer(new Date(due));
  return due;
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
  durableTimer,
);

/** The module path workers load as DURABLE_APP (relative to the repository root). */
export const benchAppPath = 'tools/bench/bench-app.ts';
