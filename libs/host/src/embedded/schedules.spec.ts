// Schedules and signal-with-start through the TypeScript client (the instance client), on the
// embedded platform: SQLite, its partitions, timers and entities, as `npm start` runs them.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InvalidArgumentError, OrchestratorNotRegisteredError } from '@durable/core';
import { defineEntity, defineOrchestration, Registry, type EntityContext } from '@durable/engine';
import { ScheduleAlreadyExistsError, ScheduleNotFoundError, type InstanceClient } from '@durable/runtime';
import type { ScheduleDescription } from '@durable/schedules';
import { EmbeddedPlatform } from './embedded-platform';

jest.setTimeout(60_000);

const runs = defineEntity('Runs', (ctx: EntityContext<number>) => {
  if (ctx.operationName === 'add') ctx.setState((ctx.getState(() => 0) ?? 0) + 1);
  return ctx.getState();
});
const tick = defineOrchestration('Tick', async (ctx, input: { counter: string }) => {
  ctx.signalEntity({ name: 'Runs', key: input.counter }, 'add');
  return ctx.instanceId;
});
const collect = defineOrchestration('Collect', async (ctx, input: { count: number }) => {
  const items: unknown[] = [];
  while (items.length < input.count) items.push(await ctx.waitForExternalEvent('item'));
  return items;
});
const registry = () => new Registry().add(runs, tick, collect);

async function until<T>(read: () => Promise<T>, ok: (value: T) => boolean, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (ok(value)) return value;
    if (Date.now() > deadline) throw new Error(`condition not met in time; last: ${JSON.stringify(value)}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** The tick times of a schedule's instances, in order. */
async function tickTimes(client: InstanceClient, scheduleId: string): Promise<number[]> {
  const page = await client.list({ instanceIdPrefix: `${scheduleId}-`, pageSize: 1000 });
  return page.instances
    .map((i) => Date.parse(i.instanceId.slice(scheduleId.length + 1)))
    .sort((a, b) => a - b);
}

describe('schedules through the client', () => {
  let dataDir: string;
  let platform: EmbeddedPlatform;
  const client = () => platform.client;
  const schedule = (id: string) => client().schedules.get(id);

  beforeEach(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'durable-schedules-'));
    platform = await EmbeddedPlatform.start({ dataDir, registry: registry(), partitions: 4 });
  });
  afterEach(async () => {
    await platform.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('creates, lists, pauses, resumes, updates and deletes, with typed errors', async () => {
    const schedules = client().schedules;
    await expect(schedules.create('s', { orchestrationName: 'Nope', interval: '1m' })).rejects.toThrow(
      OrchestratorNotRegisteredError,
    );
    await expect(schedules.create('s', { orchestrationName: 'Tick', cron: 'often' })).rejects.toThrow(
      InvalidArgumentError,
    );
    await expect(schedules.pause('s')).rejects.toThrow(ScheduleNotFoundError);

    await schedules.create('s', { orchestrationName: 'Tick', input: { counter: 's' }, interval: 1000 });
    const active = await until(
      () => schedule('s'),
      (s) => (s?.runs ?? 0) >= 1,
    );
    expect(active).toMatchObject({ scheduleId: 's', status: 'Active', interval: 1000, catchupPolicy: 'all' });
    await expect(schedules.create('s', { orchestrationName: 'Tick', interval: '1m' })).rejects.toThrow(
      ScheduleAlreadyExistsError,
    );
    await schedules.create('t', { orchestrationName: 'Tick', input: { counter: 't' }, cron: '0 0 1 1 *' });
    await until(
      () => schedule('t'),
      (s) => s !== undefined,
    );
    expect((await schedules.list()).schedules.map((s) => s.scheduleId).sort()).toEqual(['s', 't']);
    expect((await schedules.list({ idPrefix: 't' })).schedules.map((s) => s.scheduleId)).toEqual(['t']);

    await schedules.pause('s');
    await until(
      () => schedule('s'),
      (s) => s?.status === 'Paused',
    );
    await schedules.resume('s');
    await until(
      () => schedule('s'),
      (s) => s?.status === 'Active' && s.nextRunAt !== undefined,
    );
    await schedules.update('t', { endAt: '2020-01-01T00:00:00Z', startAt: null });
    expect(
      await until(
        () => schedule('t'),
        (s) => s?.status === 'Ended',
      ),
    ).toMatchObject({ endAt: '2020-01-01T00:00:00.000Z' });
    await expect(schedules.update('t', { interval: '1s', cron: '* * * * *' })).rejects.toThrow(
      /exactly one of interval and cron/,
    );

    await schedules.delete('s');
    await until(
      () => schedule('s'),
      (s) => s === undefined,
    );
    expect((await schedules.list()).schedules.map((s) => s.scheduleId)).toEqual(['t']);
  });

  it('catches up every tick missed while the platform was down with the policy all, only the latest with latest', async () => {
    const schedules = client().schedules;
    await schedules.create('all', { orchestrationName: 'Tick', input: { counter: 'all' }, interval: 1000 });
    await schedules.create('latest', {
      orchestrationName: 'Tick',
      input: { counter: 'latest' },
      interval: 1000,
      catchupPolicy: 'latest',
    });
    await until(
      () => Promise.all([schedule('all'), schedule('latest')]),
      ([a, l]) => (a?.runs ?? 0) >= 1 && (l?.runs ?? 0) >= 1,
    );

    await platform.stop();
    const stoppedAt = Date.now();
    // Down for more than three intervals.
    await new Promise((resolve) => setTimeout(resolve, 3500));
    platform = await EmbeddedPlatform.start({ dataDir, registry: registry(), partitions: 4 });
    const restartedAt = Date.now();
    const after = (s: ScheduleDescription | undefined) => Date.parse(s?.lastRunAt ?? '') > restartedAt;
    await until(
      () => Promise.all([schedule('all'), schedule('latest')]),
      ([a, l]) => after(a) && after(l),
    );

    const all = await tickTimes(client(), 'all');
    const gaps = all.slice(1).map((t, i) => t - (all[i] as number));
    expect(gaps.every((gap) => gap === 1000)).toBe(true);
    expect(all.filter((t) => t > stoppedAt && t < restartedAt).length).toBeGreaterThanOrEqual(3);

    const latest = await tickTimes(client(), 'latest');
    const latestGaps = latest.slice(1).map((t, i) => t - (latest[i] as number));
    expect(Math.max(...latestGaps)).toBeGreaterThanOrEqual(3000);

    // Each start ran once: the counter each run adds to matches the instances.
    for (const id of ['all', 'latest']) {
      await client().schedules.pause(id);
      await until(
        () => schedule(id),
        (s) => s?.status === 'Paused',
      );
      const count = (await tickTimes(client(), id)).length;
      await until(
        async () => (await client().getEntity({ name: 'Runs', key: id }, { includeState: true }))?.state,
        (state) => state === String(count),
      );
    }
  });

  it('signal-with-start: concurrent callers start one instance and every event arrives', async () => {
    const callers = 12;
    const results = await Promise.all(
      Array.from({ length: callers }, (_, i) =>
        client().signalWithStart('Collect', 'item', {
          instanceId: 'c',
          input: JSON.stringify({ count: callers }),
          eventData: JSON.stringify(i),
        }),
      ),
    );
    expect(results.filter((r) => r.started)).toHaveLength(1);
    const done = await client().waitForCompletion('c');
    expect(done?.runtimeStatus).toBe('Completed');
    expect((JSON.parse(done?.output as string) as number[]).sort((a, b) => a - b)).toEqual(
      Array.from({ length: callers }, (_, i) => i),
    );
    await expect(client().signalWithStart('Nope', 'item', { instanceId: 'x' })).rejects.toThrow(
      OrchestratorNotRegisteredError,
    );
    await expect(client().signalWithStart('Collect', ' ', { instanceId: 'x' })).rejects.toThrow(
      InvalidArgumentError,
    );
    expect(await client().getStatus('x')).toBeUndefined();
  });
});
