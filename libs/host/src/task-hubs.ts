import { join } from 'node:path';
import { isTaskHubName } from '@durable/core';

/** The task hubs a deployment serves: `TASK_HUB` is the default, `TASK_HUBS` lists them all. */
export interface TaskHubSettings {
  /** Requests that name no hub (REST `taskHub`, gRPC `taskhub` metadata) are for this one. */
  readonly defaultHub: string;
  /** Every hub served, the default first. */
  readonly hubs: readonly string[];
}

const nameRule = 'letters, digits and dashes (up to 41), starting with a letter';

/**
 * `TASK_HUB` (default `durable`) and `TASK_HUBS` (`a,b`: the hubs served; the default hub is among
 * them whether listed or not), refusing bad names and a hub listed twice (names compare without case).
 */
export function taskHubsFromEnv(env: NodeJS.ProcessEnv): TaskHubSettings {
  const defaultHub = env['TASK_HUB'] === undefined || env['TASK_HUB'] === '' ? 'durable' : env['TASK_HUB'];
  if (!isTaskHubName(defaultHub)) throw new Error(`TASK_HUB must be ${nameRule}, got '${defaultHub}'`);
  const hubs = [defaultHub];
  const seen = new Set([defaultHub.toLowerCase()]);
  const listed = (env['TASK_HUBS'] ?? '')
    .split(',')
    .map((name) => name.trim())
    .filter((name) => name !== '');
  for (const name of listed) {
    if (!isTaskHubName(name)) throw new Error(`TASK_HUBS entries must be ${nameRule}, got '${name}'`);
    const lower = name.toLowerCase();
    if (lower === defaultHub.toLowerCase()) continue;
    if (seen.has(lower)) throw new Error(`TASK_HUBS lists '${name}' twice (names compare without case)`);
    seen.add(lower);
    hubs.push(name);
  }
  return { defaultHub, hubs };
}

/**
 * Where an embedded task hub keeps its SQLite file: the default hub in the data directory itself (where
 * a single-hub product always kept it), every other hub in `hubs/<name>` below it.
 */
export function embeddedHubDataDir(dataDir: string, hub: string, settings: TaskHubSettings): string {
  return hub.toLowerCase() === settings.defaultHub.toLowerCase()
    ? dataDir
    : join(dataDir, 'hubs', hub.toLowerCase());
}

/**
 * Starts one `T` per hub, in order; when one fails to start, stops those already started and
 * rethrows, so that no half-started deployment is left running.
 */
export async function startPerTaskHub<T extends { stop(): Promise<void> }>(
  hubs: readonly string[],
  start: (hub: string) => Promise<T>,
): Promise<Array<{ readonly name: string; readonly started: T }>> {
  const started: Array<{ name: string; started: T }> = [];
  try {
    for (const name of hubs) started.push({ name, started: await start(name) });
  } catch (error) {
    await Promise.allSettled(started.map((hub) => hub.started.stop()));
    throw error;
  }
  return started;
}
