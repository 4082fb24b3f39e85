import {
  type TraceContext,
  entityId,
  entityInstanceId,
  EntityNotRegisteredError,
  InvalidArgumentError,
  isTerminalStatus,
  newEvent,
  parseEntityInstanceId,
  toTimestamp,
  type Clock,
  type EntityId,
  type IdSource,
} from '@durable/core';
import { checkOperationName } from '@durable/engine';
import { Stream, type PartitionedLog } from '@durable/log';
import type { InstanceRecord, StateStore } from '@durable/storage';
import { deleteOperation } from './entity-episode';
import type { EntityMetadata, EntityPage, EntityQuery, CleanEntityStorageResult } from './instance-service';
import { instanceMessage, type InstanceMessage } from './messages';

export interface EntityClientDeps {
  readonly log: PartitionedLog;
  readonly store: StateStore;
  readonly clock: Clock;
  readonly idSource: IdSource;
  /** Entities that can be signalled; undefined accepts any name. */
  readonly entityNames?: () => readonly string[];
  /** The operations of a class-style entity (so that others are refused); undefined when any may exist. */
  readonly entityOperations?: (name: string) => readonly string[] | undefined;
  readonly checkPayload: (text: string | undefined, what: string) => void;
}

/** Signals, reads, queries and cleans durable entities for clients (REST, gRPC, SDK). */
export class EntityClient {
  constructor(private readonly deps: EntityClientDeps) {}

  async signal(
    entity: EntityId,
    operation: string,
    input?: string,
    options: { scheduledTime?: Date; remote?: boolean; traceContext?: TraceContext } = {},
  ): Promise<void> {
    const id = options.remote === true ? entityInstanceId(entity) : this.known(entity);
    checkOperationName(operation);
    const operations = this.deps.entityOperations?.(entity.name.toLowerCase());
    if (operations !== undefined && !operations.some((o) => o.toLowerCase() === operation.toLowerCase())) {
      throw new InvalidArgumentError(
        `entity '${entity.name}' has no operation '${operation}' (it has: ${operations.join(', ')})`,
      );
    }
    this.deps.checkPayload(input, 'operation input');
    const scheduled = options.scheduledTime;
    if (scheduled !== undefined && !Number.isFinite(scheduled.getTime()))
      throw new InvalidArgumentError('scheduledTime is not a valid date');
    await this.send(id, operation, input, scheduled, options.traceContext?.traceParent);
  }

  /** Removes the entity's state (it runs no entity code); queued operations still run afterwards. */
  async delete(entity: EntityId): Promise<void> {
    await this.send(this.known(entity), deleteOperation, undefined, undefined);
  }

  async get(entity: EntityId, options: { includeState?: boolean } = {}): Promise<EntityMetadata | undefined> {
    const id = entityInstanceId(entity);
    const record = (await this.deps.store.getInstance(id))?.record;
    if (record?.entity?.state === undefined) return undefined;
    return metadataOf(record, options.includeState ?? true);
  }

  async query(query: EntityQuery = {}): Promise<EntityPage> {
    const pageSize = query.pageSize ?? 100;
    if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > 1000)
      throw new InvalidArgumentError('page size must be an integer from 1 to 1000');
    if (query.name !== undefined) entityId(query.name, 'key');
    if (query.name !== undefined && query.namePrefix !== undefined)
      throw new InvalidArgumentError('give an entity name or a name prefix, not both');
    if (query.keyPrefix !== undefined && query.name === undefined)
      throw new InvalidArgumentError('a key prefix needs an entity name');
    const prefix =
      query.name !== undefined
        ? `@${query.name.toLowerCase()}@${query.keyPrefix ?? ''}`
        : `@${(query.namePrefix ?? '').toLowerCase()}`;
    const page = await this.deps.store.listInstances({
      kind: 'entity',
      pageSize,
      instanceIdPrefix: prefix,
      ...(query.lastModifiedFrom !== undefined ? { updatedFrom: query.lastModifiedFrom.getTime() } : {}),
      ...(query.lastModifiedTo !== undefined ? { updatedTo: query.lastModifiedTo.getTime() } : {}),
      ...(query.continuationToken !== undefined ? { continuationToken: query.continuationToken } : {}),
    });
    const entities = page.records
      .filter((r) => query.includeDeleted === true || r.entity?.state !== undefined)
      .map((r) => metadataOf(r, query.includeState ?? false));
    return {
      entities,
      ...(page.continuationToken !== undefined ? { continuationToken: page.continuationToken } : {}),
    };
  }

  /**
   * Releases locks held by orchestrations that have ended or are gone, and deletes documents of
   * entities that have no state, no lock and nothing waiting.
   */
  async clean(options: {
    removeEmptyEntities: boolean;
    releaseOrphanedLocks: boolean;
  }): Promise<CleanEntityStorageResult> {
    let emptyEntitiesRemoved = 0;
    let orphanedLocksReleased = 0;
    let token: string | undefined;
    do {
      const page = await this.deps.store.listInstances({
        kind: 'entity',
        pageSize: 500,
        ...(token !== undefined ? { continuationToken: token } : {}),
      });
      token = page.continuationToken;
      for (const record of page.records) {
        const doc = record.entity;
        if (doc === undefined) continue;
        if (options.releaseOrphanedLocks && doc.lockedBy !== undefined) {
          const holder = (await this.deps.store.getInstance(doc.lockedBy.parentInstanceId))?.record;
          const ended =
            holder === undefined ||
            isTerminalStatus(holder.status) ||
            (doc.lockedBy.parentExecutionId !== undefined &&
              holder.executionId !== doc.lockedBy.parentExecutionId);
          if (ended) {
            await this.deps.log.append([
              this.message({
                instanceId: record.instanceId,
                event: newEvent('EntityUnlockSent', this.now(), {
                  criticalSectionId: doc.lockedBy.criticalSectionId,
                  parentInstanceId: doc.lockedBy.parentInstanceId,
                  targetInstanceId: record.instanceId,
                }),
              }),
            ]);
            orphanedLocksReleased++;
          }
        }
        const empty =
          doc.state === undefined &&
          doc.lockedBy === undefined &&
          doc.queue.length === 0 &&
          doc.scheduled.length === 0;
        if (options.removeEmptyEntities && empty) {
          // Only if nothing changed it since it was read: the delete is conditional on its etag.
          const current = await this.deps.store.getInstance(record.instanceId);
          if (current !== undefined && current.record.updatedAt === record.updatedAt) {
            if (await this.deps.store.deleteInstance(record.instanceId, current.etag)) emptyEntitiesRemoved++;
          }
        }
      }
    } while (token !== undefined);
    return { emptyEntitiesRemoved, orphanedLocksReleased };
  }

  private known(entity: EntityId): string {
    const id = entityInstanceId(entity);
    const names = this.deps.entityNames?.();
    if (names !== undefined && !names.includes(entity.name.toLowerCase()))
      throw new EntityNotRegisteredError(entity.name);
    return id;
  }

  private async send(
    instanceId: string,
    operation: string,
    input: string | undefined,
    at: Date | undefined,
    /** The client's span: the parent of the operation's run. */
    traceParent?: string,
  ) {
    await this.deps.log.append([
      this.message({
        instanceId,
        ...(traceParent !== undefined ? { traceParent } : {}),
        event: newEvent('EntityOperationSignaled', this.now(), {
          requestId: this.deps.idSource.newId(),
          operation,
          targetInstanceId: instanceId,
          ...(input !== undefined ? { input } : {}),
          ...(at !== undefined ? { scheduledTime: toTimestamp(at.getTime()) } : {}),
        }),
      }),
    ]);
  }

  private message(message: InstanceMessage) {
    return instanceMessage(message, this.deps.log.partitionCount(Stream.Orchestrations));
  }

  private now(): string {
    return toTimestamp(this.deps.clock.now());
  }
}

function metadataOf(record: InstanceRecord, includeState: boolean): EntityMetadata {
  const doc = record.entity;
  return {
    entityId: parseEntityInstanceId(record.instanceId),
    instanceId: record.instanceId,
    lastModifiedTime: toTimestamp(record.updatedAt),
    exists: doc?.state !== undefined,
    ...(includeState && doc?.state !== undefined ? { state: doc.state } : {}),
    ...(doc?.lockedBy !== undefined ? { lockedBy: doc.lockedBy.parentInstanceId } : {}),
    backlogQueueSize: doc?.queue.length ?? 0,
    scheduledSignals: doc?.scheduled.length ?? 0,
  };
}
