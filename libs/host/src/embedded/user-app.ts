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
  if (exported instanceof Registry) return exported;
  if (Array.isArray(exported)) return new Registry().add(...(exported as Parameters<Registry['add']>));
  throw new Error(
    `the app module '${modulePath}' must export 'registry' (or a default export): a Registry or an array of definitions`,
  );
}
