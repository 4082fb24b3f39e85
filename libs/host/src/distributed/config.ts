import { resolve } from 'node:path';
import { retentionFromEnv, type RetentionSettings } from '@durable/retention';
import type { VersioningOptions } from '@durable/engine';
import { taskHubsFromEnv, type TaskHubSettings } from '../task-hubs';
import { versioningFromEnv } from '../versioning-config';

export interface DistributedConfig {
  readonly port: number;
  readonly host: string;
  /** `KAFKA_BROKERS`: comma-separated `host:port` list. */
  readonly kafkaBrokers: readonly string[];
  /**
   * TLS and SASL for managed clusters: `KAFKA_SSL=true`, `KAFKA_SASL_MECHANISM`, `KAFKA_SASL_USERNAME`,
   * `KAFKA_SASL_PASSWORD`; or `KAFKA_SASL_MECHANISM=oauthbearer` with Entra ID tokens (Event Hubs).
   */
  readonly kafkaConnection: KafkaConnection;
  /**
   * The task hub of this config: names the topics, consumer groups and Cosmos containers. From the
   * environment, `TASK_HUB` (default `durable`); each hub of `taskHubs` runs on a copy naming it.
   */
  readonly hub: string;
  /** `TASK_HUB` and `TASK_HUBS`: every task hub this app serves. */
  readonly taskHubs: TaskHubSettings;
  readonly partitions: number;
  readonly activityPartitions: number;
  readonly cosmos: {
    readonly endpoint: string;
    /** `COSMOS_KEY`, or Entra ID with `COSMOS_AUTH=identity` (DefaultAzureCredential: managed identity, ...). */
    readonly auth: CosmosAuth;
    readonly databaseId: string;
    /** `COSMOS_ALLOW_SELF_SIGNED=true` for a local emulator's certificate; never for Azure. */
    readonly allowSelfSignedCertificate: boolean;
  };
  readonly appModule: string | undefined;
  readonly maxPayloadBytes: number;
  /** `KAFKA_TRIGGERS`: `topic=Orchestration,...` (frontend only). */
  readonly triggers: string;
  readonly activityConcurrency: number;
  /** `BATCH_LINGER_MS`: how long a partition's processor lets messages gather after a small batch. */
  readonly batchLingerMs: number;
  readonly logLevel: 'debug' | 'info' | 'warn' | 'error';
  /** `DURABLE_RETENTION*`: the automatic purge of finished instances, run by the frontend; undefined when off. */
  readonly retention: RetentionSettings | undefined;
  /** `DURABLE_VERSION*`: which instance versions the orchestration workers run (see versioningFromEnv). */
  readonly versioning: VersioningOptions | undefined;
}

export type CosmosAuth = { readonly kind: 'key'; readonly key: string } | { readonly kind: 'identity' };

export interface KafkaConnection {
  readonly ssl?: boolean;
  readonly sasl?:
    | SaslCredentials<'plain'>
    | SaslCredentials<'scram-sha-256'>
    | SaslCredentials<'scram-sha-512'>
    | OAuthBearer;
}

/** SASL/OAUTHBEARER with a token of DefaultAzureCredential for `scope` (KAFKA_OAUTH_SCOPE). */
export interface OAuthBearer {
  readonly mechanism: 'oauthbearer';
  readonly scope: string;
}

interface SaslCredentials<M extends string> {
  readonly mechanism: M;
  readonly username: string;
  readonly password: string;
}

const saslMechanisms = ['plain', 'scram-sha-256', 'scram-sha-512', 'oauthbearer'] as const;

function kafkaConnectionFromEnv(env: NodeJS.ProcessEnv, brokers: readonly string[]): KafkaConnection {
  const mechanism = env['KAFKA_SASL_MECHANISM']?.toLowerCase();
  const ssl = env['KAFKA_SSL'] === 'true';
  if (mechanism === undefined || mechanism === '') return ssl ? { ssl } : {};
  const known = saslMechanisms.find((m) => m === mechanism);
  if (known === 'oauthbearer') {
    // Event Hubs: the namespace's own audience, https://<namespace>.servicebus.windows.net/.default.
    const host = brokers[0]?.replace(/:\d+$/, '') ?? '';
    const scope = env['KAFKA_OAUTH_SCOPE']?.trim() || `https://${host}/.default`;
    return { ssl, sasl: { mechanism: known, scope } };
  }
  if (known === undefined)
    throw new Error(`KAFKA_SASL_MECHANISM must be one of ${saslMechanisms.join(', ')}, got '${mechanism}'`);
  const username = env['KAFKA_SASL_USERNAME'];
  const password = env['KAFKA_SASL_PASSWORD'];
  if (username === undefined || password === undefined)
    throw new Error('KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD are required with KAFKA_SASL_MECHANISM');
  return { ssl, sasl: { mechanism: known, username, password } as KafkaConnection['sasl'] };
}

function cosmosAuthFromEnv(env: NodeJS.ProcessEnv): CosmosAuth {
  const auth = env['COSMOS_AUTH'] ?? 'key';
  if (auth === 'identity') {
    if (env['COSMOS_KEY'] !== undefined && env['COSMOS_KEY'] !== '')
      throw new Error('COSMOS_KEY must not be set with COSMOS_AUTH=identity: which one is meant?');
    return { kind: 'identity' };
  }
  if (auth !== 'key') throw new Error(`COSMOS_AUTH must be key or identity, got '${auth}'`);
  const key = env['COSMOS_KEY']?.trim() ?? '';
  if (key === '')
    throw new Error(
      'COSMOS_KEY is required in distributed mode, unless COSMOS_AUTH=identity signs in with Entra ID',
    );
  return { kind: 'key', key };
}

/** True when the environment asks for the distributed mode (`DURABLE_MODE=distributed`). */
export function isDistributed(env: NodeJS.ProcessEnv): boolean {
  return env['DURABLE_MODE'] === 'distributed';
}

/** Reads a distributed app's settings from the environment, refusing bad or missing values with a reason. */
export function distributedConfigFromEnv(
  env: NodeJS.ProcessEnv,
  cwd: string,
  defaultPort: number,
): DistributedConfig {
  const int = (name: string, fallback: number, min: number, max: number): number => {
    const raw = env[name];
    if (raw === undefined || raw === '') return fallback;
    const value = Number(raw);
    if (!Number.isInteger(value) || value < min || value > max)
      throw new Error(`${name} must be an integer from ${min} to ${max}, got '${raw}'`);
    return value;
  };
  const required = (name: string): string => {
    const value = env[name];
    if (value === undefined || value.trim() === '')
      throw new Error(`${name} is required in distributed mode`);
    return value.trim();
  };
  const level = env['DURABLE_LOG_LEVEL'] ?? 'info';
  if (!['debug', 'info', 'warn', 'error'].includes(level))
    throw new Error(`DURABLE_LOG_LEVEL must be debug, info, warn or error, got '${level}'`);
  const taskHubs = taskHubsFromEnv(env);
  const partitions = int('PARTITION_COUNT', 12, 1, 1024);
  const brokers = required('KAFKA_BROKERS')
    .split(',')
    .map((b) => b.trim())
    .filter((b) => b !== '');
  for (const broker of brokers)
    if (!/^[^:\s]+:\d+$/.test(broker))
      throw new Error(`KAFKA_BROKERS entries must be host:port, got '${broker}'`);
  const endpoint = required('COSMOS_ENDPOINT');
  if (!/^https?:\/\//.test(endpoint))
    throw new Error(`COSMOS_ENDPOINT must be an http(s) URL, got '${endpoint}'`);
  return {
    port: int('PORT', defaultPort, 0, 65535),
    host: env['HOST'] ?? '127.0.0.1',
    kafkaBrokers: brokers,
    kafkaConnection: kafkaConnectionFromEnv(env, brokers),
    hub: taskHubs.defaultHub,
    taskHubs,
    partitions,
    activityPartitions: int('ACTIVITY_PARTITION_COUNT', partitions, 1, 1024),
    cosmos: {
      endpoint,
      auth: cosmosAuthFromEnv(env),
      databaseId: env['COSMOS_DATABASE'] ?? 'durable',
      allowSelfSignedCertificate: env['COSMOS_ALLOW_SELF_SIGNED'] === 'true',
    },
    appModule:
      env['DURABLE_APP'] === undefined || env['DURABLE_APP'] === ''
        ? undefined
        : resolve(cwd, env['DURABLE_APP']),
    maxPayloadBytes: int('MAX_PAYLOAD_BYTES', 1024 * 1024, 1, 64 * 1024 * 1024),
    triggers: env['KAFKA_TRIGGERS'] ?? '',
    activityConcurrency: int('ACTIVITY_CONCURRENCY', 100, 1, 10_000),
    batchLingerMs: int('BATCH_LINGER_MS', 10, 0, 1000),
    logLevel: level as DistributedConfig['logLevel'],
    retention: retentionFromEnv(env),
    versioning: versioningFromEnv(env),
  };
}
