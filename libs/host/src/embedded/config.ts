import { resolve } from 'node:path';
import { retentionFromEnv, type RetentionSettings } from '@durable/retention';
import type { VersioningOptions } from '@durable/engine';
import { taskHubsFromEnv, type TaskHubSettings } from '../task-hubs';
import { versioningFromEnv } from '../versioning-config';

export interface EmbeddedConfig {
  readonly port: number;
  readonly host: string;
  readonly dataDir: string;
  readonly partitions: number;
  /** A module exporting `registry` (or a default export): the user's orchestrations and activities. */
  readonly appModule: string | undefined;
  readonly maxPayloadBytes: number;
  readonly logLevel: 'debug' | 'info' | 'warn' | 'error';
  /** `DURABLE_RETENTION*`: the automatic purge of finished instances; undefined when off. */
  readonly retention: RetentionSettings | undefined;
  /** `TASK_HUB` and `TASK_HUBS`: the task hubs served, each in its own SQLite file. */
  readonly taskHubs: TaskHubSettings;
  /** `DURABLE_VERSION*`: which instance versions this app runs (see versioningFromEnv). */
  readonly versioning: VersioningOptions | undefined;
}

/** Reads the embedded product's settings from the environment, refusing bad values with a reason. */
export function embeddedConfigFromEnv(env: NodeJS.ProcessEnv, cwd: string): EmbeddedConfig {
  const int = (name: string, fallback: number, min: number, max: number): number => {
    const raw = env[name];
    if (raw === undefined || raw === '') return fallback;
    const value = Number(raw);
    if (!Number.isInteger(value) || value < min || value > max) {
      throw new Error(`${name} must be an integer from ${min} to ${max}, got '${raw}'`);
    }
    return value;
  };
  const level = env['DURABLE_LOG_LEVEL'] ?? 'info';
  if (!['debug', 'info', 'warn', 'error'].includes(level)) {
    throw new Error(`DURABLE_LOG_LEVEL must be debug, info, warn or error, got '${level}'`);
  }
  return {
    port: int('PORT', 7071, 0, 65535),
    host: env['HOST'] ?? '127.0.0.1',
    dataDir: resolve(cwd, env['DURABLE_DATA_DIR'] ?? '.durable'),
    partitions: int('PARTITION_COUNT', 12, 1, 1024),
    appModule:
      env['DURABLE_APP'] === undefined || env['DURABLE_APP'] === ''
        ? undefined
        : resolve(cwd, env['DURABLE_APP']),
    maxPayloadBytes: int('MAX_PAYLOAD_BYTES', 1024 * 1024, 1, 64 * 1024 * 1024),
    logLevel: level as EmbeddedConfig['logLevel'],
    retention: retentionFromEnv(env),
    taskHubs: taskHubsFromEnv(env),
    versioning: versioningFromEnv(env),
  };
}
