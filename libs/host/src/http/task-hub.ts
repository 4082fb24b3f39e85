import { InvalidArgumentError, type TaskHubs } from '@durable/core';
import type { RetentionControl } from '@durable/retention';
import type { InstanceService } from '@durable/runtime';
import type { QueryParams } from './query';

/** What serves one task hub over HTTP. */
export interface ServedTaskHub {
  readonly instances: InstanceService;
  readonly retention: RetentionControl;
}

/** Durable Functions' query parameter naming the task hub of a request. */
export const taskHubParameter = 'taskHub';

/** The task hub a request is for. */
export interface RequestTaskHub extends ServedTaskHub {
  readonly name: string;
  /** `taskHub=<name>` for the URLs handed out, so that they stay in this hub; none for the default hub. */
  readonly urlQuery: string | undefined;
}

/**
 * The hub the request's `taskHub` names, the default when it names none. An unknown hub is a
 * TaskHubNotFoundError (404); an empty or repeated parameter is refused like any other.
 */
export function taskHubOf(hubs: TaskHubs<ServedTaskHub>, query: QueryParams): RequestTaskHub {
  const value = query[taskHubParameter];
  if (value !== undefined && typeof value !== 'string')
    throw new InvalidArgumentError(`invalid query parameter '${taskHubParameter}': it must be given once`);
  if (value === '')
    throw new InvalidArgumentError(`invalid query parameter '${taskHubParameter}': it must not be empty`);
  const hub = hubs.resolve(value);
  return {
    ...hub.value,
    name: hub.name,
    urlQuery: hubs.isDefault(hub.name) ? undefined : `${taskHubParameter}=${encodeURIComponent(hub.name)}`,
  };
}
