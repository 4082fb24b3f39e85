// Reset through the client of the embedded platform: a finished instance runs again from a point of
// its history, the history before it kept, the reset recorded with its reason.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InstanceNotFoundError, InvalidArgumentError, type HistoryEvent } from '@durable/core';
import { defineActivity, defineOrchestration, Registry } from '@durable/engine';
import { EmbeddedPlatform } from './embedded-platform';

const output = (text: string | undefined): unknown => (text === undefined ? undefined : JSON.parse(text));

describe('reset (embedded)', () => {
  let dir: string;
  let platform: EmbeddedPlatform;
  const runs = new Map<string, number>();
  let broken = true;

  const registry = new Registry().add(
    defineActivity('Step', (name: string) => {
      runs.set(name, (runs.get(name) ?? 0) + 1);
      return `${name}${runs.get(name)}`;
    }),
    defineActivity('Fragile', () => {
      if (broken) throw new Error('not yet');
      return 'fixed';
    }),
    defineOrchestration('Steps', async (ctx, last: 'Step' | 'Fragile') => {
      const a = await ctx.callActivity<string>('Step', `${ctx.instanceId}/a`);
      const b = await ctx.callActivity<string>('Step', `${ctx.instanceId}/b`);
      const c = await ctx.callActivity<string>(last, `${ctx.instanceId}/c`);
      return [a, b, c];
    }),
    defineOrchestration('StepThenWait', async (ctx) => {
      const a = await ctx.callActivity<string>('Step', `${ctx.instanceId}/a`);
      const go = await ctx.waitForExternalEvent<string>('go');
      return [a, go];
    }),
  );

  const historyOf = async (id: string): Promise<readonly HistoryEvent[]> =>
    (await platform.client.getStatus(id, { includeHistory: true }))?.history ?? [];
  const resets = (history: readonly HistoryEvent[]) =>
    history.flatMap((e) => {
      if (e.type !== 'GenericEvent' || e.data === undefined) return [];
      const data = JSON.parse(e.data) as { type?: string };
      return data.type === 'ExecutionReset' ? [data] : [];
    });
  /** A reset is a message: wait until the instance ran again and finished. */
  const rerun = async (id: string, before: string) => {
    for (let i = 0; i < 1000; i++) {
      const status = await platform.client.getStatus(id);
      if (status?.lastUpdatedAt !== before && status?.runtimeStatus !== 'Running') break;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    return platform.client.waitForCompletion(id, { timeoutMs: 10_000 });
  };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'durable-reset-'));
    platform = await EmbeddedPlatform.start({ dataDir: dir, registry, partitions: 2 });
  });

  afterAll(async () => {
    await platform.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('re-runs a Completed instance from an event id: the steps before it are kept, the reason recorded', async () => {
    const { client } = platform;
    await client.start('Steps', { instanceId: 'done', input: '"Step"' });
    const first = await client.waitForCompletion('done', { timeoutMs: 10_000 });
    expect(output(first?.output)).toEqual(['done/a1', 'done/b1', 'done/c1']);
    const history = await historyOf('done');
    // The completion of the second step: it is dropped, so that step's result comes again.
    const secondResult = history.findIndex((e) => e.type === 'TaskCompleted' && e.taskScheduledId === 1);

    await client.reset('done', { eventId: secondResult }, 'b was wrong');
    const again = await rerun('done', first?.lastUpdatedAt ?? '');
    expect(again?.runtimeStatus).toBe('Completed');
    expect(output(again?.output)).toEqual(['done/a1', 'done/b2', 'done/c2']);
    expect(runs.get('done/a')).toBe(1);
    const after = await historyOf('done');
    expect(after.slice(0, secondResult)).toEqual(history.slice(0, secondResult));
    expect(resets(after)).toEqual([
      {
        type: 'ExecutionReset',
        fromEventId: secondResult,
        droppedEvents: history.length - secondResult,
        reason: 'b was wrong',
      },
    ]);
    expect(after.filter((e) => e.type === 'ExecutionCompleted')).toHaveLength(1);
  });

  it('restarts a Failed instance from its last completed activity', async () => {
    const { client } = platform;
    broken = true;
    await client.start('Steps', { instanceId: 'failed', input: '"Fragile"' });
    const failed = await client.waitForCompletion('failed', { timeoutMs: 10_000 });
    expect(failed?.runtimeStatus).toBe('Failed');
    broken = false;
    await client.reset('failed', { to: 'lastCompletedActivity' }, 'Fragile fixed');
    const done = await rerun('failed', failed?.lastUpdatedAt ?? '');
    expect(done?.runtimeStatus).toBe('Completed');
    expect(output(done?.output)).toEqual(['failed/a1', 'failed/b1', 'fixed']);
    expect(done?.failureDetails).toBeUndefined();
    expect(runs.get('failed/a')).toBe(1);
    expect(runs.get('failed/b')).toBe(1);
    expect(resets(await historyOf('failed'))).toMatchObject([{ reason: 'Fragile fixed' }]);
  });

  it('re-runs a Terminated instance from its start, and it waits for its event again', async () => {
    const { client } = platform;
    await client.start('StepThenWait', { instanceId: 'terminated' });
    for (let i = 0; i < 1000 && runs.get('terminated/a') === undefined; i++)
      await new Promise((resolve) => setTimeout(resolve, 10));
    await client.terminate('terminated', 'stop');
    const terminated = await client.waitForCompletion('terminated', { timeoutMs: 10_000 });
    expect(terminated?.runtimeStatus).toBe('Terminated');

    await client.reset('terminated', { eventId: 0 });
    for (let i = 0; i < 1000 && runs.get('terminated/a') !== 2; i++)
      await new Promise((resolve) => setTimeout(resolve, 10));
    expect((await client.getStatus('terminated'))?.runtimeStatus).toBe('Running');
    await client.raiseEvent('terminated', 'go', '"now"');
    const done = await client.waitForCompletion('terminated', { timeoutMs: 10_000 });
    expect(output(done?.output)).toEqual(['terminated/a2', 'now']);
    expect(resets(await historyOf('terminated'))).toMatchObject([{ fromEventId: 0, reason: null }]);
  });

  it('refuses a running instance, an event id outside the history and an unknown instance, with a reason', async () => {
    const { client } = platform;
    await client.start('StepThenWait', { instanceId: 'running' });
    const refusal = client.reset('running', { eventId: 1 });
    await expect(refusal).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(refusal).rejects.toThrow(
      /^instance 'running' is (Pending|Running); only a Completed, Failed or Terminated instance can be reset$/,
    );
    await client.start('Steps', { instanceId: 'short', input: '"Step"' });
    await client.waitForCompletion('short', { timeoutMs: 10_000 });
    const length = (await historyOf('short')).length;
    await expect(client.reset('short', { eventId: length })).rejects.toThrow(
      `eventId ${length} is not an event of the instance's history (0 to ${length - 1})`,
    );
    await expect(client.reset('nobody', { eventId: 0 })).rejects.toBeInstanceOf(InstanceNotFoundError);
    await client.terminate('running');
  });
});
