import type { Registry } from './registry';
import type { GoldenScenario } from './samples/golden';
import { TestHost } from './test-host';
import {
  InvalidArgumentError,
  serializePayload,
  toHistoryEvent,
  type FailureDetails,
  type HistoryEvent,
} from '@durable/core';

/** A recorded run of one scenario: the final history of every instance it created. */
export interface GoldenHistory {
  readonly scenario: string;
  readonly orchestration: string;
  readonly input?: unknown;
  readonly instances: Readonly<Record<string, readonly HistoryEvent[]>>;
}

/** One event per line, so that a re-recorded file diffs readably. */
export function formatGoldenHistory(golden: GoldenHistory): string {
  const instances = Object.entries(golden.instances)
    .map(
      ([id, events]) =>
        `    ${JSON.stringify(id)}: [\n${events.map((e) => `      ${JSON.stringify(e)}`).join(',\n')}\n    ]`,
    )
    .join(',\n');
  const input = golden.input !== undefined ? `  "input": ${serializePayload(golden.input)},\n` : '';
  return `{\n  "scenario": ${JSON.stringify(golden.scenario)},\n  "orchestration": ${JSON.stringify(golden.orchestration)},\n${input}  "instances": {\n${instances}\n  }\n}\n`;
}

export function parseGoldenHistory(text: string): GoldenHistory {
  const raw = JSON.parse(text) as Record<string, unknown>;
  if (typeof raw['scenario'] !== 'string' || typeof raw['orchestration'] !== 'string') {
    throw new InvalidArgumentError('a golden history needs "scenario" and "orchestration"');
  }
  const instances: Record<string, HistoryEvent[]> = {};
  for (const [id, events] of Object.entries((raw['instances'] ?? {}) as Record<string, unknown>)) {
    if (!Array.isArray(events)) throw new InvalidArgumentError(`instance ${id}: history must be an array`);
    instances[id] = events.map((e, i) => toHistoryEvent(e, `${id} event ${i}`));
  }
  return {
    scenario: raw['scenario'],
    orchestration: raw['orchestration'],
    ...(raw['input'] !== undefined ? { input: raw['input'] } : {}),
    instances,
  };
}

/** Runs a scenario on the in-memory test host and captures every instance's final history. */
export async function recordGolden(scenario: GoldenScenario, registry: Registry): Promise<GoldenHistory> {
  const host = new TestHost(registry, { mode: 'session' });
  const id = host.start(scenario.orchestration, scenario.input);
  for (const [name, data] of scenario.events ?? []) host.raiseEvent(id, name, data);
  await host.run();
  const instances: Record<string, readonly HistoryEvent[]> = {};
  for (const instanceId of host.instanceIds)
    instances[instanceId] = host.state(instanceId).history.map(withoutStacks);
  return {
    scenario: scenario.name,
    orchestration: scenario.orchestration,
    ...(scenario.input !== undefined ? { input: scenario.input } : {}),
    instances,
  };
}

/** Stack traces name the recording machine's paths and play no part in replay: leave them out. */
function withoutStacks(event: HistoryEvent): HistoryEvent {
  if (!('failureDetails' in event) || event.failureDetails === undefined) return event;
  return { ...event, failureDetails: stripStack(event.failureDetails) } as HistoryEvent;
}

function stripStack(details: FailureDetails): FailureDetails {
  const { stackTrace: _stack, innerFailure, ...rest } = details;
  return { ...rest, ...(innerFailure !== undefined ? { innerFailure: stripStack(innerFailure) } : {}) };
}
