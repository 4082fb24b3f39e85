import {
  DurableError,
  InvalidArgumentError,
  OrchestratorNotRegisteredError,
  type EntityId,
} from '@durable/core';
import {
  describeSchedule,
  parseScheduleOptions,
  scheduleEntityName,
  ScheduleOperation,
  updateScheduleSpec,
  validateScheduleId,
  type ScheduleDescription,
  type ScheduleOptions,
  type ScheduleState,
  type ScheduleUpdate,
} from '@durable/schedules';
import type { InstanceService } from './instance-service';

export class ScheduleNotFoundError extends DurableError {
  override readonly name = 'ScheduleNotFoundError';
  readonly retriable = false;
  constructor(readonly scheduleId: string) {
    super(`no schedule with id '${scheduleId}'`);
  }
}

export class ScheduleAlreadyExistsError extends DurableError {
  override readonly name = 'ScheduleAlreadyExistsError';
  readonly retriable = false;
  constructor(readonly scheduleId: string) {
    super(`a schedule with id '${scheduleId}' already exists`);
  }
}

export interface ScheduleQuery {
  /** Only schedules whose id starts with this text. */
  readonly idPrefix?: string;
  /** 1..1000 (default 100). */
  readonly pageSize?: number;
  readonly continuationToken?: string;
}

export interface SchedulePage {
  readonly schedules: readonly ScheduleDescription[];
  readonly continuationToken?: string;
}

/**
 * Schedules over the instance service: each is the schedule entity `@$schedule@<id>`, so a change
 * is a signal to it, applied in order in its partition. A create is accepted (and checked) here and
 * visible to `get` once the partition has applied it, as an entity's state is.
 */
export class ScheduleClient {
  constructor(private readonly instances: InstanceService) {}

  /** InvalidArgumentError for a bad spec, OrchestratorNotRegisteredError, ScheduleAlreadyExistsError. */
  async create(scheduleId: string, options: ScheduleOptions): Promise<void> {
    validateScheduleId(scheduleId);
    const spec = parseScheduleOptions(options);
    this.checkOrchestration(spec.orchestrationName);
    if ((await this.get(scheduleId)) !== undefined) throw new ScheduleAlreadyExistsError(scheduleId);
    await this.signal(scheduleId, ScheduleOperation.Create, spec);
  }

  async get(scheduleId: string): Promise<ScheduleDescription | undefined> {
    const state = await this.state(scheduleId);
    return state === undefined ? undefined : describeSchedule(state);
  }

  async list(query: ScheduleQuery = {}): Promise<SchedulePage> {
    const page = await this.instances.queryEntities({
      name: scheduleEntityName,
      includeState: true,
      ...(query.idPrefix !== undefined ? { keyPrefix: query.idPrefix } : {}),
      ...(query.pageSize !== undefined ? { pageSize: query.pageSize } : {}),
      ...(query.continuationToken !== undefined ? { continuationToken: query.continuationToken } : {}),
    });
    return {
      schedules: page.entities
        .filter((entity) => entity.state !== undefined)
        .map((entity) => describeSchedule(JSON.parse(entity.state as string) as ScheduleState)),
      ...(page.continuationToken !== undefined ? { continuationToken: page.continuationToken } : {}),
    };
  }

  /** Changes the fields given (`null` removes an optional one); the next tick is planned anew. */
  async update(scheduleId: string, options: ScheduleUpdate): Promise<void> {
    const state = await this.existing(scheduleId);
    const spec = updateScheduleSpec(state.spec, options);
    this.checkOrchestration(spec.orchestrationName);
    await this.signal(scheduleId, ScheduleOperation.Update, options);
  }

  /** No tick starts anything until `resume`; ticks missed meanwhile are not caught up. */
  async pause(scheduleId: string): Promise<void> {
    await this.existing(scheduleId);
    await this.signal(scheduleId, ScheduleOperation.Pause);
  }

  async resume(scheduleId: string): Promise<void> {
    await this.existing(scheduleId);
    await this.signal(scheduleId, ScheduleOperation.Resume);
  }

  /** Removes the schedule; orchestrations it started are left as they are. */
  async delete(scheduleId: string): Promise<void> {
    await this.existing(scheduleId);
    await this.signal(scheduleId, ScheduleOperation.Delete);
  }

  private async state(scheduleId: string): Promise<ScheduleState | undefined> {
    validateScheduleId(scheduleId);
    const entity = await this.instances.getEntity(entityOf(scheduleId), { includeState: true });
    return entity?.exists === true && entity.state !== undefined
      ? (JSON.parse(entity.state) as ScheduleState)
      : undefined;
  }

  private async existing(scheduleId: string): Promise<ScheduleState> {
    const state = await this.state(scheduleId);
    if (state === undefined) throw new ScheduleNotFoundError(scheduleId);
    return state;
  }

  private checkOrchestration(name: string): void {
    if (!this.instances.orchestrationNames().includes(name)) throw new OrchestratorNotRegisteredError(name);
  }

  private async signal(scheduleId: string, operation: string, input?: unknown): Promise<void> {
    let text: string | undefined;
    try {
      text = input === undefined ? undefined : JSON.stringify(input);
    } catch (error) {
      throw new InvalidArgumentError(`the schedule cannot be serialized: ${String(error)}`);
    }
    await this.instances.signalEntity(entityOf(scheduleId), operation, text);
  }
}

function entityOf(scheduleId: string): EntityId {
  return { name: scheduleEntityName, key: scheduleId };
}
