// Engine benchmark: the replay executor alone, no storage or transport. Measures what the engine
// promises hosts: cheap episodes with a cached session, a per-event cost that does not grow with
// history length, and O(N) fan-out/fan-in.
import { newEvent, toTimestamp, type HistoryEvent } from '@durable/core';
import { OrchestrationExecutor, Registry, type OrchestrationSession } from '@durable/engine';
import { sampleRegistry } from '@durable/engine/testing';
import type { Progress } from './progress';

export interface EngineBenchSizes {
  readonly instances: number;
  readonly historyLengths: readonly number[];
  readonly samples: number;
  readonly fanOut: readonly number[];
}

export const engineBenchSizes = {
  full: {
    instances: 20_000,
    historyLengths: [10, 1_000, 10_000],
    samples: 300,
    fanOut: [1_000, 10_000, 100_000],
  },
  quick: { instances: 2_000, historyLengths: [10, 1_000, 10_000], samples: 50, fanOut: [1_000, 10_000] },
  /** For CI: keeps the benchmark code working, measures nothing meaningful. */
  tiny: { instances: 20, historyLengths: [10, 100], samples: 5, fanOut: [100] },
} satisfies Record<string, EngineBenchSizes>;

export interface EngineBenchOptions {
  readonly sizes: EngineBenchSizes;
  readonly progress?: Progress;
}

export interface EngineBenchResult {
  readonly helloSequence5: {
    readonly instances: number;
    readonly session: { readonly instancesPerSec: number; readonly episodesPerSec: number };
    readonly replay: { readonly instancesPerSec: number; readonly episodesPerSec: number };
  };
  readonly perEventCost: ReadonlyArray<{
    readonly historyLength: number;
    readonly sessionMicros: number;
    readonly replayMicros: number;
  }>;
  readonly fanOutFanIn: ReadonlyArray<{
    readonly activities: number;
    readonly totalMs: number;
    readonly microsPerActivity: number;
  }>;
}

let clock = Date.parse('2026-01-01T00:00:00Z');
const now = (): string => toTimestamp(clock++);
const started = (name: string, input?: string, instanceId = 'bench'): HistoryEvent =>
  newEvent('ExecutionStarted', now(), {
    name,
    ...(input !== undefined ? { input } : {}),
    orchestrationInstance: { instanceId, executionId: `${instanceId}-1` },
  });
const orchestratorStarted = (): HistoryEvent => newEvent('OrchestratorStarted', now(), {});
const completed = (taskScheduledId: number, result?: string): HistoryEvent =>
  newEvent('TaskCompleted', now(), { taskScheduledId, ...(result !== undefined ? { result } : {}) });

/** Runs HelloSequence5 to completion, one episode per activity result, the way a host would. */
async function helloSequence5(
  executor: OrchestrationExecutor,
  mode: 'session' | 'replay',
  instanceId: string,
) {
  const history: HistoryEvent[] = [];
  const session = executor.createSession();
  let newEvents = [orchestratorStarted(), started('HelloSequence5', undefined, instanceId)];
  let episodes = 0;
  for (;;) {
    const result =
      mode === 'session' ? await session.execute([], newEvents) : await executor.execute(history, newEvents);
    episodes++;
    if (mode === 'replay') history.push(...newEvents);
    const action = result.actions[0];
    if (action?.type === 'CompleteOrchestration' && action.orchestrationStatus === 'Completed')
      return episodes;
    if (action?.type !== 'ScheduleTask')
      throw new Error(`HelloSequence5 did not complete: ${JSON.stringify(action)}`);
    if (mode === 'replay')
      history.push(
        newEvent(
          'TaskScheduled',
          now(),
          { name: action.name, ...(action.input !== undefined ? { input: action.input } : {}) },
          action.id,
        ),
      );
    newEvents = [
      orchestratorStarted(),
      completed(action.id, JSON.stringify(`Hello ${String(JSON.parse(action.input ?? '""'))}!`)),
    ];
  }
}

async function measureHello(executor: OrchestrationExecutor, mode: 'session' | 'replay', instances: number) {
  for (let i = 0; i < Math.min(200, instances / 10); i++) await helloSequence5(executor, mode, `warm-${i}`);
  const start = process.hrtime.bigint();
  let episodes = 0;
  for (let i = 0; i < instances; i++) episodes += await helloSequence5(executor, mode, `i-${i}`);
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  return { instancesPerSec: Math.round(instances / seconds), episodesPerSec: Math.round(episodes / seconds) };
}

/** An orchestration that calls one activity after another forever, for any history length. */
function loopRegistry(): Registry {
  return new Registry().addOrchestrator('Loop', async (ctx) => {
    for (let i = 0; ; i++) await ctx.callActivity('Step', i);
  });
}

/** Median cost in µs of one episode with one new result, at a given history length. */
async function measurePerEvent(historyLength: number, samples: number) {
  const executor = new OrchestrationExecutor(loopRegistry());
  const session: OrchestrationSession = executor.createSession();
  const history: HistoryEvent[] = [orchestratorStarted(), started('Loop')];
  await session.execute([], history);
  let next = 0;
  const advance = async (): Promise<number> => {
    const events = [orchestratorStarted(), completed(next)];
    const t0 = process.hrtime.bigint();
    await session.execute([], events);
    const micros = Number(process.hrtime.bigint() - t0) / 1e3;
    history.push(newEvent('TaskScheduled', now(), { name: 'Step', input: String(next) }, next), ...events);
    next++;
    return micros;
  };
  while (history.length < historyLength) await advance();
  const sessionCosts: number[] = [];
  for (let i = 0; i < samples; i++) sessionCosts.push(await advance());

  // The same step without a cached session: a full replay of the history first.
  const replayCosts: number[] = [];
  const replaySamples = Math.max(3, Math.min(samples, Math.floor(200_000 / historyLength)));
  const base = history.slice(0, historyLength);
  const lastScheduled = [...base].reverse().find((e) => e.type === 'TaskScheduled');
  const pendingId = lastScheduled?.eventId ?? 0;
  for (let i = 0; i < replaySamples; i++) {
    const t0 = process.hrtime.bigint();
    await executor.execute(base, [orchestratorStarted(), completed(pendingId)]);
    replayCosts.push(Number(process.hrtime.bigint() - t0) / 1e3);
  }
  return {
    historyLength,
    sessionMicros: round(median(sessionCosts)),
    replayMicros: round(median(replayCosts)),
  };
}

async function measureFanOut(activities: number) {
  const executor = new OrchestrationExecutor(sampleRegistry());
  const t0 = process.hrtime.bigint();
  const session = executor.createSession();
  const first = await session.execute(
    [],
    [orchestratorStarted(), started('FanOutFanIn', String(activities))],
  );
  const results: HistoryEvent[] = first.actions.map((a) => completed(a.id, String((a.id + 1) * (a.id + 1))));
  // Results arrive in batches of 100, as a host would deliver them.
  for (let i = 0; i < results.length; i += 100) {
    const outcome = await session.execute([], [orchestratorStarted(), ...results.slice(i, i + 100)]);
    if (i + 100 >= results.length && outcome.completion?.orchestrationStatus !== 'Completed') {
      throw new Error('fan-in did not complete');
    }
  }
  const totalMs = Number(process.hrtime.bigint() - t0) / 1e6;
  return { activities, totalMs: round(totalMs), microsPerActivity: round((totalMs * 1000) / activities) };
}

export async function runEngineBench(options: EngineBenchOptions): Promise<EngineBenchResult> {
  const progress = options.progress;
  const { instances, historyLengths, samples, fanOut } = options.sizes;
  const executor = new OrchestrationExecutor(sampleRegistry());
  progress?.update(`engine: HelloSequence5 × ${instances} with cached sessions…`);
  const session = await measureHello(executor, 'session', instances);
  progress?.update(`engine: HelloSequence5 × ${instances} with full replay…`);
  const replay = await measureHello(executor, 'replay', instances);

  const perEventCost = [];
  for (const length of historyLengths) {
    progress?.update(`engine: cost of one new event at history length ${length}…`);
    perEventCost.push(await measurePerEvent(length, samples));
  }

  const fanOutFanIn = [];
  for (const n of fanOut) {
    progress?.update(`engine: fan-out/fan-in of ${n} activities…`);
    fanOutFanIn.push(await measureFanOut(n));
  }
  progress?.done('engine: done');
  return { helloSequence5: { instances, session, replay }, perEventCost, fanOutFanIn };
}

export function engineMarkdown(result: EngineBenchResult): string {
  const lines = [
    '### Engine (executor only, no storage)',
    '',
    '| HelloSequence5 | instances/s | episodes/s |',
    '| --- | ---: | ---: |',
    `| cached session | ${result.helloSequence5.session.instancesPerSec} | ${result.helloSequence5.session.episodesPerSec} |`,
    `| full replay each episode | ${result.helloSequence5.replay.instancesPerSec} | ${result.helloSequence5.replay.episodesPerSec} |`,
    '',
    '| history length | one new event, cached session (µs, median) | same with full replay (µs, median) |',
    '| ---: | ---: | ---: |',
    ...result.perEventCost.map((c) => `| ${c.historyLength} | ${c.sessionMicros} | ${c.replayMicros} |`),
    '',
    '| fan-out/fan-in activities | total ms | µs per activity |',
    '| ---: | ---: | ---: |',
    ...result.fanOutFanIn.map((f) => `| ${f.activities} | ${f.totalMs} | ${f.microsPerActivity} |`),
  ];
  return lines.join('\n');
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
}

function round(value: number): number {
  return Math.round(value * 10) / 10;
}
