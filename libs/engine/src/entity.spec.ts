import {
  EntityOperationFailedError,
  InvalidArgumentError,
  type HistoryEvent,
  type OrchestratorAction,
} from '@durable/core';
import { events as e } from '@durable/core/testing';
import { defineOrchestration } from './definitions';
import { defineEntity, DurableEntity, executeEntityBatch, type EntityContext } from './entity';
import { OrchestrationExecutor } from './executor';
import { Registry } from './registry';

const counterFn = defineEntity('Counter', (ctx: EntityContext<number>) => {
  switch (ctx.operationName) {
    case 'add': {
      const amount = ctx.getInput<number>();
      if (typeof amount !== 'number') throw new Error('add needs a number');
      ctx.setState((ctx.getState(() => 0) ?? 0) + amount);
      return undefined;
    }
    case 'get':
      return ctx.getState(() => 0);
    case 'reset':
      ctx.deleteState();
      return undefined;
    case 'notify':
      ctx.signalEntity({ name: 'Counter', key: 'other' }, 'add', 1);
      ctx.startNewOrchestration('Audit', { from: ctx.entityId.key });
      throw new Error('changed my mind');
    default:
      throw new Error(`unknown operation ${ctx.operationName}`);
  }
});

class Account extends DurableEntity<{ balance: number; owner?: string }> {
  initialState() {
    return { balance: 0 };
  }
  deposit(amount: number) {
    this.state.balance += amount;
    return this.state.balance;
  }
  withdraw(amount: number) {
    if (amount > this.state.balance) throw new Error('insufficient funds');
    this.state.balance -= amount;
    return this.state.balance;
  }
  async balance() {
    return this.state.balance;
  }
  close() {
    this.deleteState();
  }
  _helper() {
    return 'not an operation';
  }
}
const account = defineEntity('Account', Account);

const registry = new Registry().add(counterFn, account);
const op = (operation: string, input?: unknown, requestId = `r-${operation}`) => ({
  operation,
  ...(input !== undefined ? { input: JSON.stringify(input) } : {}),
  requestId,
});

describe('entity operations', () => {
  it('run one after another on the state, each seeing the last', async () => {
    const result = await executeEntityBatch(registry, '@counter@a', undefined, [
      op('add', 2),
      op('add', 3),
      op('get'),
    ]);
    expect(result.outcomes).toEqual([{ ok: true }, { ok: true }, { ok: true, result: '5' }]);
    expect(result.state).toBe('5');
  });

  it('roll back a failed operation: state and messages stay as before it', async () => {
    const result = await executeEntityBatch(registry, '@counter@a', '10', [
      op('add', 'x'),
      op('notify'),
      op('add', 1),
    ]);
    expect(result.outcomes[0]).toMatchObject({
      ok: false,
      failureDetails: { errorMessage: 'add needs a number' },
    });
    expect(result.outcomes[1]).toMatchObject({
      ok: false,
      failureDetails: { errorMessage: 'changed my mind' },
    });
    expect(result.outcomes[2]).toEqual({ ok: true });
    expect(result.state).toBe('11');
    expect(result.actions).toEqual([]);
  });

  it('refuse to keep a state over the size limit, rolling the operation back', async () => {
    const big = defineEntity('Big', (ctx) => {
      ctx.setState('x'.repeat(ctx.getInput<number>()));
    });
    const result = await executeEntityBatch(new Registry().add(big), '@big@k', '"small"', [
      op('grow', 2_000_000),
    ]);
    expect(result.outcomes[0]).toMatchObject({
      ok: false,
      failureDetails: { errorType: 'PayloadTooLargeError' },
    });
    expect(result.state).toBe('"small"');
  });

  it('delete the state, so the entity no longer exists', async () => {
    const result = await executeEntityBatch(registry, '@counter@a', '7', [op('reset')]);
    expect(result.state).toBeUndefined();
  });

  it('dispatch class methods by name, case-insensitively, with the initial state', async () => {
    const result = await executeEntityBatch(registry, '@account@alice', undefined, [
      op('deposit', 100),
      op('Withdraw', 30),
      op('withdraw', 500),
      op('balance'),
    ]);
    expect(result.outcomes.map((o) => (o.ok ? o.result : o.failureDetails.errorMessage))).toEqual([
      '100',
      '70',
      'insufficient funds',
      '70',
    ]);
    expect(JSON.parse(result.state as string)).toEqual({ balance: 70 });
  });

  it('refuse operations a class does not have, and methods starting with _', async () => {
    const result = await executeEntityBatch(registry, '@account@alice', '{"balance":1}', [
      op('fly'),
      op('_helper'),
    ]);
    expect(result.outcomes).toEqual([
      expect.objectContaining({
        ok: false,
        failureDetails: expect.objectContaining({ errorType: 'EntityOperationNotFoundError' }),
      }),
      expect.objectContaining({
        ok: false,
        failureDetails: expect.objectContaining({ errorType: 'EntityOperationNotFoundError' }),
      }),
    ]);
    expect(result.state).toBe('{"balance":1}');
  });

  it('lets a class entity delete itself', async () => {
    const result = await executeEntityBatch(registry, '@account@alice', '{"balance":1}', [op('close')]);
    expect(result.state).toBeUndefined();
  });

  it('fail every operation of an entity that is not registered', async () => {
    const result = await executeEntityBatch(registry, '@ghost@a', undefined, [op('x')]);
    expect(result.outcomes[0]).toMatchObject({
      ok: false,
      failureDetails: { errorType: 'EntityNotRegisteredError', isNonRetriable: true },
    });
  });

  it('start orchestrations and signal entities only when the operation succeeds, with ids stable across runs', async () => {
    const starter = defineEntity('Starter', (ctx) => {
      ctx.signalEntity({ name: 'Counter', key: 'b' }, 'add', 2, {
        scheduledTime: new Date(Date.UTC(2030, 0, 1)),
      });
      return ctx.startNewOrchestration('Audit', 1);
    });
    const reg = new Registry().add(starter);
    const first = await executeEntityBatch(reg, '@starter@k', undefined, [op('go', undefined, 'req-1')]);
    const again = await executeEntityBatch(reg, '@starter@k', undefined, [op('go', undefined, 'req-1')]);
    expect(first.actions).toEqual(again.actions);
    expect(first.actions).toEqual([
      {
        type: 'signal',
        targetInstanceId: '@counter@b',
        operation: 'add',
        input: '2',
        scheduledTime: '2030-01-01T00:00:00.000Z',
      },
      { type: 'startOrchestration', name: 'Audit', instanceId: expect.any(String), input: '1' },
    ]);
  });

  it('refuse reserved and empty operation names', () => {
    const orch = new OrchestrationExecutor(
      new Registry().add(
        defineOrchestration('Bad', async (ctx) => {
          ctx.signalEntity({ name: 'counter', key: 'a' }, '$delete');
        }),
      ),
    );
    return expect(
      orch.execute([], [e.orchestratorStarted(), e.executionStarted('Bad')]),
    ).resolves.toMatchObject({
      completion: { orchestrationStatus: 'Failed', failureDetails: { errorType: 'InvalidArgumentError' } },
    });
  });
});

describe('orchestrations and entities', () => {
  const counter = { name: 'Counter', key: 'a' };
  const a = { name: 'Account', key: 'a' };
  const b = { name: 'Account', key: 'b' };

  const transfer = defineOrchestration('Transfer', async (ctx, amount: number) => {
    const lock = await ctx.lockEntities(b, a);
    try {
      const balance = await ctx.callEntity<number>(a, 'balance');
      if (balance < amount) return 'refused';
      await ctx.callEntity(a, 'withdraw', amount);
      await ctx.callEntity(b, 'deposit', amount);
      return 'moved';
    } finally {
      lock.release();
    }
  });
  const caller = defineOrchestration('Caller', async (ctx) => {
    ctx.signalEntity(counter, 'add', 5);
    try {
      return await ctx.callEntity<number>(counter, 'get');
    } catch (error) {
      return error instanceof EntityOperationFailedError ? `failed: ${error.details.errorMessage}` : 'other';
    }
  });
  const reg = new Registry().add(transfer, caller);
  const executor = new OrchestrationExecutor(reg);
  const parent = { instanceId: 'test', executionId: 'exec-1' };
  const start = (name: string, input?: unknown): HistoryEvent[] => [
    e.orchestratorStarted(),
    e.executionStarted(name, input, parent),
  ];
  const requestOf = (actions: readonly OrchestratorAction[], i: number) => {
    const action = actions[i];
    if (action?.type !== 'SendEntityMessage') throw new Error(`no entity message at ${i}`);
    return action;
  };

  it('signal and call an entity, and complete with the call result', async () => {
    const first = await executor.execute([], start('Caller'));
    expect(first.actions).toEqual([
      expect.objectContaining({
        type: 'SendEntityMessage',
        id: 0,
        kind: 'signal',
        targetInstanceId: '@counter@a',
        operation: 'add',
        input: '5',
      }),
      expect.objectContaining({
        type: 'SendEntityMessage',
        id: 1,
        kind: 'call',
        targetInstanceId: '@counter@a',
        operation: 'get',
      }),
    ]);
    const call = requestOf(first.actions, 1);
    const past = [
      ...start('Caller'),
      e.entitySignaled(0, '@counter@a', 'add', 5, requestOf(first.actions, 0).requestId),
      e.entityCalled(1, '@counter@a', 'get', undefined, parent, call.requestId),
      e.orchestratorCompleted(),
    ];
    const done = await executor.execute(past, [
      e.orchestratorStarted(),
      e.entityCompleted(call.requestId, 5),
    ]);
    expect(done.completion).toMatchObject({ orchestrationStatus: 'Completed', result: '5' });
  });

  it('surface a failed entity operation as EntityOperationFailedError', async () => {
    const first = await executor.execute([], start('Caller'));
    const call = requestOf(first.actions, 1);
    const past = [
      ...start('Caller'),
      e.entitySignaled(0, '@counter@a', 'add', 5, requestOf(first.actions, 0).requestId),
      e.entityCalled(1, '@counter@a', 'get', undefined, parent, call.requestId),
    ];
    const done = await executor.execute(past, [e.entityFailed(call.requestId, { errorMessage: 'boom' })]);
    expect(done.completion).toMatchObject({ result: '"failed: boom"' });
  });

  it('ignore a response to a request it never made', async () => {
    const session = executor.createSession();
    await session.execute([], start('Caller'));
    const result = await session.execute([], [e.entityCompleted('someone-else', 1)]);
    expect(result.completion).toBeUndefined();
  });

  it('lock the entities in sorted order, call them inside the section, and release every lock', async () => {
    const session = executor.createSession();
    const first = await session.execute([], start('Transfer', 30));
    const lock = requestOf(first.actions, 0);
    expect(lock).toMatchObject({
      kind: 'lock',
      targetInstanceId: '@account@a',
      lockSet: ['@account@a', '@account@b'],
    });
    const second = await session.execute([], [e.lockGranted(lock.requestId)]);
    const balance = requestOf(second.actions, 0);
    expect(balance).toMatchObject({ kind: 'call', operation: 'balance', targetInstanceId: '@account@a' });
    const third = await session.execute([], [e.entityCompleted(balance.requestId, 100)]);
    const withdraw = requestOf(third.actions, 0);
    const fourth = await session.execute([], [e.entityCompleted(withdraw.requestId, 70)]);
    const deposit = requestOf(fourth.actions, 0);
    const last = await session.execute([], [e.entityCompleted(deposit.requestId, 30)]);
    expect(
      last.actions.map((action) =>
        action.type === 'SendEntityMessage' ? `${action.kind} ${action.targetInstanceId}` : action.type,
      ),
    ).toEqual(['unlock @account@a', 'unlock @account@b', 'CompleteOrchestration']);
    expect(requestOf(last.actions, 0).requestId).toBe(lock.requestId);
  });

  it('replays a critical section from history to the same next step', async () => {
    const session = executor.createSession();
    const history: HistoryEvent[] = [...start('Transfer', 30)];
    const first = await session.execute([], history);
    const lock = requestOf(first.actions, 0);
    history.push(
      e.lockRequested(0, ['@account@a', '@account@b'], 'test', lock.requestId),
      e.lockGranted(lock.requestId),
    );
    const second = await session.execute([], [e.lockGranted(lock.requestId)]);
    const balance = requestOf(second.actions, 0);
    history.push(e.entityCalled(1, '@account@a', 'balance', undefined, parent, balance.requestId));
    const replayed = await executor.execute(history, [e.entityCompleted(balance.requestId, 10)]);
    expect(replayed.actions.map((action) => action.type)).toEqual([
      'SendEntityMessage',
      'SendEntityMessage',
      'CompleteOrchestration',
    ]);
    expect(replayed.completion).toMatchObject({ result: '"refused"' });
  });

  it('fails with a NonDeterminismError when history locked other entities', async () => {
    const history = [...start('Transfer', 30), e.lockRequested(0, ['@account@x'])];
    const result = await executor.execute(history, []);
    expect(result.completion).toMatchObject({
      orchestrationStatus: 'Failed',
      failureDetails: { errorType: 'NonDeterminismError' },
    });
  });

  it('refuse calls to entities outside the critical section, and nested sections', async () => {
    const outside = defineOrchestration('Outside', async (ctx) => {
      const lock = await ctx.lockEntities(a);
      try {
        await ctx.callEntity(b, 'balance');
      } catch (error) {
        lock.release();
        return error instanceof InvalidArgumentError ? error.message : 'other';
      }
      return 'called';
    });
    const nested = defineOrchestration('Nested', async (ctx) => {
      await ctx.lockEntities(a);
      try {
        await ctx.lockEntities(b);
      } catch (error) {
        return ctx.isInCriticalSection() && error instanceof InvalidArgumentError;
      }
      return false;
    });
    const ex = new OrchestrationExecutor(new Registry().add(outside, nested));
    for (const [name, expected] of [
      ['Outside', /only call the entities it locked/],
      ['Nested', /true/],
    ] as const) {
      const session = ex.createSession();
      const first = await session.execute([], start(name));
      const result = await session.execute([], [e.lockGranted(requestOf(first.actions, 0).requestId)]);
      expect(result.completion?.result).toMatch(expected);
    }
  });
});
