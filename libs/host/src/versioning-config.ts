import { VersionFailureStrategy, VersionMatchStrategy, type VersioningOptions } from '@durable/engine';

/**
 * The orchestration versioning of the workers that run orchestrations in process (embedded app,
 * orchestration workers): `DURABLE_VERSION` (this deployment's version), `DURABLE_VERSION_MATCH`
 * (None, Strict, CurrentOrOlder), `DURABLE_VERSION_FAILURE` (Reject, Fail) and
 * `DURABLE_DEFAULT_VERSION` (sub-orchestrations started without a version). Undefined when none is set.
 */
export function versioningFromEnv(env: NodeJS.ProcessEnv): VersioningOptions | undefined {
  const text = (name: string): string | undefined => {
    const value = env[name]?.trim();
    return value === undefined || value === '' ? undefined : value;
  };
  const oneOf = <T extends string>(name: string, values: Record<string, T>): T | undefined => {
    const value = text(name);
    if (value === undefined) return undefined;
    const found = Object.values(values).find((v) => v.toLowerCase() === value.toLowerCase());
    if (found === undefined)
      throw new Error(`${name} must be one of ${Object.values(values).join(', ')}, got '${value}'`);
    return found;
  };
  const version = text('DURABLE_VERSION');
  const defaultVersion = text('DURABLE_DEFAULT_VERSION');
  const matchStrategy = oneOf('DURABLE_VERSION_MATCH', VersionMatchStrategy);
  const failureStrategy = oneOf('DURABLE_VERSION_FAILURE', VersionFailureStrategy);
  if (matchStrategy !== undefined && matchStrategy !== 'None' && version === undefined)
    throw new Error(`DURABLE_VERSION_MATCH=${matchStrategy} needs DURABLE_VERSION, this worker's version`);
  const options: VersioningOptions = {
    ...(version !== undefined ? { version } : {}),
    ...(defaultVersion !== undefined ? { defaultVersion } : {}),
    ...(matchStrategy !== undefined ? { matchStrategy } : {}),
    ...(failureStrategy !== undefined ? { failureStrategy } : {}),
  };
  return Object.keys(options).length === 0 ? undefined : options;
}
