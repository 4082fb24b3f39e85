import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EntityNotRegisteredError, EntityOperationFailedError, InvalidArgumentError } from '@durable/core';
import {
  defineActivity,
  defineEntity,
  defineOrchestration,
  type EntityContext,
  type Registry,
} from '@durable/engine';
import { SqliteDatabase } from '@durable/sqlite';
import { SqliteStateStore } from '@durable/storage-sqlite';
import { FaultPoint, type FaultHook, type InstanceService } from '@durable/runtime';
import { registry as sampleRegistry } from '@durable/samples';
import { EmbeddedPlatform } from './embedded-platform';

const output = (text: string | undefined): unknown => (text === undefined ? undefined : JSON.parse(text));
const counter = (key: string) => ({ name: 'Counter', key });
const accountOf = (key: string) => ({ name: 'Account', key });

/** Appends every input to a list, so the state shows the order operations ran in. */
const journal = defineEntity('Journal', (ctx: EntityContext<unknown[]>) => {
  const list = ctx.getState(() => []) ?? [];
  if (ctx.operationName === 'append') ctx.setState([...list, ctx.getInput()]);
  else if (ctx.operationName === 'start') return ctx.startNewOrchestration('AddTo', ctx.getInput());
  return list;
});

const addTo = defineOrchestration('AddTo', async (ctx, key: string) => {
  await ctx.callEntity(counter(key), 'add', 1);
  return ctx.callEntity<number>(counter(key), 'get');
});

const callWithFailure = defineOrchestration('WithdrawTooMuch', async (ctx, key: string) => {
  try {
    await ctx.callEntity(accountOf(key), 'withdraw', 1_000_000);
    return 'withdrew';
  } catch (error) {
    return error instanceof EntityOperationFailedError ? `refused: ${error.details.errorMessage}` : 'other';
  }
});

/** Locks an account and waits for an event: the section stays open until it ends. */
const holdLock = defineOrchestration('HoldLock', async (ctx, key: string) => {
  await ctx.lockEntities(accountOf(key));
  const action = await ctx.waitForExternalEvent<string>('Go');
  if (action === 'fail') throw new Error('failed inside the critical section');
  return 'done';
});

const callTwice = defineOrchestration('CallTwice', async (ctx, key: string) => {
  await ctx.callEntity(counter(key), 'add', 1);
  await ctx.waitForExternalEvent('Go');
  await ctx.callEntity(counter(key), 'add', 1);
  return ctx.callEntity<number>(counter(key), 'get');
});

const signalInSection = defineOrchestration('SignalInSection', async (ctx, key: string) => {
  const id = { name: 'Journal', key };
  const lock = await ctx.lockEntities(id);
  ctx.signalEntity(id, 'append', 1);
  await ctx.callEntity(id, 'append', 2);
  const list = await ctx.callEntity<number[]>(id, 'get');
  lock.release();
  return list;
});

const alwaysFails = defineActivity('AlwaysFails', () => {
  throw new Error('no luck');
});

const callAfterFailure = defineOrchestration('CallAfterFailure', async (ctx, key: string) => {
  try {
    await ctx.callActivity('AlwaysFails');
  } catch {
    await ctx.callEntity(counter(key), 'add', 1);
    throw new Error('gave up');
  }
});

function testRegistry(): Registry {
  return sampleRegistry.add(
    journal,
    addTo,
    callWithFailure,
    holdLock,
    callTwice,
    signalInSection,
    alwaysFails,
    callAfterFailure,
  );
}

/** Deletes an instance document through a second connection, as lost state would look. */
async function deleteBehindTheBack(dir: string, instanceId: string): Promise<void> {
  const database = new SqliteDatabase(join(dir, 'durable.db'));
  const store = new SqliteStateStore(database);
  await store.deleteInstance(instanceId);
  await store.close();
}

describe('durable entities on the embedded platform', () => {
  let dir: string;
  let platform: EmbeddedPlatform | undefined;
  const registry = testRegistry();

  const start = async (faults?: FaultHook, atomicCommits = true): Promise<InstanceService> => {
    platform = await EmbeddedPlatform.start({
      dataDir: dir,
      registry,
      partitions: 4,
      atomicCommits,
      ...(faults !== undefined ? { faults } : {}),
    });
    return platform.client;
  };

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'durable-entities-'));
  });

  afterEach(async () => {
    await platform?.stop();
    platform = undefined;
    rmSync(dir, { recursive: true, force: true });
  });

  it('applies client signals in the order they were sent', async () => {
    const client = await start();
    for (let i = 0; i < 100; i++)
      await client.signalEntity({ name: 'Journal', key: 'j' }, 'append', String(i));
    await waitFor(
      async () =>
        ((await stateOf(client, { name: 'Journal', key: 'j' })) as unknown[] | undefined)?.length === 100,
    );
    expect(await stateOf(client, { name: 'Journal', key: 'j' })).toEqual(
      Array.from({ length: 100 }, (_, i) => i),
    );
  });

  it('runs the sample counter: add, reset, get from an orchestration', async () => {
    const client = await start();
    await client.signalEntity(counter('c1'), 'add', '5');
    await client.signalEntity(counter('c1'), 'add', '2');
    const { instanceId } = await client.start('AddTo', { input: '"c1"' });
    const status = await client.waitForCompletion(instanceId, { timeoutMs: 10_000 });
    expect(output(status?.output)).toBe(8);
    await client.signalEntity(counter('c1'), 'reset');
    await waitFor(async () => (await stateOf(client, counter('c1'))) === 0);
  });

  it('rolls back a failed operation and tells the calling orchestration why', async () => {
    const client = await start();
    await client.signalEntity(accountOf('poor'), 'deposit', '10');
    const { instanceId } = await client.start('WithdrawTooMuch', { input: '"poor"' });
    const status = await client.waitForCompletion(instanceId, { timeoutMs: 10_000 });
    expect(output(status?.output)).toBe('refused: insufficient funds: balance 10, asked 1000000');
    expect(await stateOf(client, accountOf('poor'))).toBe(10);
  });

  it('keeps the total of many concurrent bank transfers, with every transfer finishing', async () => {
    const client = await start();
    const keys = ['a', 'b', 'c', 'd', 'e'];
    for (const key of keys) await client.signalEntity(accountOf(key), 'deposit', '100');
    await waitFor(async () => {
      const states = await Promise.all(keys.map((k) => stateOf(client, accountOf(k))));
      return states.every((s) => s === 100);
    });
    let seed = 7;
    const random = () => (seed = (seed * 48271) % 2147483647) / 2147483647;
    const transfers = Array.from({ length: 60 }, () => ({
      from: keys[Math.floor(random() * keys.length)] as string,
      to: keys[Math.floor(random() * keys.length)] as string,
      amount: 1 + Math.floor(random() * 60),
    }));
    const started = await Promise.all(
      transfers.map((t) => client.start('BankTransfer', { input: JSON.stringify(t) })),
    );
    for (const { instanceId } of started) {
      const status = await client.waitForCompletion(instanceId, { timeoutMs: 30_000 });
      expect(status?.runtimeStatus).toBe('Completed');
    }
    const balances = await Promise.all(keys.map((k) => stateOf(client, accountOf(k))));
    expect(balances.reduce((sum: number, b) => sum + (b as number), 0)).toBe(500);
    expect(balances.every((b) => (b as number) >= 0)).toBe(true);
    // The last releases may still be on their way once the orchestrations have finished.
    for (const key of keys) {
      await waitFor(async () => (await client.getEntity(accountOf(key)))?.lockedBy === undefined);
      expect(await client.getEntity(accountOf(key))).toMatchObject({ backlogQueueSize: 0 });
    }
  });

  it('queues other callers while a critical section holds the lock, and releases it when the orchestration fails or is terminated', async () => {
    const client = await start();
    await client.signalEntity(accountOf('x'), 'deposit', '50');
    for (const ending of ['fail', 'terminate'] as const) {
      const holder = await client.start('HoldLock', { input: '"x"' });
      await waitFor(async () => (await client.getEntity(accountOf('x')))?.lockedBy === holder.instanceId);
      await client.signalEntity(accountOf('x'), 'deposit', '1');
      await waitFor(async () => (await client.getEntity(accountOf('x')))?.backlogQueueSize === 1);
      const before = await stateOf(client, accountOf('x'));
      if (ending === 'fail') await client.raiseEvent(holder.instanceId, 'Go', '"fail"');
      else await client.terminate(holder.instanceId, 'stop');
      const ended = await client.waitForCompletion(holder.instanceId, { timeoutMs: 10_000 });
      expect(ended?.runtimeStatus).toBe(ending === 'fail' ? 'Failed' : 'Terminated');
      await waitFor(async () => (await stateOf(client, accountOf('x'))) === (before as number) + 1);
      const entity = await client.getEntity(accountOf('x'));
      expect(entity?.lockedBy).toBeUndefined();
      expect(entity?.backlogQueueSize).toBe(0);
    }
  });

  it('delivers a scheduled signal at its time, not before, across a restart', async () => {
    let client = await start();
    const at = new Date(Date.now() + 1500);
    await client.signalEntity(counter('later'), 'add', '3', { scheduledTime: at });
    await waitFor(
      async () =>
        (await client.queryEntities({ name: 'Counter', includeDeleted: true })).entities.length === 1,
    );
    expect(await client.getEntity(counter('later'))).toBeUndefined();
    await platform?.stop();
    client = await start();
    await waitFor(async () => (await stateOf(client, counter('later'))) === 3, 10_000);
    const applied = await client.getEntity(counter('later'));
    expect(Date.parse(applied?.lastModifiedTime ?? '')).toBeGreaterThanOrEqual(at.getTime());
  });

  it('lets an entity start an orchestration once its operation succeeds', async () => {
    const client = await start();
    await client.signalEntity({ name: 'Journal', key: 'starter' }, 'start', '"from-entity"');
    await waitFor(async () => (await stateOf(client, counter('from-entity'))) === 1);
  });

  it('queries entities by name with paging, and cleans empty entities and orphaned locks', async () => {
    const client = await start();
    for (let i = 0; i < 5; i++) await client.signalEntity(counter(`q${i}`), 'add', String(i + 1));
    await client.signalEntity({ name: 'Journal', key: 'other' }, 'append', '1');
    await waitFor(async () => (await stateOf(client, counter('q4'))) === 5);
    const keys: string[] = [];
    let token: string | undefined;
    do {
      const page = await client.queryEntities({
        name: 'counter',
        pageSize: 2,
        includeState: true,
        ...(token !== undefined ? { continuationToken: token } : {}),
      });
      keys.push(...page.entities.map((e) => `${e.entityId.key}=${e.state}`));
      token = page.continuationToken;
    } while (token !== undefined);
    expect(keys.sort()).toEqual(['q0=1', 'q1=2', 'q2=3', 'q3=4', 'q4=5']);
    const byPrefix = await client.queryEntities({ namePrefix: 'COUN' });
    expect(byPrefix.entities.map((e) => e.entityId.name)).toEqual(Array(5).fill('counter'));
    await expect(client.queryEntities({ keyPrefix: 'q' })).rejects.toBeInstanceOf(InvalidArgumentError);

    await client.deleteEntity(counter('q0'));
    await waitFor(async () => (await client.getEntity(counter('q0'))) === undefined);
    // A grant to an orchestration that was terminated and purged while waiting: released at once.
    const holder = await client.start('HoldLock', { input: '"orphan"' });
    await waitFor(async () => (await lockedBy(client, 'orphan')) === holder.instanceId);
    const waiter = await client.start('HoldLock', { input: '"orphan"' });
    await waitFor(
      async () =>
        (await client.queryEntities({ name: 'account', includeDeleted: true })).entities[0]
          ?.backlogQueueSize === 1,
    );
    await client.terminate(waiter.instanceId);
    await client.waitForCompletion(waiter.instanceId, { timeoutMs: 10_000 });
    await client.purge(waiter.instanceId);
    await client.raiseEvent(holder.instanceId, 'Go', '"ok"');
    await client.waitForCompletion(holder.instanceId, { timeoutMs: 10_000 });
    await waitFor(async () => (await lockedBy(client, 'orphan')) === undefined);
    // A holder whose state is lost (deleted behind the platform's back) leaves an orphaned lock.
    const lost = await client.start('HoldLock', { input: '"orphan"' });
    await waitFor(async () => (await lockedBy(client, 'orphan')) === lost.instanceId);
    await deleteBehindTheBack(dir, lost.instanceId);

    const cleaned = await client.cleanEntityStorage({
      removeEmptyEntities: true,
      releaseOrphanedLocks: true,
    });
    expect(cleaned).toEqual({ emptyEntitiesRemoved: 1, orphanedLocksReleased: 1 });
    await waitFor(async () => (await lockedBy(client, 'orphan')) === undefined);
    const again = await client.cleanEntityStorage({ removeEmptyEntities: true, releaseOrphanedLocks: true });
    expect(again.orphanedLocksReleased).toBe(0);
    const all = await client.queryEntities({ name: 'counter', includeDeleted: true });
    expect(all.entities.map((e) => e.entityId.key).sort()).toEqual(['q1', 'q2', 'q3', 'q4']);
  });

  it('answers calls again after the entity document was cleaned away and created anew', async () => {
    const client = await start();
    const { instanceId } = await client.start('CallTwice', { input: '"gone"' });
    await waitFor(async () => (await stateOf(client, counter('gone'))) === 1);
    await client.deleteEntity(counter('gone'));
    await waitFor(async () => (await client.getEntity(counter('gone'))) === undefined);
    const cleaned = await client.cleanEntityStorage({
      removeEmptyEntities: true,
      releaseOrphanedLocks: false,
    });
    expect(cleaned.emptyEntitiesRemoved).toBe(1);
    await client.raiseEvent(instanceId, 'Go', 'null');
    const done = await client.waitForCompletion(instanceId, { timeoutMs: 10_000 });
    expect(done?.runtimeStatus).toBe('Completed');
    expect(output(done?.output)).toBe(1);
  });

  it('runs a lock holder’s signals inside its critical section, in order with its calls', async () => {
    const client = await start();
    const { instanceId } = await client.start('SignalInSection', { input: '"ordered"' });
    const done = await client.waitForCompletion(instanceId, { timeoutMs: 10_000 });
    expect(output(done?.output)).toEqual([1, 2]);
  });

  it('gets entity results again after a rewind, and its new calls are not taken for resent copies', async () => {
    const client = await start();
    const { instanceId } = await client.start('CallAfterFailure', { input: '"rewound"' });
    expect((await client.waitForCompletion(instanceId, { timeoutMs: 10_000 }))?.runtimeStatus).toBe('Failed');
    expect(await stateOf(client, counter('rewound'))).toBe(1);
    await client.rewind(instanceId);
    await waitFor(async () => (await stateOf(client, counter('rewound'))) === 2);
    expect((await client.waitForCompletion(instanceId, { timeoutMs: 10_000 }))?.runtimeStatus).toBe('Failed');
  });

  it('refuses unknown entities and bad operation names', async () => {
    const client = await start();
    await expect(client.signalEntity({ name: 'Ghost', key: 'k' }, 'add')).rejects.toBeInstanceOf(
      EntityNotRegisteredError,
    );
    await expect(client.signalEntity(counter('k'), '$delete')).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(client.signalEntity(counter('k'), 'add', '{not json')).rejects.toBeInstanceOf(
      InvalidArgumentError,
    );
    await expect(client.signalEntity({ name: 'a@b', key: 'k' }, 'add')).rejects.toBeInstanceOf(
      InvalidArgumentError,
    );
    await expect(client.signalEntity(accountOf('k'), 'fly', '1')).rejects.toThrow(
      /has no operation 'fly' \(it has: deposit, withdraw, balance\)/,
    );
    await client.signalEntity(accountOf('k'), 'DEPOSIT', '1');
  });

  it.each(
    [FaultPoint.AfterStateCommit, FaultPoint.AfterOutboxSend].flatMap((point) => [
      [point, 'three-step'],
      [point, 'atomic'],
    ]),
  )('applies every operation exactly once when a step fails at %s (%s commits)', async (point, mode) => {
    let failures = 0;
    const faults: FaultHook = (at) => {
      if (at === point && failures < 4) {
        failures++;
        throw new Error(`injected failure at ${at}`);
      }
    };
    const client = await start(faults, mode === 'atomic');
    const callers = await Promise.all(
      Array.from({ length: 10 }, () => client.start('AddTo', { input: '"exact"' })),
    );
    for (let i = 0; i < 20; i++) await client.signalEntity(counter('exact'), 'add', '1');
    for (const { instanceId } of callers) {
      expect((await client.waitForCompletion(instanceId, { timeoutMs: 20_000 }))?.runtimeStatus).toBe(
        'Completed',
      );
    }
    await waitFor(async () => (await stateOf(client, counter('exact'))) === 30);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(await stateOf(client, counter('exact'))).toBe(30);
    expect(failures).toBe(4);
  });
});

async function stateOf(client: InstanceService, id: { name: string; key: string }): Promise<unknown> {
  const entity = await client.getEntity(id, { includeState: true });
  return entity?.state === undefined ? undefined : JSON.parse(entity.state);
}

async function lockedBy(client: InstanceService, key: string): Promise<string | undefined> {
  const page = await client.queryEntities({ name: 'account', keyPrefix: key, includeDeleted: true });
  return page.entities.find((e) => e.entityId.key === key)?.lockedBy;
}

async function waitFor(condition: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
