import { Registry } from '@durable/engine';

/**
 * Loads the user's app module: it exports a `registry` (or a default export) that is a Registry
 * or an array of definitions made with defineOrchestration / defineActivity.
 */
export async function loadRegistry(modulePath: string): Promise<Registry> {
  let loaded: Record<string, unknown>;
  try {
    loaded = (await import(modulePath)) as Record<string, unknown>;
  } catch (error) {
    throw new Error(`cannot load the app module '${modulePath}': ${(error as Error).message}`, {
      cause: error,
    });
  }
  const exported = loaded['registry'] ?? loaded['default'];
  if (exported instanceof Registry || isRegistryLike(exported)) return exported;
  if (Array.isArray(exported)) return new Registry().add(...(exported as Parameters<Registry['add']>));
  throw new Error(
    `the app module '${modulePath}' must export 'registry' (or a default export): a Registry or an array of definitions`,
  );
}

/**
 * A Registry made by another copy of @durable/engine (an app module that resolved the engine
 * elsewhere than the host did) fails `instanceof` but serves all the same.
 */
function isRegistryLike(value: unknown): value is Registry {
  const candidate = value as Partial<Record<keyof Registry, unknown>> | null | undefined;
  return (
    typeof candidate === 'object' &&
    candidate !== null &&
    typeof candidate.getOrchestrator === 'function' &&
    typeof candidate.getActivity === 'function' &&
    typeof candidate.getEntity === 'function' &&
    Array.isArray(candidate.orchestratorNames) &&
    Array.isArray(candidate.activityNames)
  );
}
