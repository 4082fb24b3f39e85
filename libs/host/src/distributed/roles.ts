import { DurableError } from '@durable/core';
import type { Logger, Registry } from '@durable/engine';
import type { KafkaLog } from '@durable/log-kafka';
import { retentionOff, type RetentionControl } from '@durable/retention';
import { ActivityWorker, InstanceClient, OrchestrationWorker } from '@durable/runtime';
import type { CosmosStateStore } from '@durable/storage-cosmos';
import { withBuiltIns } from '../built-ins';
import { randomIds, systemClock } from '../embedded/system-ports';
import { remoteWorkFromEnv, routedActivities, routedEntities, routedExecutor } from '../grpc/remote-workers';
import { startRetention } from '../retention/retention-loop';
import type { DistributedConfig } from './config';
import { cosmosSignIn, kafkaClientSettings } from './credentials';

/** A running part of the distributed product, stopped gracefully on shutdown. */
export interface Role {
  stop(): Promise<void>;
  /** False while the role cannot do its work (its group consumer crashed and has not rejoined). */
  ready?(): boolean;
}

export const orchestrationWorkersGroup = 'orchestration-workers';
export const activityWorkersGroup = 'activity-workers';

/** Retries a connection while the broker or the store is still starting (containers start in any order). */
async function connect<T>(
  what: string,
  logger: Logger,
  open: () => Promise<T>,
  timeoutMs = 120_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (let attempt = 1; ; attempt++) {
    try {
      return await open();
    } catch (error) {
      // Bad settings (a wrong partition count, a missing trigger topic) will not fix themselves.
      if (error instanceof DurableError && !error.retriable) throw error;
      if (Date.now() > deadline) throw error;
      logger.warn(`${what} is not reachable yet; retrying`, { attempt, error: String(error) });
      await new Promise((resolve) => setTimeout(resolve, Math.min(250 * attempt, 3000)));
    }
  }
}

// The vendor clients load only in distributed mode, so the embedded product does not carry them.
export async function openLog(
  config: DistributedConfig,
  logger: Logger,
  clientId: string,
): Promise<KafkaLog> {
  const { KafkaLog } = await import('@durable/log-kafka');
  return connect('Kafka', logger, () =>
    KafkaLog.open({
      brokers: config.kafkaBrokers,
      hub: config.hub,
      partitions: config.partitions,
      activityPartitions: config.activityPartitions,
      clientId,
      logger,
      kafka: kafkaClientSettings(config.kafkaConnection),
    }),
  );
}

export async function openStore(config: DistributedConfig, logger: Logger): Promise<CosmosStateStore> {
  const { CosmosStateStore } = await import('@durable/storage-cosmos');
  const signIn = await cosmosSignIn(config.cosmos.auth);
  return connect('Cosmos DB', logger, () =>
    CosmosStateStore.open({
      endpoint: config.cosmos.endpoint,
      ...signIn,
      databaseId: config.cosmos.databaseId,
      hub: config.hub,
      allowSelfSignedCertificate: config.cosmos.allowSelfSignedCertificate,
    }),
  );
}

/** Joins the orchestration workers' group and processes the partitions it is given. */
export async function startOrchestrationWorker(
  config: DistributedConfig,
  registry: Registry,
  logger: Logger,
): Promise<Role> {
  withBuiltIns(registry);
  const log = await openLog(config, logger, 'durable-orchestration-worker');
  const store = await openStore(config, logger);
  const remote = remoteWorkFromEnv(process.env, config.hub);
  const worker = new OrchestrationWorker({
    log,
    store,
    executor: routedExecutor(registry, logger, remote, config.versioning),
    ...routedEntities(registry, logger, remote),
    clock: systemClock,
    idSource: randomIds,
    logger,
    group: orchestrationWorkersGroup,
    batchLingerMs: config.batchLingerMs,
    // Frontends wake the callers waiting for these instances.
    onFinished: (instanceId) => log.announceFinished(instanceId),
  });
  await worker.start();
  return {
    ready: () => log.inGroups,
    // Leaving the group revokes every partition: processors finish their batch and stop first.
    stop: async () => {
      await worker.stop();
      remote?.close();
      await log.close();
      await store.close();
    },
  };
}

/** Joins the activity workers' group and runs the activities of the partitions it is given. */
export async function startActivityWorker(
  config: DistributedConfig,
  registry: Registry,
  logger: Logger,
): Promise<Role> {
  const log = await openLog(config, logger, 'durable-activity-worker');
  const remote = remoteWorkFromEnv(process.env, config.hub);
  const worker = new ActivityWorker({
    log,
    registry,
    clock: systemClock,
    logger,
    group: activityWorkersGroup,
    concurrency: config.activityConcurrency,
    ...routedActivities(registry, logger, remote),
  });
  await worker.start();
  return {
    ready: () => log.inGroups,
    stop: async () => {
      await worker.stop();
      remote?.close();
      await log.close();
    },
  };
}

/** The frontend's instance client over Kafka and Cosmos DB, the Kafka trigger consumer, and retention. */
export async function startFrontend(
  config: DistributedConfig,
  registry: Registry,
  logger: Logger,
): Promise<Role & { client: InstanceClient; retention: RetentionControl }> {
  withBuiltIns(registry);
  const { KafkaTriggerConsumer, parseTriggerConfig } = await import('@durable/triggers-kafka');
  const triggers = parseTriggerConfig(config.triggers);
  const log = await openLog(config, logger, 'durable-frontend');
  const store = await openStore(config, logger);
  const client = new InstanceClient({
    log,
    store,
    clock: systemClock,
    idSource: randomIds,
    orchestrationNames: () => registry.orchestratorNames,
    entityNames: () => registry.entityNames,
    entityOperations: (name) => registry.getEntity(name)?.operations,
    orchestrationGroup: orchestrationWorkersGroup,
    maxPayloadBytes: config.maxPayloadBytes,
    finishNotifications: true,
  });
  await log.followFinished((instanceId) => client.notifyFinished(instanceId));
  const consumer =
    triggers.length === 0
      ? undefined
      : await connect('Kafka', logger, () =>
          KafkaTriggerConsumer.start({
            brokers: [...config.kafkaBrokers],
            clientId: 'durable-triggers',
            groupId: `${config.hub}.triggers`,
            triggers,
            deadLetterTopic: `${config.hub}.dead-letters`,
            maxPayloadBytes: config.maxPayloadBytes,
            target: client,
            logger,
            connection: kafkaClientSettings(config.kafkaConnection),
          }),
        );
  const retention =
    config.retention === undefined ? undefined : startRetention(store, config.retention, logger);
  return {
    client,
    retention: retention ?? retentionOff,
    stop: async () => {
      await retention?.stop();
      await consumer?.stop();
      await log.close();
      await store.close();
    },
  };
}
