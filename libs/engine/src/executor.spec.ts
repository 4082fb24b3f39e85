import { type HistoryEvent, type OrchestratorAction, toTimestamp } from '@durable/core';
import { events as e, testEpoch } from '@durable/core/testing';
import { defineActivity, defineOrchestration, type OrchestrationContext } from './definitions';
import { OrchestrationExecutor } from './executor';
import type { Logger } from './logger';
import { Registry } from './registry';
import { helloSequence, sayHello } from './samples/hello';

const start = (name: string, input?: unknown): HistoryEvent[] => [
  e.orchestratorStarted(),
  e.executionStarted(name, input),
];

function executorFor(
  ...orchestrators: Array<[string, (ctx: OrchestrationContext, input: never) => Promise<unknown>]>
) {
  const registry = new Registry();
  for (const [name, fn] of orchestrators) registry.addOrchestrator(name, fn);
  return new OrchestrationExecutor(registry);
}

const completion = (actions: readonly OrchestratorAction[]) => {
  const last = actions[actions.length - 1];
  if (last?.type !== 'CompleteOrchestration') throw new Error(`no completion in ${JSON.stringify(actions)}`);
  return last;
};

describe('OrchestrationExecutor: history in, actions out', () => {
  const registry = new Registry().add(sayHello, helloSequence);
  const executor = new OrchestrationExecutor(registry);

  it('schedules the first activity when the orchestration starts', async () => {
    const result = await executor.execute([], start('HelloSequence'));
    expect(result.actions).toEqual([{ type: 'ScheduleTask', id: 0, name: 'SayHello', input: '"Tokyo"' }]);
    expect(result.completion).toBeUndefined();
  });

  it('replays recorded steps and schedules only the next one', async () => {
    const past = [
      ...start('HelloSequence'),
      e.taskScheduled(0, 'SayHello', 'Tokyo'),
      e.orchestratorCompleted(),
    ];
    const result = await executor.execute(past, [
      e.orchestratorStarted(),
      e.taskCompleted(0, 'Hello Tokyo!'),
    ]);
    expect(result.actions).toEqual([{ type: 'ScheduleTask', id: 1, name: 'SayHello', input: '"Seattle"' }]);
  });

  it('completes with the output once every result is in history', async () => {
    const past = [
      ...start('HelloSequence'),
      e.taskScheduled(0, 'SayHello', 'Tokyo'),
      e.taskCompleted(0, 'Hello Tokyo!'),
      e.taskScheduled(1, 'SayHello', 'Seattle'),
      e.taskCompleted(1, 'Hello Seattle!'),
      e.taskScheduled(2, 'SayHello', 'London'),
    ];
    const result = await executor.execute(past, [
      e.orchestratorStarted(),
      e.taskCompleted(2, 'Hello London!'),
    ]);
    expect(result.actions).toEqual([
      {
        type: 'CompleteOrchestration',
        id: 3,
        orchestrationStatus: 'Completed',
        result: JSON.stringify(['Hello Tokyo!', 'Hello Seattle!', 'Hello London!']),
      },
    ]);
    expect(result.completion?.orchestrationStatus).toBe('Completed');
  });

  it('replays a long sequence across many episodes, one new action per episode', async () => {
    const steps = 60;
    const longSequence = executorFor([
      'Long',
      async (ctx) => {
        let total = 0;
        for (let i = 0; i < steps; i++) total += await ctx.callActivity<number>('Add', i);
        return total;
      },
    ]);
    const history: HistoryEvent[] = [];
    let newEvents: HistoryEvent[] = start('Long');
    for (let i = 0; i < steps; i++) {
      const result = await longSequence.execute(history, newEvents);
      expect(result.actions).toEqual([{ type: 'ScheduleTask', id: i, name: 'Add', input: String(i) }]);
      history.push(...newEvents, e.taskScheduled(i, 'Add', i), e.orchestratorCompleted());
      newEvents = [e.orchestratorStarted(), e.taskCompleted(i, i)];
    }
    const last = await longSequence.execute(history, newEvents);
    expect(completion(last.actions).result).toBe(String((steps * (steps - 1)) / 2));
  });

  it('gives a cached session the same actions as a full replay, from new events only', async () => {
    const session = executor.createSession();
    const first = await session.execute([], start('HelloSequence'));
    const second = await session.execute([], [e.orchestratorStarted(), e.taskCompleted(0, 'Hello Tokyo!')]);
    const replayed = await executor.execute(
      [...start('HelloSequence'), e.taskScheduled(0, 'SayHello', 'Tokyo')],
      [e.orchestratorStarted(), e.taskCompleted(0, 'Hello Tokyo!')],
    );
    expect(first.actions).toEqual([{ type: 'ScheduleTask', id: 0, name: 'SayHello', input: '"Tokyo"' }]);
    expect(second.actions).toEqual(replayed.actions);
  });

  it('fails with OrchestratorNotRegisteredError for an unknown name', async () => {
    const result = await executor.execute([], start('Nope'));
    expect(completion(result.actions)).toMatchObject({
      orchestrationStatus: 'Failed',
      failureDetails: {
        errorType: 'OrchestratorNotRegisteredError',
        errorMessage: expect.stringContaining("'Nope'"),
      },
    });
  });
});

describe('fan-out and fan-in', () => {
  const fan = executorFor(
    [
      'WhenAll',
      async (ctx, n: number) => {
        const results = await ctx.whenAll(
          Array.from({ length: n }, (_, i) => ctx.callActivity<number>('Square', i)),
        );
        return results.reduce((a, b) => a + b, 0);
      },
    ],
    [
      'PromiseAll',
      async (ctx) => {
        const [a, b] = await Promise.all([ctx.callActivity<string>('A'), ctx.callActivity<string>('B')]);
        return `${a}${b}`;
      },
    ],
  );

  it('schedules every task of a fan-out in one episode', async () => {
    const result = await fan.execute([], start('WhenAll', 3));
    expect(result.actions.map((a) => [a.type, a.id])).toEqual([
      ['ScheduleTask', 0],
      ['ScheduleTask', 1],
      ['ScheduleTask', 2],
    ]);
  });

  it('fans in when results arrive in any order, across episodes', async () => {
    const session = fan.createSession();
    await session.execute([], start('WhenAll', 3));
    const partial = await session.execute(
      [],
      [e.orchestratorStarted(), e.taskCompleted(2, 4), e.taskCompleted(0, 0)],
    );
    expect(partial.actions).toEqual([]);
    const done = await session.execute([], [e.orchestratorStarted(), e.taskCompleted(1, 1)]);
    expect(completion(done.actions).result).toBe('5');
  });

  it('makes Promise.all over durable tasks work', async () => {
    const past = [...start('PromiseAll'), e.taskScheduled(0, 'A'), e.taskScheduled(1, 'B')];
    const result = await fan.execute(past, [
      e.orchestratorStarted(),
      e.taskCompleted(1, 'b'),
      e.taskCompleted(0, 'a'),
    ]);
    expect(completion(result.actions).result).toBe('"ab"');
  });

  it('fails the fan-in with the first failure', async () => {
    const past = [...start('WhenAll', 2), e.taskScheduled(0, 'Square', 0), e.taskScheduled(1, 'Square', 1)];
    const result = await fan.execute(past, [
      e.orchestratorStarted(),
      e.taskFailed(1, { errorType: 'RangeError', errorMessage: 'too big' }),
    ]);
    expect(completion(result.actions)).toMatchObject({
      orchestrationStatus: 'Failed',
      failureDetails: {
        errorType: 'ActivityFailedError',
        innerFailure: { errorType: 'RangeError', errorMessage: 'too big' },
      },
    });
  });

  it('fans out and in over 10,000 activities', async () => {
    const n = 10_000;
    const session = fan.createSession();
    const first = await session.execute([], start('WhenAll', n));
    expect(first.actions).toHaveLength(n);
    const results = Array.from({ length: n }, (_, i) => e.taskCompleted(i, i * i));
    const done = await session.execute([], [e.orchestratorStarted(), ...results]);
    expect(completion(done.actions).result).toBe(String(((n - 1) * n * (2 * n - 1)) / 6));
  });
});

describe('timers', () => {
  const fireAt = testEpoch + 60_000;
  const timers = executorFor(
    [
      'Delay',
      async (ctx) => {
        await ctx.createTimer(60_000);
        return ctx.currentUtcDateTime.toISOString();
      },
    ],
    [
      'FarFuture',
      async (ctx) => {
        await ctx.createTimer(new Date('2125-06-01T00:00:00Z'));
        return 'woke';
      },
    ],
  );

  it('creates a timer relative to the orchestration clock and resumes when it fires', async () => {
    const first = await timers.execute([], start('Delay'));
    expect(first.actions).toEqual([{ type: 'CreateTimer', id: 0, fireAt: toTimestamp(fireAt) }]);
    const done = await timers.execute(
      [...start('Delay'), e.timerCreated(0, fireAt)],
      [e.orchestratorStarted(fireAt + 5), e.timerFired(0, fireAt)],
    );
    expect(completion(done.actions).result).toBe(JSON.stringify(toTimestamp(fireAt + 5)));
  });

  it('accepts timers a century away without a maximum', async () => {
    const first = await timers.execute([], start('FarFuture'));
    expect(first.actions).toEqual([{ type: 'CreateTimer', id: 0, fireAt: '2125-06-01T00:00:00.000Z' }]);
    const done = await timers.execute(
      [...start('FarFuture'), e.timerCreated(0, '2125-06-01T00:00:00.000Z')],
      [e.orchestratorStarted('2125-06-01T00:00:00.000Z'), e.timerFired(0, '2125-06-01T00:00:00.000Z')],
    );
    expect(completion(done.actions).result).toBe('"woke"');
  });

  it('fails the orchestration on an invalid timer', async () => {
    const bad = executorFor(['Bad', async (ctx) => ctx.createTimer(Number.NaN)]);
    const result = await bad.execute([], start('Bad'));
    expect(completion(result.actions).failureDetails).toMatchObject({ errorType: 'InvalidArgumentError' });
  });
});

describe('external events', () => {
  const approval = executorFor(
    [
      'Approval',
      async (ctx) => {
        const event = ctx.waitForExternalEvent<boolean>('Approval');
        const timeout = ctx.createTimer(30_000);
        const first = await ctx.whenAny([event, timeout]);
        if (first === 1) return 'timed out';
        return event.result ? 'approved' : 'rejected';
      },
    ],
    [
      'WithTimeout',
      async (ctx) => {
        try {
          return await ctx.waitForExternalEvent<string>('Go', { timeout: 1000 });
        } catch (error) {
          return (error as Error).name;
        }
      },
    ],
    [
      'TwoWaiters',
      async (ctx) => {
        const a = ctx.waitForExternalEvent<number>('x');
        const b = ctx.waitForExternalEvent<number>('X');
        return [await a, await b];
      },
    ],
  );
  const past = [...start('Approval'), e.timerCreated(0, testEpoch + 30_000)];

  it('lets an event win a race against a timer', async () => {
    const result = await approval.execute(past, [e.orchestratorStarted(), e.eventRaised('Approval', true)]);
    expect(completion(result.actions).result).toBe('"approved"');
  });

  it('lets a timer win a race against an event, and ignores the late event', async () => {
    const result = await approval.execute(past, [
      e.orchestratorStarted(),
      e.timerFired(0, testEpoch + 30_000),
      e.eventRaised('Approval', true),
    ]);
    expect(completion(result.actions).result).toBe('"timed out"');
  });

  it('fails the wait with TimeoutError when the timeout fires first', async () => {
    const first = await approval.execute([], start('WithTimeout'));
    expect(first.actions).toEqual([{ type: 'CreateTimer', id: 0, fireAt: toTimestamp(testEpoch + 1000) }]);
    const result = await approval.execute(
      [...start('WithTimeout'), e.timerCreated(0, testEpoch + 1000)],
      [e.orchestratorStarted(), e.timerFired(0, testEpoch + 1000)],
    );
    expect(completion(result.actions).result).toBe('"TimeoutError"');
  });

  it('completes a wait with a timeout when the event comes in the same episode', async () => {
    const result = await approval.execute([], [...start('WithTimeout'), e.eventRaised('go', 'early')]);
    expect(result.actions.map((a) => a.type)).toEqual(['CreateTimer', 'CompleteOrchestration']);
    expect(completion(result.actions).result).toBe('"early"');
  });

  it('matches event names case-insensitively and serves waiters first come, first served', async () => {
    const result = await approval.execute(
      [],
      [...start('TwoWaiters'), e.eventRaised('X', 1), e.eventRaised('x', 2)],
    );
    expect(completion(result.actions).result).toBe('[1,2]');
  });

  it('buffers an event raised before the wait and hands it over when the code asks', async () => {
    const late = executorFor([
      'Late',
      async (ctx) => {
        await ctx.callActivity('First');
        return ctx.waitForExternalEvent('ping');
      },
    ]);
    const result = await late.execute(
      [...start('Late'), e.taskScheduled(0, 'First')],
      [e.orchestratorStarted(), e.eventRaised('ping', 'p'), e.taskCompleted(0)],
    );
    expect(result.actions).toEqual([
      { type: 'CompleteOrchestration', id: 1, orchestrationStatus: 'Completed', result: '"p"' },
    ]);
  });

  it('sends events to other instances and checks them on replay', async () => {
    const sender = executorFor([
      'Sender',
      async (ctx) => {
        ctx.sendEvent('other', 'hello', { n: 1 });
        await ctx.createTimer(10);
        return 'sent';
      },
    ]);
    const first = await sender.execute([], start('Sender'));
    expect(first.actions[0]).toEqual({
      type: 'SendEvent',
      id: 0,
      instanceId: 'other',
      name: 'hello',
      data: '{"n":1}',
    });
    const done = await sender.execute(
      [...start('Sender'), e.eventSent(0, 'other', 'hello', { n: 1 }), e.timerCreated(1, testEpoch + 10)],
      [e.orchestratorStarted(), e.timerFired(1, testEpoch + 10)],
    );
    expect(done.actions).toEqual([
      { type: 'CompleteOrchestration', id: 2, orchestrationStatus: 'Completed', result: '"sent"' },
    ]);
  });
});

describe('continue-as-new', () => {
  const counter = executorFor(
    [
      'Counter',
      async (ctx, n: number) => {
        await ctx.waitForExternalEvent('tick');
        ctx.continueAsNew(n + 1);
      },
    ],
    [
      'Forgetful',
      async (ctx, n: number) => {
        await ctx.waitForExternalEvent('tick');
        ctx.continueAsNew(n + 1, { preserveUnprocessedEvents: false });
      },
    ],
  );

  it('completes as ContinuedAsNew with the new input and carries unprocessed events over', async () => {
    const result = await counter.execute(
      [],
      [
        ...start('Counter', 1),
        e.eventRaised('tick', 'a'),
        e.eventRaised('tick', 'b'),
        e.eventRaised('other', 'c'),
      ],
    );
    const done = completion(result.actions);
    expect(done).toMatchObject({ orchestrationStatus: 'ContinuedAsNew', result: '2' });
    expect(done.carryoverEvents?.map((c) => (c.type === 'EventRaised' ? [c.name, c.input] : c.type))).toEqual(
      [
        ['tick', '"b"'],
        ['other', '"c"'],
      ],
    );
  });

  it('drops unprocessed events when asked to', async () => {
    const result = await counter.execute(
      [],
      [...start('Forgetful', 1), e.eventRaised('tick'), e.eventRaised('tick')],
    );
    expect(completion(result.actions).carryoverEvents).toBeUndefined();
  });
});

describe('failures', () => {
  const failing = executorFor(
    [
      'Catches',
      async (ctx) => {
        try {
          await ctx.callActivity('Boom');
          return 'no error';
        } catch (error) {
          const failed = error as import('@durable/core').TaskFailedError;
          return { name: failed.name, taskName: failed.taskName, details: failed.details };
        }
      },
    ],
    [
      'Unhandled',
      async (ctx) => {
        await ctx.callActivity('Boom');
      },
    ],
    [
      'Throws',
      async () => {
        throw new TypeError('bad state', { cause: new Error('root cause') });
      },
    ],
    [
      'Child',
      async (ctx) => {
        try {
          return await ctx.callSubOrchestrator('Inner', 5);
        } catch (error) {
          return (error as Error).name;
        }
      },
    ],
    [
      'Ignores',
      async (ctx) => {
        ctx.callActivity('Boom');
        await ctx.createTimer(1);
        return 'fine';
      },
    ],
  );
  const boom = {
    errorType: 'RangeError',
    errorMessage: 'boom',
    stackTrace: 'RangeError: boom\n at x',
    innerFailure: { errorType: 'Error', errorMessage: 'inner' },
  };

  it('surfaces an activity failure as a typed error with the failure details', async () => {
    const result = await failing.execute(
      [...start('Catches'), e.taskScheduled(0, 'Boom')],
      [e.orchestratorStarted(), e.taskFailed(0, boom)],
    );
    expect(JSON.parse(completion(result.actions).result ?? '')).toEqual({
      name: 'ActivityFailedError',
      taskName: 'Boom',
      details: boom,
    });
  });

  it('fails the instance with the details when the error is not handled', async () => {
    const result = await failing.execute(
      [...start('Unhandled'), e.taskScheduled(0, 'Boom')],
      [e.orchestratorStarted(), e.taskFailed(0, boom)],
    );
    expect(completion(result.actions)).toMatchObject({
      orchestrationStatus: 'Failed',
      failureDetails: {
        errorType: 'ActivityFailedError',
        errorMessage: expect.stringContaining('boom'),
        innerFailure: boom,
      },
    });
    // A parent's retry policy must still be able to retry this instance as a sub-orchestration.
    expect(completion(result.actions).failureDetails?.isNonRetriable).toBeUndefined();
  });

  it('records type, message, stack and cause of an error thrown by the orchestrator', async () => {
    const result = await failing.execute([], start('Throws'));
    expect(completion(result.actions)).toMatchObject({
      orchestrationStatus: 'Failed',
      failureDetails: {
        errorType: 'TypeError',
        errorMessage: 'bad state',
        stackTrace: expect.stringContaining('TypeError: bad state'),
        innerFailure: { errorType: 'Error', errorMessage: 'root cause' },
      },
    });
  });

  it('schedules sub-orchestrations with a deterministic id and surfaces their failure', async () => {
    const first = await failing.execute([], start('Child'));
    expect(first.actions).toEqual([
      { type: 'CreateSubOrchestration', id: 0, name: 'Inner', instanceId: 'instance-1:0000', input: '5' },
    ]);
    const result = await failing.execute(
      [...start('Child'), e.subOrchestrationCreated(0, 'Inner', 'instance-1:0000', 5)],
      [e.orchestratorStarted(), e.subOrchestrationFailed(0, boom)],
    );
    expect(completion(result.actions).result).toBe('"SubOrchestrationFailedError"');
  });

  it('returns the output of a sub-orchestration', async () => {
    const result = await failing.execute(
      [...start('Child'), e.subOrchestrationCreated(0, 'Inner', 'instance-1:0000', 5)],
      [e.orchestratorStarted(), e.subOrchestrationCompleted(0, 25)],
    );
    expect(completion(result.actions).result).toBe('25');
  });

  it('does not raise an unhandled rejection for a failed task nobody awaited', async () => {
    const unhandled = jest.fn();
    process.on('unhandledRejection', unhandled);
    try {
      const result = await failing.execute(
        [...start('Ignores'), e.taskScheduled(0, 'Boom'), e.timerCreated(1, testEpoch + 1)],
        [e.orchestratorStarted(), e.taskFailed(0, boom), e.timerFired(1, testEpoch + 1)],
      );
      await new Promise((resolve) => setImmediate(resolve));
      expect(completion(result.actions).result).toBe('"fine"');
      expect(unhandled).not.toHaveBeenCalled();
    } finally {
      process.off('unhandledRejection', unhandled);
    }
  });

  it('fails the orchestration when its output cannot be serialised', async () => {
    const bad = executorFor(['BigInt', async () => BigInt(1)]);
    const result = await bad.execute([], start('BigInt'));
    expect(completion(result.actions).failureDetails).toMatchObject({ errorType: 'InvalidArgumentError' });
  });
});

describe('non-determinism', () => {
  const changed = executorFor([
    'Changed',
    async (ctx) => {
      await ctx.callActivity('SayGoodbye');
      return 'done';
    },
  ]);

  it('fails with a NonDeterminismError naming the recorded and the new step', async () => {
    const result = await changed.execute(
      [...start('Changed'), e.taskScheduled(0, 'SayHello')],
      [e.orchestratorStarted(), e.taskCompleted(0, 'x')],
    );
    expect(result.actions).toHaveLength(1);
    expect(completion(result.actions)).toMatchObject({
      orchestrationStatus: 'Failed',
      failureDetails: {
        errorType: 'NonDeterminismError',
        errorMessage: expect.stringMatching(
          /TaskScheduled 'SayHello' at step 0.*ScheduleTask 'SayGoodbye' at step 0/,
        ),
      },
    });
  });

  it('detects a timer where history recorded an activity', async () => {
    const timerNow = executorFor(['Changed', async (ctx) => ctx.createTimer(5)]);
    const result = await timerNow.execute([...start('Changed'), e.taskScheduled(0, 'SayGoodbye')], []);
    expect(completion(result.actions).failureDetails?.errorMessage).toMatch(
      /TaskScheduled 'SayGoodbye' at step 0.*CreateTimer at step 0/,
    );
  });

  it('detects code that no longer takes a recorded step', async () => {
    const shorter = executorFor(['Changed', async () => 'done already']);
    const result = await shorter.execute([...start('Changed'), e.taskScheduled(0, 'SayGoodbye')], []);
    expect(completion(result.actions)).toMatchObject({
      orchestrationStatus: 'Failed',
      failureDetails: {
        errorType: 'NonDeterminismError',
        errorMessage: expect.stringContaining('completed the orchestration'),
      },
    });
  });

  it('detects a result of the wrong kind for a step', async () => {
    const result = await changed.execute(
      [...start('Changed'), e.taskScheduled(0, 'SayGoodbye')],
      [e.orchestratorStarted(), e.timerFired(0, testEpoch)],
    );
    expect(completion(result.actions).failureDetails).toMatchObject({ errorType: 'NonDeterminismError' });
  });
});

describe('context utilities', () => {
  it('keeps custom status, guids and the replay flag deterministic, and logs once', async () => {
    const lines: string[] = [];
    const logger: Logger = {
      debug: () => undefined,
      info: (message) => lines.push(message),
      warn: () => undefined,
      error: () => undefined,
    };
    const registry = new Registry().add(
      defineOrchestration('Utils', async (ctx) => {
        ctx.log.info(`step one, replaying=${ctx.isReplaying}`);
        const guids = [ctx.newGuid(), ctx.newGuid()];
        ctx.setCustomStatus({ stage: 'waiting' });
        await ctx.callActivity(
          defineActivity('Noop', () => undefined),
          undefined,
        );
        ctx.log.info(`step two, replaying=${ctx.isReplaying}`);
        return guids;
      }),
    );
    const executor = new OrchestrationExecutor(registry, { logger });
    const first = await executor.execute([], start('Utils'));
    expect(first.customStatus).toBe('{"stage":"waiting"}');
    const second = await executor.execute(
      [...start('Utils'), e.taskScheduled(0, 'Noop')],
      [e.orchestratorStarted(), e.taskCompleted(0)],
    );
    const guids = JSON.parse(completion(second.actions).result ?? '[]') as string[];
    expect(guids[0]).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(guids[0]).not.toBe(guids[1]);
    const third = await executor.execute(
      [...start('Utils'), e.taskScheduled(0, 'Noop')],
      [e.orchestratorStarted(), e.taskCompleted(0)],
    );
    expect(JSON.parse(completion(third.actions).result ?? '')).toEqual(guids);
    expect(lines).toEqual([
      'step one, replaying=false',
      'step two, replaying=false',
      'step two, replaying=false',
    ]);
  });
});

describe('terminate, suspend and resume', () => {
  const waits = executorFor([
    'Waits',
    async (ctx) => {
      const value = await ctx.waitForExternalEvent<string>('go');
      await ctx.callActivity('After', value);
      return value;
    },
  ]);

  it('completes as Terminated with the reason and schedules nothing more', async () => {
    const result = await waits.execute(
      [],
      [...start('Waits'), e.eventRaised('go', 'x'), e.executionTerminated('stop it')],
    );
    expect(result.actions).toEqual([
      { type: 'CompleteOrchestration', id: 1, orchestrationStatus: 'Terminated', result: '"stop it"' },
    ]);
  });

  it('holds events while suspended and applies them on resume', async () => {
    const session = waits.createSession();
    await session.execute([], start('Waits'));
    const suspended = await session.execute(
      [],
      [e.orchestratorStarted(), e.executionSuspended(), e.eventRaised('go', 'x')],
    );
    expect(suspended.actions).toEqual([]);
    const resumed = await session.execute([], [e.orchestratorStarted(), e.executionResumed()]);
    expect(resumed.actions).toEqual([{ type: 'ScheduleTask', id: 0, name: 'After', input: '"x"' }]);
  });

  it('does not schedule a recorded step twice when replaying across a suspension', async () => {
    const result = await waits.execute(
      [...start('Waits'), e.eventRaised('go', 'x'), e.executionSuspended(), e.taskScheduled(0, 'After', 'x')],
      [e.orchestratorStarted(), e.executionResumed()],
    );
    expect(result.actions).toEqual([]);
  });
});
