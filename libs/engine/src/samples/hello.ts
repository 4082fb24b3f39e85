// Small orchestrations shared by specs, golden histories and the engine benchmark.
import { defineActivity, defineOrchestration } from '../definitions';
import { Registry } from '../registry';

export const sayHello = defineActivity('SayHello', (name: string) => `Hello ${name}!`);

export const helloSequence = defineOrchestration('HelloSequence', async (ctx) => {
  const outputs: string[] = [];
  for (const city of ['Tokyo', 'Seattle', 'London']) outputs.push(await ctx.callActivity(sayHello, city));
  return outputs;
});

/** One orchestration calling five trivial activities in sequence (the benchmark workload). */
export const helloSequence5 = defineOrchestration('HelloSequence5', async (ctx) => {
  const outputs: string[] = [];
  for (const city of ['Tokyo', 'Seattle', 'London', 'Paris', 'Cairo']) {
    outputs.push(await ctx.callActivity(sayHello, city));
  }
  return outputs;
});

export const square = defineActivity('Square', (n: number) => n * n);

export const fanOutFanIn = defineOrchestration('FanOutFanIn', async (ctx, n: number) => {
  const tasks = Array.from({ length: n }, (_, i) => ctx.callActivity(square, i + 1));
  const squares = await ctx.whenAll(tasks);
  return squares.reduce((sum, v) => sum + v, 0);
});

export function sampleRegistry(): Registry {
  return new Registry().add(sayHello, helloSequence, helloSequence5, square, fanOutFanIn);
}
