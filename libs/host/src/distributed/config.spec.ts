import { join } from 'node:path';
import { distributedConfigFromEnv, isDistributed } from './config';

const minimal = {
  KAFKA_BROKERS: 'kafka-1:9092, kafka-2:9092',
  COSMOS_ENDPOINT: 'https://acct.documents.azure.com:443/',
  COSMOS_KEY: 'secret',
};

describe('distributed settings from the environment', () => {
  it('reads the required settings and defaults the rest', () => {
    expect(distributedConfigFromEnv(minimal, '/srv/app', 7072)).toEqual({
      port: 7072,
      host: '127.0.0.1',
      kafkaBrokers: ['kafka-1:9092', 'kafka-2:9092'],
      kafkaConnection: {},
      hub: 'durable',
      taskHubs: { defaultHub: 'durable', hubs: ['durable'] },
      partitions: 12,
      activityPartitions: 12,
      cosmos: {
        endpoint: 'https://acct.documents.azure.com:443/',
        auth: { kind: 'key', key: 'secret' },
        databaseId: 'durable',
        allowSelfSignedCertificate: false,
      },
      appModule: undefined,
      maxPayloadBytes: 1024 * 1024,
      triggers: '',
      activityConcurrency: 100,
      batchLingerMs: 10,
      logLevel: 'info',
      retention: undefined,
    });
  });

  it('takes the hub, partition counts, app module and triggers', () => {
    const config = distributedConfigFromEnv(
      {
        ...minimal,
        TASK_HUB: 'orders',
        PARTITION_COUNT: '32',
        ACTIVITY_PARTITION_COUNT: '8',
        DURABLE_APP: 'app.js',
        KAFKA_TRIGGERS: 'in=Start',
        COSMOS_ALLOW_SELF_SIGNED: 'true',
      },
      '/srv',
      0,
    );
    expect(config).toMatchObject({
      hub: 'orders',
      partitions: 32,
      activityPartitions: 8,
      appModule: join('/srv', 'app.js'),
      triggers: 'in=Start',
      cosmos: { allowSelfSignedCertificate: true },
    });
  });

  it('reads TLS and SASL credentials for managed Kafka', () => {
    const config = distributedConfigFromEnv(
      {
        ...minimal,
        KAFKA_SSL: 'true',
        KAFKA_SASL_MECHANISM: 'PLAIN',
        KAFKA_SASL_USERNAME: '$ConnectionString',
        KAFKA_SASL_PASSWORD: 'Endpoint=sb://x/',
      },
      '/srv',
      0,
    );
    expect(config.kafkaConnection).toEqual({
      ssl: true,
      sasl: { mechanism: 'plain', username: '$ConnectionString', password: 'Endpoint=sb://x/' },
    });
  });

  it('signs in to Cosmos DB and Event Hubs with Entra ID when asked to, with no key or password', () => {
    const config = distributedConfigFromEnv(
      {
        ...minimal,
        KAFKA_BROKERS: 'orders-ns.servicebus.windows.net:9093',
        KAFKA_SSL: 'true',
        KAFKA_SASL_MECHANISM: 'OAUTHBEARER',
        COSMOS_AUTH: 'identity',
        COSMOS_KEY: undefined,
      },
      '/srv',
      0,
    );
    expect(config.cosmos.auth).toEqual({ kind: 'identity' });
    expect(config.kafkaConnection).toEqual({
      ssl: true,
      sasl: { mechanism: 'oauthbearer', scope: 'https://orders-ns.servicebus.windows.net/.default' },
    });
    const scoped = distributedConfigFromEnv(
      { ...minimal, KAFKA_SASL_MECHANISM: 'oauthbearer', KAFKA_OAUTH_SCOPE: 'api://kafka/.default' },
      '/srv',
      0,
    );
    expect(scoped.kafkaConnection.sasl).toEqual({ mechanism: 'oauthbearer', scope: 'api://kafka/.default' });
  });

  it.each([
    [{ COSMOS_AUTH: 'identity' }, 'COSMOS_KEY must not be set with COSMOS_AUTH=identity'],
    [{ COSMOS_AUTH: 'aad' }, "COSMOS_AUTH must be key or identity, got 'aad'"],
    [{ KAFKA_BROKERS: undefined }, 'KAFKA_BROKERS is required in distributed mode'],
    [{ KAFKA_BROKERS: 'no-port' }, "KAFKA_BROKERS entries must be host:port, got 'no-port'"],
    [{ COSMOS_KEY: ' ' }, 'COSMOS_KEY is required in distributed mode, unless COSMOS_AUTH=identity'],
    [{ COSMOS_ENDPOINT: 'acct.documents.azure.com' }, 'COSMOS_ENDPOINT must be an http(s) URL'],
    [{ TASK_HUB: 'my hub' }, 'TASK_HUB must be letters, digits and dashes'],
    [{ PARTITION_COUNT: '0' }, "PARTITION_COUNT must be an integer from 1 to 1024, got '0'"],
    [
      { KAFKA_SASL_MECHANISM: 'gssapi' },
      'KAFKA_SASL_MECHANISM must be one of plain, scram-sha-256, scram-sha-512, oauthbearer',
    ],
    [{ KAFKA_SASL_MECHANISM: 'plain' }, 'KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD are required'],
    [{ DURABLE_LOG_LEVEL: 'loud' }, "DURABLE_LOG_LEVEL must be debug, info, warn or error, got 'loud'"],
  ])('refuses %j with a reason', (override, message) => {
    expect(() => distributedConfigFromEnv({ ...minimal, ...override }, '/srv', 0)).toThrow(message);
  });

  it('is chosen by DURABLE_MODE=distributed only', () => {
    expect(isDistributed({ DURABLE_MODE: 'distributed' })).toBe(true);
    expect(isDistributed({ KAFKA_BROKERS: 'k:1' })).toBe(false);
  });
});
