// The distributed product on this machine: a real Kafka broker, the Cosmos DB protocol server, and
// the apps as separate processes. Used by the distributed tests, the benchmark and `npm run infra:up`.
import { randomUUID } from 'node:crypto';
import { Kafka, logLevel } from 'kafkajs';
import { ensureAppBuilt, installUserApp } from './app-build';
import { AppProcess, type AppName } from './app-process';
import { cosmosTestKey, CosmosServer, CosmosServerProcess, type CosmosEndpoint } from './cosmos-server';
import { KafkaBroker } from './kafka-broker';

const appNames: readonly AppName[] = ['frontend', 'orchestration-worker', 'activity-worker'];

export interface ClusterOptions {
  /** Start the frontend app too (default true); benchmarks drive an in-process client instead. */
  readonly frontend?: boolean;
  readonly orchestrationWorkers?: number;
  readonly activityWorkers?: number;
  readonly partitions?: number;
  /** Topics to create before the apps start (Kafka trigger topics), with 3 partitions each. */
  readonly topics?: readonly string[];
  /** Extra environment for every app (KAFKA_TRIGGERS, ...). */
  readonly env?: Record<string, string>;
  /**
   * A one-file user app module (TypeScript or JavaScript) to run instead of the samples: compiled
   * into each app's build output as a user would put it into the image, and given as DURABLE_APP.
   */
  readonly app?: string;
  /** Run the Cosmos DB server in a process of its own (benchmarks meter it apart); default in process. */
  readonly cosmosProcess?: boolean;
}

export class DistributedCluster {
  readonly frontend: AppProcess;
  readonly orchestrationWorkers: AppProcess[];
  readonly activityWorkers: AppProcess[];

  private constructor(
    readonly broker: KafkaBroker,
    readonly cosmos: CosmosEndpoint,
    readonly env: Record<string, string>,
    private readonly options: ClusterOptions,
  ) {
    const app = (name: AppName, label: string) =>
      new AppProcess(
        name,
        options.app === undefined ? env : { ...env, DURABLE_APP: installUserApp(name, options.app) },
        label,
      );
    this.frontend = app('frontend', 'frontend');
    this.orchestrationWorkers = Array.from({ length: options.orchestrationWorkers ?? 2 }, (_, i) =>
      app('orchestration-worker', `orchestration-worker-${i + 1}`),
    );
    this.activityWorkers = Array.from({ length: options.activityWorkers ?? 2 }, (_, i) =>
      app('activity-worker', `activity-worker-${i + 1}`),
    );
  }

  /**
   * Builds the apps whose output is stale (never later: a restarted app runs the same build), starts
   * the servers, then the apps (workers first, so the frontend's first start finds them).
   */
  static async start(options: ClusterOptions = {}): Promise<DistributedCluster> {
    for (const app of appNames) if (app !== 'frontend' || options.frontend !== false) ensureAppBuilt(app);
    const [broker, cosmos] = await Promise.all([
      KafkaBroker.start(),
      options.cosmosProcess === true ? CosmosServerProcess.start() : CosmosServer.start(),
    ]);
    if (options.topics !== undefined && options.topics.length > 0) {
      const admin = new Kafka({ brokers: [broker.brokers], logLevel: logLevel.NOTHING }).admin();
      await admin.connect();
      await admin.createTopics({
        topics: options.topics.map((topic) => ({ topic, numPartitions: 3 })),
        waitForLeaders: true,
      });
      await admin.disconnect();
    }
    const env = DistributedCluster.environment(broker, cosmos, options);
    const cluster = new DistributedCluster(broker, cosmos, env, options);
    try {
      await Promise.all([...cluster.orchestrationWorkers, ...cluster.activityWorkers].map((p) => p.start()));
      if (cluster.withFrontend) await cluster.frontend.start();
    } catch (error) {
      await cluster.stop();
      throw error;
    }
    return cluster;
  }

  static environment(
    broker: KafkaBroker,
    cosmos: CosmosEndpoint,
    options: ClusterOptions,
  ): Record<string, string> {
    return {
      DURABLE_MODE: 'distributed',
      KAFKA_BROKERS: broker.brokers,
      COSMOS_ENDPOINT: cosmos.endpoint,
      COSMOS_KEY: cosmosTestKey,
      COSMOS_ALLOW_SELF_SIGNED: 'true',
      TASK_HUB: `hub-${randomUUID().slice(0, 8)}`,
      PARTITION_COUNT: String(options.partitions ?? 8),
      DURABLE_LOG_LEVEL: 'warn',
      ...options.env,
    };
  }

  get apps(): AppProcess[] {
    return [
      ...(this.withFrontend ? [this.frontend] : []),
      ...this.orchestrationWorkers,
      ...this.activityWorkers,
    ];
  }

  private get withFrontend(): boolean {
    return this.options.frontend !== false;
  }

  /** Everything the apps logged, labelled, for failure messages. */
  logs(): string {
    return this.apps.map((a) => `--- ${a.label}\n${a.logs.slice(-5000)}`).join('\n');
  }

  async stop(): Promise<void> {
    await Promise.all(this.apps.map((a) => a.stop().catch(() => undefined)));
    await this.broker.stop();
    await this.cosmos.stop();
  }
}
