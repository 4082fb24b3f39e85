import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import {
  OrchestrationExecutor,
  silentLogger,
  type EpisodeExecutor,
  type Logger,
  type Registry,
  type VersioningOptions,
} from '@durable/engine';
import { routingActivityRunner, RoutingEntityRunner, RoutingExecutor, type RemoteWork } from '@durable/grpc';
import { SqliteLog } from '@durable/log-sqlite';
import { SqliteDatabase } from '@durable/sqlite';
import { retentionOff, type RetentionControl, type RetentionSettings } from '@durable/retention';
import { ActivityWorker, InstanceClient, OrchestrationWorker, type FaultHook } from '@durable/runtime';
import { SqliteStateStore } from '@durable/storage-sqlite';
import { withBuiltIns } from '../built-ins';
import { startRetention, type RetentionLoop } from '../retention/retention-loop';
import { SqliteBatchCommitter } from './sqlite-batch-committer';
import { randomIds, systemClock } from './system-ports';

const orchestrationGroup = 'orchestration-workers';

export interface EmbeddedOptions {
  /** Where the SQLite files live (`DURABLE_DATA_DIR`, default `./.durable`). */
  readonly dataDir: string;
  readonly registry: Registry;
  /** Partitions of the orchestrations stream (`PARTITION_COUNT`, default 12); fixed once data exists. */
  readonly partitions?: number;
  readonly logger?: Logger;
  readonly maxPayloadBytes?: number;
  readonly activityConcurrency?: number;
  /**
   * Commit a batch's state, outbox and offset in one transaction (default true). False runs the
   * three-step protocol the distributed mode uses, so tests can break it between steps.
   */
  readonly atomicCommits?: boolean;
  /** Test hook: called between the steps of the commit protocol. */
  readonly faults?: FaultHook;
  /** Durability of SQLite commits: NORMAL survives process crashes (default), FULL also power loss. */
  readonly synchronous?: 'NORMAL' | 'FULL';
  /** Remote (gRPC) workers: names not registered in process run there. */
  readonly remote?: RemoteWork;
  /** How long an instance parked for want of a remote worker waits before it is tried again. */
  readonly parkedRetryMs?: number;
  /** The automatic purge of finished instances (`DURABLE_RETENTION*`); off when not given. */
  readonly retention?: RetentionSettings;
  /** Which instance versions run here, and sub-orchestrations' default version (default: all, none). */
  readonly versioning?: VersioningOptions;
}

/**
 * The whole product in one process on SQLite: an orchestration worker owning every partition, an
 * activity worker, and the instance client the frontend serves.
 */
export class EmbeddedPlatform {
  private constructor(
    readonly client: InstanceClient,
    private readonly orchestrations: OrchestrationWorker,
    private readonly activities: ActivityWorker,
    private readonly log: SqliteLog,
    private readonly store: SqliteStateStore,
    private readonly retentionLoop: RetentionLoop | undefined,
  ) {}

  /** What `/retention` shows and runs. */
  get retention(): RetentionControl {
    return this.retentionLoop ?? retentionOff;
  }

  static async start(options: EmbeddedOptions): Promise<EmbeddedPlatform> {
    mkdirSync(options.dataDir, { recursive: true });
    const partitions = options.partitions ?? 12;
    // Log and state share one database, so their writes share group commits.
    const database = new SqliteDatabase(join(options.dataDir, 'durable.db'), {
      synchronous: options.synchronous ?? 'NORMAL',
    });
    const log = new SqliteLog(database, { partitions });
    const store = new SqliteStateStore(database);
    const logger = options.logger ?? silentLogger;
    const registry = withBuiltIns(options.registry);
    const client = new InstanceClient({
      log,
      store,
      clock: systemClock,
      idSource: randomIds,
      orchestrationNames: () => registry.orchestratorNames,
      entityNames: () => registry.entityNames,
      entityOperations: (name) => registry.getEntity(name)?.operations,
      orchestrationGroup,
      finishNotifications: true,
      ...(options.maxPayloadBytes !== undefined ? { maxPayloadBytes: options.maxPayloadBytes } : {}),
    });
    const orchestrations = new OrchestrationWorker({
      log,
      store,
      executor: withRemote(
        new OrchestrationExecutor(registry, {
          logger,
          ...(options.versioning !== undefined ? { versioning: options.versioning } : {}),
        }),
        registry,
        options.remote,
      ),
      ...(options.remote !== undefined
        ? { entities: new RoutingEntityRunner(registry, options.remote, logger) }
        : {}),
      clock: systemClock,
      idSource: randomIds,
      logger,
      group: orchestrationGroup,
      ...(options.atomicCommits !== false
        ? { committer: new SqliteBatchCommitter(database, store, log) }
        : {}),
      onFinished: (instanceId) => client.notifyFinished(instanceId),
      ...(options.faults !== undefined ? { faults: options.faults } : {}),
      ...(options.parkedRetryMs !== undefined ? { parkedRetryMs: options.parkedRetryMs } : {}),
    });
    const activities = new ActivityWorker({
      log,
      registry,
      clock: systemClock,
      logger,
      group: 'activity-workers',
      ...(options.activityConcurrency !== undefined ? { concurrency: options.activityConcurrency } : {}),
      ...(options.faults !== undefined ? { faults: options.faults } : {}),
      ...(options.remote !== undefined
        ? { runActivity: routingActivityRunner(registry, options.remote, logger) }
        : {}),
    });
    await orchestrations.start();
    await activities.start();
    const retention =
      options.retention === undefined ? undefined : startRetention(store, options.retention, logger);
    return new EmbeddedPlatform(client, orchestrations, activities, log, store, retention);
  }

  get cachedInstances(): number {
    return this.orchestrations.cachedInstances;
  }

  /** Stops taking work, finishes the batches in flight, and closes the files. */
  async stop(): Promise<void> {
    await this.retentionLoop?.stop();
    await this.activities.stop();
    await this.orchestrations.stop();
    await this.log.close();
    await this.store.close();
  }
}

function withRemote(
  local: OrchestrationExecutor,
  registry: Registry,
  remote: RemoteWork | undefined,
): EpisodeExecutor {
  return remote === undefined ? local : new RoutingExecutor(registry, local, remote);
}
