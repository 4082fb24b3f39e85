import { DurableError, InvalidArgumentError } from './errors';

// Kafka topic and Cosmos container names are built from it, so it stays short and plain.
const taskHubNamePattern = /^[A-Za-z][A-Za-z0-9-]{0,40}$/;

/** Whether `name` can name a task hub: letters, digits and dashes (up to 41), starting with a letter. */
export function isTaskHubName(name: string): boolean {
  return taskHubNamePattern.test(name);
}

/** A request named a task hub this deployment does not serve. */
export class TaskHubNotFoundError extends DurableError {
  override readonly name = 'TaskHubNotFoundError';
  readonly retriable = false;
  constructor(
    readonly taskHub: string,
    served: readonly string[],
  ) {
    super(`task hub '${taskHub}' is not served here (served: ${served.join(', ')})`);
  }
}

/**
 * The task hubs one deployment serves, each with what serves it (`T`), looked up by name without
 * case as Durable Functions does; a request that names none goes to the default hub.
 */
export class TaskHubs<T> {
  private readonly byLowerName: ReadonlyMap<string, { readonly name: string; readonly value: T }>;

  /** `hubs` in order, the default hub among them. */
  constructor(
    readonly defaultHub: string,
    hubs: ReadonlyArray<readonly [name: string, value: T]>,
  ) {
    const byLowerName = new Map<string, { name: string; value: T }>();
    for (const [name, value] of hubs) {
      if (byLowerName.has(name.toLowerCase())) throw new Error(`task hub '${name}' is listed twice`);
      byLowerName.set(name.toLowerCase(), { name, value });
    }
    if (!byLowerName.has(defaultHub.toLowerCase()))
      throw new Error(`the default task hub '${defaultHub}' is not among the hubs served`);
    this.byLowerName = byLowerName;
  }

  /** One hub, the default. */
  static single<T>(name: string, value: T): TaskHubs<T> {
    return new TaskHubs(name, [[name, value]]);
  }

  get names(): string[] {
    return [...this.byLowerName.values()].map((hub) => hub.name);
  }

  get values(): T[] {
    return [...this.byLowerName.values()].map((hub) => hub.value);
  }

  /** The hub a request names (any case), the default when it names none; TaskHubNotFoundError else. */
  resolve(requested: string | undefined): { readonly name: string; readonly value: T } {
    const hub = this.byLowerName.get((requested ?? this.defaultHub).toLowerCase());
    if (hub === undefined) {
      if (!isTaskHubName(requested ?? ''))
        throw new InvalidArgumentError(
          `'${requested ?? ''}' is not a task hub name: letters, digits and dashes (up to 41), starting with a letter`,
        );
      throw new TaskHubNotFoundError(requested as string, this.names);
    }
    return hub;
  }

  /** Whether a request naming `requested` (or none) goes to the default hub. */
  isDefault(name: string): boolean {
    return name.toLowerCase() === this.defaultHub.toLowerCase();
  }
}
