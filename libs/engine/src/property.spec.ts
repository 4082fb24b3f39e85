import type { HistoryEvent } from '@durable/core';
import { OrchestrationExecutor } from './executor';
import { prng, programRegistry, randomProgram } from './samples/program';
import { TestHost, type TestHostOptions } from './test-host';

/** What an observer can compare between runs: each instance's outcome and recorded steps. */
function observe(host: TestHost) {
  return host.instanceIds.map((id) => {
    const state = host.state(id);
    return {
      id,
      status: state.status,
      output: state.output,
      failure: state.failureDetails?.errorMessage,
      customStatus: state.customStatus,
      steps: state.history.filter(isStep).map(describeStep),
    };
  });
}

const isStep = (event: HistoryEvent) =>
  [
    'TaskScheduled',
    'TimerCreated',
    'SubOrchestrationInstanceCreated',
    'EventSent',
    'ExecutionCompleted',
  ].includes(event.type);

function describeStep(event: HistoryEvent): string {
  switch (event.type) {
    case 'TaskScheduled':
      return `${event.eventId}:task:${event.name}:${event.input ?? ''}`;
    case 'TimerCreated':
      return `${event.eventId}:timer:${event.fireAt}`;
    case 'SubOrchestrationInstanceCreated':
      return `${event.eventId}:sub:${event.instanceId}`;
    case 'EventSent':
      return `${event.eventId}:send:${event.name}`;
    case 'ExecutionCompleted':
      return `done:${event.orchestrationStatus}:${event.result ?? ''}`;
    default:
      return event.type;
  }
}

async function runWith(options: TestHostOptions, steps: unknown, events: string[]) {
  const host = new TestHost(programRegistry(), options);
  const id = host.start('Program', { steps });
  events.forEach((name, i) => host.raiseEvent(id, name, i));
  await host.run();
  return host;
}

const drivers: Array<[string, TestHostOptions]> = [
  ['one event per episode, cached sessions', { mode: 'session', maxEventsPerEpisode: 1 }],
  ['two events per episode, full replay', { mode: 'replay', maxEventsPerEpisode: 2 }],
  ['all waiting events per episode, full replay', { mode: 'replay' }],
];

describe('driving an orchestration episode by episode or in one go', () => {
  const seeds = Array.from({ length: 60 }, (_, i) => i + 1);

  it.each(seeds)('gives the same steps and output for random program %i', async (seed) => {
    const { steps, events } = randomProgram(prng(seed), 4 + (seed % 9));
    const reference = await runWith({ mode: 'session' }, steps, events);
    const expected = observe(reference);
    expect(expected[0]?.status).toMatch(/Completed/);
    for (const [, options] of drivers) {
      expect(observe(await runWith(options, steps, events))).toEqual(expected);
    }

    // Replaying each final history in one go reproduces its recorded completion exactly.
    for (const id of reference.instanceIds) {
      const { history } = reference.state(id);
      const recorded = history.find((e) => e.type === 'ExecutionCompleted');
      const replayed = await new OrchestrationExecutor(programRegistry()).execute(history, []);
      expect(replayed.completion).toMatchObject({
        orchestrationStatus:
          recorded?.type === 'ExecutionCompleted' ? recorded.orchestrationStatus : 'missing',
        ...(recorded?.type === 'ExecutionCompleted' && recorded.result !== undefined
          ? { result: recorded.result }
          : {}),
      });
      expect(replayed.actions).toEqual([replayed.completion]);
    }
  });
});
