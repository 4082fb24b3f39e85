// A schedule is a durable entity, as in the Durable Task Scheduler: its state holds the spec and
// the next tick, and a scheduled signal to itself wakes it. The state change and the starts it sends
// commit together in the entity's partition, and each tick's orchestration has an id of its own, so
// every tick starts once across crashes and partition moves.
import { InvalidArgumentError, toTimestamp } from '@durable/core';
import { defineEntity, type EntityContext } from '@durable/engine';
import {
  firstTickAtOrAfter,
  planTick,
  tickInstanceId,
  updateScheduleSpec,
  type ScheduleOptions,
  type ScheduleSpec,
} from './schedule';

/** The entity name schedules live under (`@$schedule@<scheduleId>`); `$` keeps it apart from users' names. */
export const scheduleEntityName = '$schedule';

export const ScheduleStatus = { Active: 'Active', Paused: 'Paused', Ended: 'Ended' } as const;
export type ScheduleStatus = (typeof ScheduleStatus)[keyof typeof ScheduleStatus];

export const ScheduleOperation = {
  Create: 'create',
  Update: 'update',
  Pause: 'pause',
  Resume: 'resume',
  Delete: 'delete',
  Tick: 'tick',
} as const;

export interface ScheduleState {
  readonly scheduleId: string;
  readonly spec: ScheduleSpec;
  readonly status: ScheduleStatus;
  /** Epoch ms; the anchor of interval ticks when the spec has no `startAt`. */
  readonly createdAt: number;
  readonly updatedAt: number;
  /** Bumped by every change of plan: a tick signal of an older generation is stale and ignored. */
  readonly generation: number;
  readonly nextTick?: number;
  readonly lastTick?: number;
  readonly lastInstanceId?: string;
  /** Orchestrations started so far. */
  readonly runs: number;
}

/** A schedule as clients see it (REST body, SDK result): times as ISO-8601 UTC, spans in ms. */
export interface ScheduleDescription {
  readonly scheduleId: string;
  readonly orchestrationName: string;
  readonly input?: unknown;
  readonly interval?: number;
  readonly cron?: string;
  readonly timeZone?: string;
  readonly startAt?: string;
  readonly endAt?: string;
  readonly catchupPolicy: ScheduleSpec['catchupPolicy'];
  readonly catchupWindow: number;
  readonly status: ScheduleStatus;
  readonly createdAt: string;
  readonly lastUpdatedAt: string;
  readonly nextRunAt?: string;
  readonly lastRunAt?: string;
  readonly lastInstanceId?: string;
  readonly runs: number;
}

export function describeSchedule(state: ScheduleState): ScheduleDescription {
  const { spec } = state;
  return {
    scheduleId: state.scheduleId,
    orchestrationName: spec.orchestrationName,
    ...(spec.input !== undefined ? { input: spec.input } : {}),
    ...(spec.interval !== undefined ? { interval: spec.interval } : {}),
    ...(spec.cron !== undefined ? { cron: spec.cron } : {}),
    ...(spec.timeZone !== undefined ? { timeZone: spec.timeZone } : {}),
    ...(spec.startAt !== undefined ? { startAt: toTimestamp(spec.startAt) } : {}),
    ...(spec.endAt !== undefined ? { endAt: toTimestamp(spec.endAt) } : {}),
    catchupPolicy: spec.catchupPolicy,
    catchupWindow: spec.catchupWindow,
    status: state.status,
    createdAt: toTimestamp(state.createdAt),
    lastUpdatedAt: toTimestamp(state.updatedAt),
    ...(state.nextTick !== undefined ? { nextRunAt: toTimestamp(state.nextTick) } : {}),
    ...(state.lastTick !== undefined ? { lastRunAt: toTimestamp(state.lastTick) } : {}),
    ...(state.lastInstanceId !== undefined ? { lastInstanceId: state.lastInstanceId } : {}),
    runs: state.runs,
  };
}

type Ctx = EntityContext<ScheduleState>;

/** Plans the next tick after `after` and signals this entity for it; Ended when none is left. */
function armed(ctx: Ctx, state: ScheduleState, after: number): ScheduleState {
  const { nextTick: _old, ...rest } = state;
  const next = firstTickAtOrAfter(state.spec, state.createdAt, after);
  if (next === undefined) return { ...rest, status: ScheduleStatus.Ended };
  wake(ctx, state.generation, next);
  return { ...rest, status: ScheduleStatus.Active, nextTick: next };
}

function wake(ctx: Ctx, generation: number, at: number): void {
  ctx.signalEntity(ctx.entityId, ScheduleOperation.Tick, { generation }, { scheduledTime: new Date(at) });
}

/** A new plan: ticks of the old one still on their way are ignored from now on. */
function replanned(state: ScheduleState, now: number): ScheduleState {
  return { ...state, generation: state.generation + 1, updatedAt: now };
}

function tick(ctx: Ctx, state: ScheduleState, now: number): void {
  if (state.nextTick === undefined) return;
  const plan = planTick(state.spec, state.createdAt, state.nextTick, now);
  // An early or repeated wake-up: the one for the next tick is still on its way.
  if (plan.starts.length === 0 && plan.nextTick === state.nextTick) return;
  let next: ScheduleState = state;
  for (const at of plan.starts) {
    const instanceId = ctx.startNewOrchestration(
      state.spec.orchestrationName,
      state.spec.input,
      tickInstanceId(state.scheduleId, at),
    );
    next = { ...next, lastTick: at, lastInstanceId: instanceId, runs: next.runs + 1 };
  }
  const { nextTick: _handled, ...rest } = next;
  if (plan.nextTick === undefined) {
    ctx.setState({ ...rest, status: ScheduleStatus.Ended, updatedAt: now });
    return;
  }
  wake(ctx, state.generation, plan.nextTick);
  ctx.setState({ ...rest, nextTick: plan.nextTick });
}

/** The schedule entity: register it (the hosts do) wherever entities run. */
export const scheduleEntity = defineEntity(scheduleEntityName, (ctx: Ctx) => {
  const now = ctx.currentUtcDateTime.getTime();
  const state = ctx.hasState ? ctx.getState() : undefined;
  switch (ctx.operationName) {
    case ScheduleOperation.Create: {
      if (state !== undefined) return; // created already: a create is not an update
      const spec = ctx.getInput<ScheduleSpec>();
      const fresh: ScheduleState = {
        scheduleId: ctx.entityId.key,
        spec: updateScheduleSpec(spec, {}),
        status: ScheduleStatus.Active,
        createdAt: now,
        updatedAt: now,
        generation: 1,
        runs: 0,
      };
      ctx.setState(armed(ctx, fresh, now + 1));
      return;
    }
    case ScheduleOperation.Update: {
      if (state === undefined) return;
      const spec = updateScheduleSpec(state.spec, ctx.getInput<ScheduleOptions>());
      const next = replanned({ ...state, spec }, now);
      const after = Math.max(now, next.lastTick ?? -Infinity) + 1;
      ctx.setState(next.status === ScheduleStatus.Paused ? next : armed(ctx, next, after));
      return;
    }
    case ScheduleOperation.Pause: {
      if (state?.status !== ScheduleStatus.Active) return;
      const { nextTick: _dropped, ...rest } = replanned(state, now);
      ctx.setState({ ...rest, status: ScheduleStatus.Paused });
      return;
    }
    case ScheduleOperation.Resume: {
      // Ticks missed while paused are not caught up: the schedule goes on from now.
      if (state?.status !== ScheduleStatus.Paused) return;
      ctx.setState(armed(ctx, replanned(state, now), now + 1));
      return;
    }
    case ScheduleOperation.Delete:
      ctx.deleteState();
      return;
    case ScheduleOperation.Tick: {
      const generation = ctx.getInput<{ generation?: unknown }>()?.generation;
      if (state?.status !== ScheduleStatus.Active || generation !== state.generation) return;
      tick(ctx, state, now);
      return;
    }
    default:
      throw new InvalidArgumentError(`a schedule has no operation '${ctx.operationName}'`);
  }
});
