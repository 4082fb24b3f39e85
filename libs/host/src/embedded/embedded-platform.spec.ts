import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InstanceAlreadyExistsError, InstanceFinishedError, InstanceNotFoundError } from '@durable/core';
import { defineActivity, defineOrchestration, type Registry } from '@durable/engine';
import { goldenRegistry } from '@durable/engine/testing';
import { FaultPoint, type FaultHook } from '@durable/runtime';
import { EmbeddedPlatform } from './embedded-platform';

const output = (text: string | undefined): unknown => (text === undefined ? undefined : JSON.parse(text));

describe('embedded platform', () => {
  let dir: string;
  let platform: EmbeddedPlatform | undefined;

  const start = async (registry: Registry = goldenRegistry(), faults?: FaultHook, atomicCommits = true) => {
    platform = await EmbeddedPlatform.start({
      dataDir: dir,
      registry,
      partitions: 4,
      atomicCommits,
      ...(faults ? { faults } : {}),
    });
    return platform;
  };

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'durable-embedded-'));
  });

  afterEach(async () => {
    await platform?.stop();
    platform = undefined;
    rmSync(dir, { recursive: true, force: true });
  });

  it('runs a sequence of activities to completion and records its history', async () => {
    const { client } = await start();
    const { instanceId } = await client.start('HelloSequence');
    const status = await client.waitForCompletion(instanceId, { timeoutMs: 10_000 });
    expect(status?.runtimeStatus).toBe('Completed');
    expect(output(status?.output)).toEqual(['Hello Tokyo!', 'Hello Seattle!', 'Hello London!']);
    const withHistory = await client.getStatus(instanceId, { includeHistory: true });
    expect(withHistory?.history?.filter((e) => e.type === 'TaskCompleted')).toHaveLength(3);
  });

  it('keeps version and tags, and applies the reuse policy of a start', async () => {
    const { client } = await start();
    await client.start('HelloSequence', { instanceId: 'reused', version: '2.1', tags: { team: 'payments' } });
    const first = await client.waitForCompletion('reused', { timeoutMs: 10_000 });
    expect(first).toMatchObject({ runtimeStatus: 'Completed', version: '2.1', tags: { team: 'payments' } });
    await expect(
      client.start('HelloSequence', { instanceId: 'reused', reusePolicy: 'error' }),
    ).rejects.toBeInstanceOf(InstanceAlreadyExistsError);
    expect(await client.start('HelloSequence', { instanceId: 'reused', reusePolicy: 'ignore' })).toEqual({
      instanceId: 'reused',
    });
    expect((await client.getStatus('reused'))?.executionId).toBe(first?.executionId);
    await client.start('Approval', { instanceId: 'reused', input: '{"timeoutSeconds":3600}' });
    await expect(client.start('HelloSequence', { instanceId: 'reused' })).rejects.toBeInstanceOf(
      InstanceAlreadyExistsError,
    );
    expect((await client.getStatus('reused'))?.name).toBe('Approval');
  });

  it('runs no more activities at once than the concurrency limit', async () => {
    await platform?.stop();
    let running = 0;
    let peak = 0;
    const registry = goldenRegistry().add(
      defineActivity('Slow', async () => {
        running++;
        peak = Math.max(peak, running);
        await new Promise((resolve) => setTimeout(resolve, 20));
        running--;
      }),
      defineOrchestration('ManySlow', (ctx) =>
        ctx.whenAll(Array.from({ length: 12 }, () => ctx.callActivity('Slow'))),
      ),
    );
    platform = await EmbeddedPlatform.start({
      dataDir: dir,
      registry,
      partitions: 4,
      activityConcurrency: 3,
    });
    const { instanceId } = await platform.client.start('ManySlow');
    expect((await platform.client.waitForCompletion(instanceId, { timeoutMs: 10_000 }))?.runtimeStatus).toBe(
      'Completed',
    );
    expect(peak).toBe(3);
  });

  it('fans out and in', async () => {
    const { client } = await start();
    const { instanceId } = await client.start('FanOutFanIn', { input: '50' });
    const status = await client.waitForCompletion(instanceId, { timeoutMs: 10_000 });
    expect(output(status?.output)).toBe((50 * 51 * 101) / 6);
  });

  it('races an external event against a timer', async () => {
    const { client } = await start();
    const approved = await client.start('Approval', { input: '{"timeoutSeconds":30}' });
    const timedOut = await client.start('Approval', { input: '{"timeoutSeconds":0.2}' });
    await client.raiseEvent(approved.instanceId, 'Approval', 'true');
    expect(output((await client.waitForCompletion(approved.instanceId, { timeoutMs: 10_000 }))?.output)).toBe(
      'approved',
    );
    expect(output((await client.waitForCompletion(timedOut.instanceId, { timeoutMs: 10_000 }))?.output)).toBe(
      'timed out',
    );
  });

  it('runs sub-orchestrations and reports their failures to the parent', async () => {
    const { client } = await start();
    const { instanceId } = await client.start('ParentChild');
    const status = await client.waitForCompletion(instanceId, { timeoutMs: 10_000 });
    expect(output(status?.output)).toEqual({
      greetings: ['Hello Tokyo!', 'Hello Seattle!', 'Hello London!'],
      sum: 30,
      failure: 'SubOrchestrationFailedError',
    });
    expect(output(status?.customStatus)).toEqual({ children: 3 });
  });

  it('continues as new, carrying events into the next execution', async () => {
    const { client } = await start();
    const { instanceId } = await client.start('EternalCounter', { input: '0' });
    for (let i = 0; i < 3; i++) await client.raiseEvent(instanceId, 'add', '1');
    const status = await client.waitForCompletion(instanceId, { timeoutMs: 10_000 });
    expect(status?.runtimeStatus).toBe('Completed');
    expect(output(status?.output)).toBe(3);
  });

  it('retries a failing activity on durable timers until it succeeds', async () => {
    const registry = goldenRegistry();
    let calls = 0;
    registry.add(
      defineActivity('FailsTwice', () => {
        calls++;
        if (calls <= 2) throw new Error(`failure ${calls}`);
        return calls;
      }),
      defineOrchestration('RetryFast', (ctx) =>
        ctx.callActivity('FailsTwice', undefined, { retry: { maxAttempts: 3, firstRetryIntervalMs: 20 } }),
      ),
    );
    const { client } = await start(registry);
    const { instanceId } = await client.start('RetryFast');
    const status = await client.waitForCompletion(instanceId, { timeoutMs: 10_000 });
    expect(output(status?.output)).toBe(3);
  });

  it('terminates, and refuses operations on finished or unknown instances', async () => {
    const { client } = await start();
    const { instanceId } = await client.start('Approval', { input: '{"timeoutSeconds":3600}' });
    await client.terminate(instanceId, 'no longer needed');
    const status = await client.waitForCompletion(instanceId, { timeoutMs: 10_000 });
    expect(status?.runtimeStatus).toBe('Terminated');
    expect(output(status?.output)).toBe('no longer needed');
    await expect(client.raiseEvent(instanceId, 'Approval', 'true')).rejects.toBeInstanceOf(
      InstanceFinishedError,
    );
    await expect(client.terminate('nobody')).rejects.toBeInstanceOf(InstanceNotFoundError);
  });

  it('terminates sub-orchestrations too when terminating recursively', async () => {
    const registry = goldenRegistry();
    registry.add(
      defineOrchestration('WaitingParent', async (ctx) =>
        ctx.callSubOrchestrator(
          'Approval',
          { timeoutSeconds: 3600 },
          { instanceId: `${ctx.instanceId}-child` },
        ),
      ),
    );
    const { client } = await start(registry);
    const { instanceId } = await client.start('WaitingParent');
    await waitFor(async () => (await client.getStatus(`${instanceId}-child`))?.runtimeStatus === 'Running');
    await client.terminate(instanceId, 'stop all', { recursive: true });
    expect((await client.waitForCompletion(instanceId, { timeoutMs: 10_000 }))?.runtimeStatus).toBe(
      'Terminated',
    );
    expect(
      (await client.waitForCompletion(`${instanceId}-child`, { timeoutMs: 10_000 }))?.runtimeStatus,
    ).toBe('Terminated');
  });

  it('holds events while suspended and applies them after resume', async () => {
    const { client } = await start();
    const { instanceId } = await client.start('Approval', { input: '{"timeoutSeconds":3600}' });
    await client.suspend(instanceId, 'hold on');
    await client.raiseEvent(instanceId, 'Approval', 'false');
    await waitFor(async () => (await client.getStatus(instanceId))?.runtimeStatus === 'Suspended');
    expect((await client.waitForCompletion(instanceId, { timeoutMs: 200 }))?.runtimeStatus).toBe('Suspended');
    await client.resume(instanceId);
    expect(output((await client.waitForCompletion(instanceId, { timeoutMs: 10_000 }))?.output)).toBe(
      'rejected',
    );
  });

  it('starts a scheduled instance no earlier than its start time', async () => {
    const { client } = await start();
    const at = new Date(Date.now() + 400);
    const { instanceId } = await client.start('HelloSequence', { scheduledStartTime: at });
    expect((await client.getStatus(instanceId))?.runtimeStatus).toBe('Pending');
    const status = await client.waitForCompletion(instanceId, { timeoutMs: 10_000 });
    expect(status?.runtimeStatus).toBe('Completed');
    const history = (await client.getStatus(instanceId, { includeHistory: true }))?.history ?? [];
    const startedAt = Date.parse(history.find((e) => e.type === 'OrchestratorStarted')?.timestamp ?? '');
    expect(startedAt).toBeGreaterThanOrEqual(at.getTime());
  });

  it('fires a durable timer once, after a restart, and not before it is due', async () => {
    const registry = goldenRegistry();
    registry.add(
      defineOrchestration('Sleeper', async (ctx) => {
        const before = ctx.currentUtcDateTime.getTime();
        await ctx.createTimer(600);
        return ctx.currentUtcDateTime.getTime() - before;
      }),
    );
    let { client } = await start(registry);
    const { instanceId } = await client.start('Sleeper');
    await waitFor(async () => (await client.getStatus(instanceId))?.runtimeStatus === 'Running');
    await platform?.stop();
    ({ client } = await start(registry));
    const status = await client.waitForCompletion(instanceId, { timeoutMs: 10_000 });
    expect(output(status?.output)).toBeGreaterThanOrEqual(600);
    const history = (await client.getStatus(instanceId, { includeHistory: true }))?.history ?? [];
    expect(history.filter((e) => e.type === 'TimerFired')).toHaveLength(1);
  });

  it('lets finished instances leave memory, and restarts and purges them', async () => {
    const p = await start();
    const { client } = p;
    const ids = await Promise.all(Array.from({ length: 20 }, () => client.start('HelloSequence')));
    for (const { instanceId } of ids) await client.waitForCompletion(instanceId, { timeoutMs: 10_000 });
    expect(p.cachedInstances).toBe(0);

    const first = ids[0]!.instanceId;
    const again = await client.restart(first, { newInstanceId: true });
    expect(again.instanceId).not.toBe(first);
    expect((await client.waitForCompletion(again.instanceId, { timeoutMs: 10_000 }))?.runtimeStatus).toBe(
      'Completed',
    );
    await client.restart(first);
    expect((await client.waitForCompletion(first, { timeoutMs: 10_000 }))?.runtimeStatus).toBe('Completed');

    expect(await client.purge(ids[1]!.instanceId)).toBe(true);
    expect(await client.getStatus(ids[1]!.instanceId)).toBeUndefined();
    const purged = await client.purgeWhere({ createdFrom: new Date(0) });
    expect(purged).toBe(20);
    expect((await client.list({})).instances).toHaveLength(0);
  });

  it('keeps a waiting instance across a restart on the same data directory', async () => {
    let { client } = await start();
    const { instanceId } = await client.start('Approval', { input: '{"timeoutSeconds":3600}' });
    await waitFor(async () => (await client.getStatus(instanceId))?.runtimeStatus === 'Running');
    await platform?.stop();
    ({ client } = await start());
    await client.raiseEvent(instanceId, 'Approval', 'true');
    expect(output((await client.waitForCompletion(instanceId, { timeoutMs: 10_000 }))?.output)).toBe(
      'approved',
    );
  });

  it('rewinds a failed instance: failed work runs again, failed children are rewound, and it completes', async () => {
    const registry = goldenRegistry();
    let broken = true;
    registry.add(
      defineActivity('Fragile', (n: number) => {
        if (broken) throw new Error('not yet');
        return n * 2;
      }),
      defineOrchestration('FragileChild', async (ctx, n: number) => ctx.callActivity<number>('Fragile', n)),
      defineOrchestration('FragileParent', async (ctx) => {
        const first = await ctx.callActivity<number>('SayHello', 'x');
        const child = await ctx.callSubOrchestrator<number>('FragileChild', 21);
        const own = await ctx.callActivity<number>('Fragile', 1);
        return { first, child, own };
      }),
      defineOrchestration('FailsAtOnce', async () => {
        if (broken) throw new Error('broken from the start');
        return 'fine now';
      }),
    );
    const { client } = await start(registry);
    const parent = await client.start('FragileParent');
    const early = await client.start('FailsAtOnce');
    expect((await client.waitForCompletion(parent.instanceId, { timeoutMs: 10_000 }))?.runtimeStatus).toBe(
      'Failed',
    );
    expect((await client.waitForCompletion(early.instanceId, { timeoutMs: 10_000 }))?.runtimeStatus).toBe(
      'Failed',
    );
    await expect(client.rewind('nobody')).rejects.toBeInstanceOf(InstanceNotFoundError);

    broken = false;
    await client.rewind(parent.instanceId, 'fixed');
    await client.rewind(early.instanceId);
    // The rewind is a message: wait until the instance has left its Failed state.
    for (const id of [parent.instanceId, early.instanceId]) {
      await waitFor(async () => (await client.getStatus(id))?.runtimeStatus !== 'Failed');
    }
    const rewound = await client.waitForCompletion(parent.instanceId, { timeoutMs: 10_000 });
    expect(rewound?.runtimeStatus).toBe('Completed');
    expect(output(rewound?.output)).toEqual({ first: 'Hello x!', child: 42, own: 2 });
    expect(output((await client.waitForCompletion(early.instanceId, { timeoutMs: 10_000 }))?.output)).toBe(
      'fine now',
    );
    await expect(client.rewind(parent.instanceId)).rejects.toBeInstanceOf(InstanceFinishedError);
  });

  it.each(
    [
      FaultPoint.AfterStateCommit,
      FaultPoint.AfterOutboxSend,
      FaultPoint.AfterActivityRun,
      FaultPoint.AfterActivityResultSend,
    ].flatMap((point) => [
      [point, 'three-step'],
      [point, 'atomic'],
    ]),
  )(
    'loses nothing and applies each activity result once when a step fails at %s (%s commits)',
    async (point, mode) => {
      const registry = goldenRegistry();
      const runs = new Map<string, number>();
      registry.add(
        defineActivity('Count', (key: string) => {
          runs.set(key, (runs.get(key) ?? 0) + 1);
          return key;
        }),
        defineOrchestration('CountFive', async (ctx) => {
          const results: string[] = [];
          for (let i = 0; i < 5; i++)
            results.push(await ctx.callActivity<string>('Count', `${ctx.instanceId}-${i}`));
          return results;
        }),
      );
      let failures = 0;
      const faults: FaultHook = (at) => {
        if (at === point && failures < 3) {
          failures++;
          throw new Error(`injected failure at ${at}`);
        }
      };
      const { client } = await start(registry, faults, mode === 'atomic');
      const ids = await Promise.all(Array.from({ length: 5 }, () => client.start('CountFive')));
      for (const { instanceId } of ids) {
        const status = await client.waitForCompletion(instanceId, { timeoutMs: 20_000 });
        expect(status?.runtimeStatus).toBe('Completed');
        expect(output(status?.output)).toEqual(Array.from({ length: 5 }, (_, i) => `${instanceId}-${i}`));
        const history = (await client.getStatus(instanceId, { includeHistory: true }))?.history ?? [];
        expect(history.filter((e) => e.type === 'TaskCompleted')).toHaveLength(5);
      }
      expect(failures).toBe(3);
    },
  );
});

async function waitFor(condition: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
