import type { Registry } from '@durable/engine';
import { scheduleEntity, scheduleEntityName } from '@durable/schedules';

/**
 * The user's registry with what the platform itself runs on entities: schedules. Every process that
 * runs entities or accepts signals registers them, in both modes.
 */
export function withBuiltIns(registry: Registry): Registry {
  if (registry.getEntity(scheduleEntityName) === undefined) registry.add(scheduleEntity);
  return registry;
}
