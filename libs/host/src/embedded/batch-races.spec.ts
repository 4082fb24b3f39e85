import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defineActivity, defineOrchestration, type Registry } from '@durable/engine';
import { goldenRegistry } from '@durable/engine/testing';
import { newEvent, toTimestamp } from '@durable/core';
import { partitionOf } from '@durable/log';
import { instanceMessage, InstanceClient } from '@durable/runtime';
import { SqliteLog } from '@durable/log-sqlite';
import { SqliteDatabase } from '@durable/sqlite';
import { SqliteStateStore } from '@durable/storage-sqlite';
import { EmbeddedPlatform } from './embedded-platform';
import { randomIds, systemClock } from './system-ports';

const output = (text: string | undefined): unknown => (text === undefined ? undefined : JSON.parse(text));

describe('embedded platform: messages that meet in one batch after a restart', () => {
  let dir: string;
  let platform: EmbeddedPlatform | undefined;
  const start = async (registry: Registry) => {
    platform = await EmbeddedPlatform.start({ dataDir: dir, registry, partitions: 4 });
    return platform;
  };
  /** A client on the data directory with no workers running (as if the workers had crashed). */
  const offline = async <T>(registry: Registry, fn: (c: InstanceClient) => Promise<T>): Promise<T> => {
    const db = new SqliteDatabase(join(dir, 'durable.db'));
    const log = new SqliteLog(db, { partitions: 4 });
    const store = new SqliteStateStore(db);
    const client = new InstanceClient({
      log,
      store,
      clock: systemClock,
      idSource: randomIds,
      orchestrationNames: () => registry.orchestratorNames,
    });
    try {
      return await fn(client);
    } finally {
      await log.close();
    }
  };
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'durable-batch-'));
  });
  afterEach(async () => {
    await platform?.stop();
    platform = undefined;
    rmSync(dir, { recursive: true, force: true });
  });

  it('keeps an event raised before the crash when the pending start is resent on recovery', async () => {
    const registry = goldenRegistry();
    registry.add(defineOrchestration('WaitGo', async (ctx) => ctx.waitForExternalEvent<string>('go')));
    const id = await offline(registry, async (c) => {
      const { instanceId } = await c.start('WaitGo');
      await c.raiseEvent(instanceId, 'go', '"yes"');
      return instanceId;
    });
    const { client } = await start(registry);
    const status = await client.waitForCompletion(id, { timeoutMs: 3000 });
    expect(status?.runtimeStatus).toBe('Completed');
    expect(output(status?.output)).toBe('yes');
  });

  it('does not bring back an instance purged after a recovery asked for its pending start again', async () => {
    const registry = goldenRegistry();
    registry.add(defineOrchestration('Quick', async () => 'done'));
    let { client } = await start(registry);
    const { instanceId } = await client.start('Quick', { instanceId: 'purged-one' });
    const finished = await client.waitForCompletion(instanceId, { timeoutMs: 5000 });
    expect(finished?.runtimeStatus).toBe('Completed');
    const executionId = (await client.getStatus(instanceId))?.executionId as string;
    await client.purge(instanceId);
    await platform?.stop();
    platform = undefined;
    // What a recovery (or a due scheduled start) sent before the purge, read only after it.
    const log = new SqliteLog(new SqliteDatabase(join(dir, 'durable.db')), { partitions: 4 });
    const event = newEvent('GenericEvent', toTimestamp(Date.now()), {});
    await log.append([instanceMessage({ instanceId, executionId, startPending: true, event }, 4)]);
    await log.close();
    ({ client } = await start(registry));
    // An instance on the same partition, started after: once it completed, the request was read.
    let probe = 0;
    while (partitionOf(`probe-${probe}`, 4) !== partitionOf(instanceId, 4)) probe++;
    const after = await client.start('Quick', { instanceId: `probe-${probe}` });
    expect((await client.waitForCompletion(after.instanceId, { timeoutMs: 5000 }))?.runtimeStatus).toBe(
      'Completed',
    );
    expect(await client.getStatus(instanceId)).toBeUndefined();
  });

  it('honours a terminate that arrives in the same batch as the event that continues as new', async () => {
    const registry = goldenRegistry();
    registry.add(
      defineOrchestration('Loop', async (ctx, n: number) => {
        await ctx.waitForExternalEvent('go');
        ctx.continueAsNew(n + 1);
      }),
    );
    let { client } = await start(registry);
    const { instanceId } = await client.start('Loop', { input: '0' });
    await waitFor(async () => (await client.getStatus(instanceId))?.runtimeStatus === 'Running');
    await platform?.stop();
    platform = undefined;
    await offline(registry, async (c) => {
      await c.raiseEvent(instanceId, 'go');
      await c.terminate(instanceId, 'stop');
    });
    ({ client } = await start(registry));
    const s = await client.waitForCompletion(instanceId, { timeoutMs: 5000 });
    expect(s?.runtimeStatus).toBe('Terminated');
    expect(output(s?.output)).toBe('stop');
  });

  it('completes a rewound instance whose replay asks a finished child again', async () => {
    const registry = goldenRegistry();
    let broken = true;
    let firstCalls = 0;
    registry.add(
      defineActivity('FailsFirst', () => {
        firstCalls++;
        if (firstCalls === 1) throw new Error('once');
        return 1;
      }),
      defineActivity('Fragile2', () => {
        if (broken) throw new Error('broken');
        return 2;
      }),
      defineOrchestration('Kid', async () => 'kid'),
      defineOrchestration('P3', async (ctx) => {
        try {
          await ctx.callActivity('FailsFirst');
        } catch {
          // handled: the orchestration goes on
        }
        const kid = await ctx.callSubOrchestrator<string>('Kid');
        const f = await ctx.callActivity<number>('Fragile2');
        return { kid, f };
      }),
    );
    const { client } = await start(registry);
    const { instanceId } = await client.start('P3');
    expect((await client.waitForCompletion(instanceId, { timeoutMs: 5000 }))?.runtimeStatus).toBe('Failed');
    broken = false;
    await client.rewind(instanceId);
    await waitFor(async () => (await client.getStatus(instanceId))?.runtimeStatus !== 'Failed');
    const s = await client.waitForCompletion(instanceId, { timeoutMs: 5000 });
    expect(s?.runtimeStatus).toBe('Completed');
    expect(output(s?.output)).toEqual({ kid: 'kid', f: 2 });
  });

  it('fails the parent of a sub-orchestration whose id is taken by a running instance', async () => {
    const registry = goldenRegistry();
    registry.add(
      defineOrchestration('WaitGo2', async (ctx) => ctx.waitForExternalEvent<string>('go')),
      defineOrchestration('P4', async (ctx) => {
        try {
          return await ctx.callSubOrchestrator('WaitGo2', undefined, { instanceId: 'busy' });
        } catch (e) {
          return `failed:${String(e)}`;
        }
      }),
    );
    const { client } = await start(registry);
    await client.start('WaitGo2', { instanceId: 'busy' });
    await waitFor(async () => (await client.getStatus('busy'))?.runtimeStatus === 'Running');
    const { instanceId } = await client.start('P4');
    const s = await client.waitForCompletion(instanceId, { timeoutMs: 5000 });
    expect(s?.runtimeStatus).toBe('Completed');
    expect(output(s?.output)).toMatch(/^failed:SubOrchestrationFailedError: .*already running/);
  });
});

async function waitFor(condition: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
