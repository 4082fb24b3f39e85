import { executeEntityBatch, Registry, type EntityAction } from '@durable/engine';
import { ManualClock } from '@durable/core/testing';
import { parseScheduleOptions, type ScheduleOptions } from './schedule';
import { describeSchedule, scheduleEntity, type ScheduleState } from './schedule-entity';

const t0 = Date.parse('2026-03-01T00:00:00Z');
const instanceId = '@$schedule@reports';

/** The entity as its partition runs it: state in, one operation at the clock's time, state and actions out. */
class ScheduleHarness {
  readonly clock = new ManualClock(t0);
  private readonly registry = new Registry().add(scheduleEntity);
  state: string | undefined;
  private seq = 0;

  async run(operation: string, input?: unknown): Promise<EntityAction[]> {
    const result = await executeEntityBatch(this.registry, instanceId, this.state, [
      {
        operation,
        requestId: `r${++this.seq}`,
        time: this.clock.now(),
        ...(input !== undefined ? { input: JSON.stringify(input) } : {}),
      },
    ]);
    const outcome = result.outcomes[0];
    if (outcome?.ok !== true) throw new Error(JSON.stringify(outcome));
    this.state = result.state;
    return [...result.actions];
  }

  get schedule(): ScheduleState {
    return JSON.parse(this.state as string) as ScheduleState;
  }

  /** Runs the tick signals that are due, as the partition's timers would deliver them. */
  async tick(pending: EntityAction[]): Promise<{ starts: string[]; pending: EntityAction[] }> {
    const starts: string[] = [];
    const rest: EntityAction[] = [];
    for (const action of pending) {
      if (action.type === 'signal' && Date.parse(action.scheduledTime as string) <= this.clock.now()) {
        for (const next of await this.run(action.operation, JSON.parse(action.input as string)))
          if (next.type === 'startOrchestration') starts.push(next.instanceId);
          else rest.push(next);
      } else rest.push(action);
    }
    return { starts, pending: rest };
  }
}

const create = (h: ScheduleHarness, options: ScheduleOptions) =>
  h.run('create', parseScheduleOptions({ orchestrationName: 'Report', ...options }));

describe('the schedule entity', () => {
  it('starts one orchestration per interval tick, with the tick in its id, and wakes itself for the next', async () => {
    const h = new ScheduleHarness();
    let pending = await create(h, { interval: '1m', input: { region: 'eu' } });
    expect(pending).toEqual([
      {
        type: 'signal',
        targetInstanceId: instanceId,
        operation: 'tick',
        input: '{"generation":1}',
        scheduledTime: '2026-03-01T00:01:00.000Z',
      },
    ]);
    const runs: string[] = [];
    for (let minute = 1; minute <= 3; minute++) {
      h.clock.advance(60_000);
      const result = await h.tick(pending);
      runs.push(...result.starts);
      pending = result.pending;
    }
    expect(runs).toEqual([
      'reports-2026-03-01T00:01:00.000Z',
      'reports-2026-03-01T00:02:00.000Z',
      'reports-2026-03-01T00:03:00.000Z',
    ]);
    expect(describeSchedule(h.schedule)).toMatchObject({
      status: 'Active',
      runs: 3,
      lastRunAt: '2026-03-01T00:03:00.000Z',
      nextRunAt: '2026-03-01T00:04:00.000Z',
      lastInstanceId: 'reports-2026-03-01T00:03:00.000Z',
      input: { region: 'eu' },
    });
  });

  it('does nothing on a wake-up that comes early or twice', async () => {
    const h = new ScheduleHarness();
    const pending = await create(h, { interval: '1m' });
    const before = h.state;
    expect(await h.run('tick', { generation: 1 })).toEqual([]);
    expect(h.state).toBe(before);
    h.clock.advance(60_000);
    const first = await h.tick(pending);
    expect(first.starts).toEqual(['reports-2026-03-01T00:01:00.000Z']);
    // Run again, the same wake-up starts nothing and plans no second wake-up.
    expect(await h.tick(pending)).toEqual({ starts: [], pending: [] });
    expect(h.schedule.runs).toBe(1);
  });

  it('passes the input to each start', async () => {
    const h = new ScheduleHarness();
    const pending = await create(h, { interval: '1m', input: [1, 2] });
    h.clock.advance(60_000);
    const [signal] = pending;
    const actions = await h.run('tick', JSON.parse((signal as { input: string }).input));
    expect(actions[0]).toEqual({
      type: 'startOrchestration',
      name: 'Report',
      instanceId: 'reports-2026-03-01T00:01:00.000Z',
      input: '[1,2]',
    });
  });

  it('catches up the ticks missed during an outage by its policy', async () => {
    const all = new ScheduleHarness();
    const latest = new ScheduleHarness();
    const pendingAll = await create(all, { interval: '1m' });
    const pendingLatest = await create(latest, { interval: '1m', catchupPolicy: 'latest' });
    all.clock.advance(3.5 * 60_000);
    latest.clock.advance(3.5 * 60_000);
    expect((await all.tick(pendingAll)).starts).toEqual([
      'reports-2026-03-01T00:01:00.000Z',
      'reports-2026-03-01T00:02:00.000Z',
      'reports-2026-03-01T00:03:00.000Z',
    ]);
    expect((await latest.tick(pendingLatest)).starts).toEqual(['reports-2026-03-01T00:03:00.000Z']);
    expect(all.schedule.nextTick).toBe(t0 + 4 * 60_000);
    expect(latest.schedule.nextTick).toBe(t0 + 4 * 60_000);
  });

  it('starts nothing while paused, ignores the old wake-up, and goes on from now on resume', async () => {
    const h = new ScheduleHarness();
    const stale = await create(h, { interval: '1m' });
    await h.run('pause');
    expect(h.schedule.status).toBe('Paused');
    h.clock.advance(150_000);
    expect((await h.tick(stale)).starts).toEqual([]);
    const resumed = await h.run('resume');
    expect(describeSchedule(h.schedule)).toMatchObject({
      status: 'Active',
      nextRunAt: '2026-03-01T00:03:00.000Z',
    });
    h.clock.advance(30_000);
    expect((await h.tick([...stale, ...resumed])).starts).toEqual(['reports-2026-03-01T00:03:00.000Z']);
  });

  it('moves to the new plan on update and drops the old one', async () => {
    const h = new ScheduleHarness();
    const old = await create(h, { interval: '1m' });
    h.clock.advance(10_000);
    const updated = await h.run('update', { cron: '30 * * * * *', orchestrationName: 'Other' });
    expect(describeSchedule(h.schedule)).toMatchObject({
      orchestrationName: 'Other',
      cron: '30 * * * * *',
      nextRunAt: '2026-03-01T00:00:30.000Z',
    });
    expect(describeSchedule(h.schedule).interval).toBeUndefined();
    h.clock.advance(60_000);
    const result = await h.tick([...old, ...updated]);
    expect(result.starts).toEqual(['reports-2026-03-01T00:00:30.000Z']);
  });

  it('honours startAt and endAt, then ends', async () => {
    const h = new ScheduleHarness();
    let pending = await create(h, {
      interval: '1m',
      startAt: new Date(t0 + 10 * 60_000),
      endAt: new Date(t0 + 11 * 60_000),
    });
    expect(h.schedule.nextTick).toBe(t0 + 10 * 60_000);
    const runs: string[] = [];
    for (let i = 0; i < 3; i++) {
      h.clock.set(t0 + (10 + i) * 60_000);
      const result = await h.tick(pending);
      runs.push(...result.starts);
      pending = result.pending;
    }
    expect(runs).toEqual(['reports-2026-03-01T00:10:00.000Z', 'reports-2026-03-01T00:11:00.000Z']);
    expect(h.schedule.status).toBe('Ended');
    expect(pending).toEqual([]);
  });

  it('keeps the first spec when created twice, and is gone after delete', async () => {
    const h = new ScheduleHarness();
    await create(h, { interval: '1m' });
    expect(await create(h, { interval: '5m' })).toEqual([]);
    expect(h.schedule.spec.interval).toBe(60_000);
    await h.run('delete');
    expect(h.state).toBeUndefined();
    expect(await h.run('tick', { generation: 1 })).toEqual([]);
    expect(h.state).toBeUndefined();
  });
});
