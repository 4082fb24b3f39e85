import { InvalidArgumentError } from '@durable/core';
import type {
  ActivityDefinition,
  ActivityFunction,
  OrchestrationDefinition,
  OrchestratorFunction,
} from './definitions';
import { defineActivity, defineOrchestration } from './definitions';
import type { EntityDefinition } from './entity';

type AnyDefinition =
  | ActivityDefinition<never, unknown>
  | OrchestrationDefinition<never, unknown>
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- any state type
  | EntityDefinition<any>;

/** The orchestrations, activities and entities a worker can run, by name. */
export class Registry {
  private readonly orchestrators = new Map<string, OrchestratorFunction<unknown, unknown>>();
  private readonly activities = new Map<string, ActivityFunction<unknown, unknown>>();
  private readonly entities = new Map<string, EntityDefinition<unknown>>();

  /** Adds definitions made with `defineOrchestration` / `defineActivity` / `defineEntity`. */
  add(...definitions: AnyDefinition[]): this {
    for (const def of definitions) {
      if (def.kind === 'orchestration') this.put(this.orchestrators, def.name, def.fn, 'orchestration');
      else if (def.kind === 'activity') this.put(this.activities, def.name, def.fn, 'activity');
      else this.put(this.entities, def.name, def as EntityDefinition<unknown>, 'entity');
    }
    return this;
  }

  /** The entity of this (case-insensitive) name. */
  getEntity(name: string): EntityDefinition<unknown> | undefined {
    return this.entities.get(name.toLowerCase());
  }

  get entityNames(): string[] {
    return [...this.entities.keys()];
  }

  addOrchestrator<I, O>(name: string, fn: OrchestratorFunction<I, O>): this {
    return this.add(defineOrchestration(name, fn) as AnyDefinition);
  }

  addActivity<I, O>(name: string, fn: ActivityFunction<I, O>): this {
    return this.add(defineActivity(name, fn) as AnyDefinition);
  }

  getOrchestrator(name: string): OrchestratorFunction<unknown, unknown> | undefined {
    return this.orchestrators.get(name);
  }

  getActivity(name: string): ActivityFunction<unknown, unknown> | undefined {
    return this.activities.get(name);
  }

  get orchestratorNames(): string[] {
    return [...this.orchestrators.keys()];
  }

  get activityNames(): string[] {
    return [...this.activities.keys()];
  }

  private put<F>(map: Map<string, F>, name: string, fn: F, what: string): void {
    if (what !== 'entity' && typeof fn !== 'function')
      throw new InvalidArgumentError(`${what} '${name}' must be a function`);
    if (map.has(name)) throw new InvalidArgumentError(`an ${what} named '${name}' is already registered`);
    map.set(name, fn);
  }
}
