import { type HistoryEvent, type OrchestratorAction, toTimestamp } from '@durable/core';
import { events as e, testEpoch } from '@durable/core/testing';
import type { OrchestrationContext } from './definitions';
import { OrchestrationExecutor } from './executor';
import { Registry } from './registry';
import { TestHost } from './test-host';

const later = testEpoch + 5000;

/** Names what a settled-or-failed await gave, so outputs show what the orchestrator saw. */
async function outcomeOf(task: PromiseLike<unknown>): Promise<string> {
  try {
    return `completed: ${JSON.stringify(await task)}`;
  } catch (error) {
    return `failed: ${(error as Error).name}`;
  }
}

const registry = new Registry()
  // The common shape: race an activity against a deadline, cancel the loser, go on.
  .addOrchestrator('Deadline', async (ctx: OrchestrationContext) => {
    const work = ctx.callActivity('Slow', 'job');
    const deadline = ctx.createTimer(5000);
    const winner = await ctx.whenAny([work, deadline]);
    if (winner === 1) ctx.cancel(work);
    const seen = await outcomeOf(work);
    const next = await ctx.waitForExternalEvent<string>('next');
    return `${seen}; then ${next}`;
  })
  .addOrchestrator('CancelTimer', async (ctx: OrchestrationContext) => {
    const timer = ctx.createTimer(60_000);
    ctx.cancel(timer);
    return outcomeOf(timer);
  })
  .addOrchestrator('CancelChild', async (ctx: OrchestrationContext) => {
    const child = ctx.callSubOrchestrator('Child', 1, { instanceId: 'child-1' });
    await ctx.createTimer(1000);
    ctx.cancel(child);
    return outcomeOf(child);
  })
  .addOrchestrator('CancelWait', async (ctx: OrchestrationContext) => {
    const first = ctx.waitForExternalEvent('approval', { timeout: 60_000 });
    ctx.cancel(first);
    const seen = await outcomeOf(first);
    // The event that arrives later goes to the next wait, not to the cancelled one.
    const second = await ctx.waitForExternalEvent<string>('approval');
    return `${seen}; then ${second}`;
  })
  .addOrchestrator('CancelRetried', async (ctx: OrchestrationContext) => {
    const call = ctx.callActivity('Flaky', 'x', { retry: { maxAttempts: 5, firstRetryIntervalMs: 1000 } });
    const deadline = ctx.createTimer(500);
    await ctx.whenAny([call, deadline]);
    ctx.cancel(call);
    return outcomeOf(call);
  })
  .addOrchestrator('CancelAll', async (ctx: OrchestrationContext) => {
    const both = ctx.whenAll([ctx.callActivity('A'), ctx.callActivity('B')]);
    await ctx.createTimer(1000);
    ctx.cancel(both);
    return outcomeOf(both);
  })
  .addOrchestrator('CancelDone', async (ctx: OrchestrationContext) => {
    const work = ctx.callActivity('Quick');
    await work;
    return ctx.cancel(work);
  })
  .addOrchestrator('CancelEntityCall', async (ctx: OrchestrationContext) => {
    const call = ctx.callEntity({ name: 'counter', key: 'a' }, 'get');
    try {
      ctx.cancel(call);
      return 'cancelled';
    } catch (error) {
      return `${(error as Error).name}: ${(error as Error).message}`;
    }
  })
  .addOrchestrator('NoCancel', async (ctx: OrchestrationContext) => {
    const work = ctx.callActivity('Slow', 'job');
    await ctx.createTimer(5000);
    return outcomeOf(work);
  });
const executor = new OrchestrationExecutor(registry);

const started = (name: string): HistoryEvent[] => [e.orchestratorStarted(), e.executionStarted(name)];

/** Runs a session one batch at a time; returns each episode's actions. */
async function drive(batches: HistoryEvent[][]): Promise<OrchestratorAction[][]> {
  const session = executor.createSession();
  const out: OrchestratorAction[][] = [];
  for (const batch of batches) out.push([...(await session.execute([], batch)).actions]);
  return out;
}

describe('ctx.cancel', () => {
  it('cancels a scheduled activity: records CancelTask and the awaiting code sees TaskCanceledError', async () => {
    const actions = await drive([
      started('Deadline'),
      [e.orchestratorStarted(later), e.timerFired(1, later)],
    ]);
    expect(actions).toEqual([
      [
        { type: 'ScheduleTask', id: 0, name: 'Slow', input: '"job"' },
        { type: 'CreateTimer', id: 1, fireAt: toTimestamp(later) },
      ],
      [{ type: 'CancelTask', id: 2, taskId: 0, kind: 'activity' }],
    ]);
  });

  it("drops the cancelled activity's late result, and replay of the recorded history takes the same steps", async () => {
    const recorded: HistoryEvent[] = [
      ...started('Deadline'),
      e.taskScheduled(0, 'Slow', 'job'),
      e.timerCreated(1, later),
      e.orchestratorCompleted(),
      e.orchestratorStarted(later),
      e.timerFired(1, later),
      e.taskCanceled(2, 0),
      e.orchestratorCompleted(),
    ];
    const lateResult = [e.orchestratorStarted(later + 1), e.taskCompleted(0, 'too late')];
    const next = [e.orchestratorStarted(later + 2), e.eventRaised('next', 'done')];

    // Replaying the history from scratch asks for nothing new: the cancel matches its record.
    expect((await executor.execute(recorded, [])).actions).toEqual([]);
    // The late result changes nothing.
    expect((await executor.execute(recorded, lateResult)).actions).toEqual([]);
    const expected = [
      {
        type: 'CompleteOrchestration',
        id: 3,
        orchestrationStatus: 'Completed',
        result: JSON.stringify('failed: TaskCanceledError; then done'),
      },
    ];
    // Whether the late result sits in history or not, the orchestration ends the same way.
    expect((await executor.execute([...recorded, ...lateResult], next)).actions).toEqual(expected);
    expect((await executor.execute(recorded, next)).actions).toEqual(expected);
    // And a session that lived through it all agrees with the replays.
    const session = executor.createSession();
    await session.execute([], recorded.slice(0, 5));
    expect((await session.execute([], recorded.slice(5, 7))).actions).toEqual([
      { type: 'CancelTask', id: 2, taskId: 0, kind: 'activity' },
    ]);
    expect((await session.execute([], lateResult)).actions).toEqual([]);
    expect((await session.execute([], next)).actions).toEqual(expected);
  });

  it('fails with a NonDeterminismError when history records a cancel the code no longer makes', async () => {
    const result = await executor.execute(
      [
        ...started('NoCancel'),
        e.taskScheduled(0, 'Slow', 'job'),
        e.timerCreated(1, later),
        e.orchestratorStarted(later),
        e.timerFired(1, later),
      ],
      [e.taskCanceled(2, 0)],
    );
    expect(result.completion).toMatchObject({
      orchestrationStatus: 'Failed',
      failureDetails: {
        errorType: 'NonDeterminismError',
        errorMessage: expect.stringContaining('TaskCanceled of step 0 at step 2'),
      },
    });
  });

  it('fails with a NonDeterminismError when the code cancels a different task than history records', async () => {
    const result = await executor.execute(
      [
        ...started('Deadline'),
        e.taskScheduled(0, 'Slow', 'job'),
        e.timerCreated(1, later),
        e.orchestratorStarted(later),
        e.timerFired(1, later),
      ],
      [e.taskCanceled(2, 1)],
    );
    expect(result.completion?.failureDetails?.errorMessage).toContain(
      'history expects TaskCanceled of step 1 at step 2, but the code did CancelTask of step 0 at step 2',
    );
  });

  it('cancels a timer; its later firing is dropped', async () => {
    const actions = await drive([
      started('CancelTimer'),
      [e.orchestratorStarted(testEpoch + 60_000), e.timerFired(0, testEpoch + 60_000)],
    ]);
    expect(actions[0]).toEqual([
      { type: 'CreateTimer', id: 0, fireAt: toTimestamp(testEpoch + 60_000) },
      { type: 'CancelTask', id: 1, taskId: 0, kind: 'timer' },
      {
        type: 'CompleteOrchestration',
        id: 2,
        orchestrationStatus: 'Completed',
        result: JSON.stringify('failed: TaskCanceledError'),
      },
    ]);
    expect(actions[1]).toEqual([]);
  });

  it('cancels a sub-orchestration, naming the child the host terminates', async () => {
    const actions = await drive([
      started('CancelChild'),
      [e.orchestratorStarted(testEpoch + 1000), e.timerFired(1, testEpoch + 1000)],
      [e.orchestratorStarted(testEpoch + 2000), e.subOrchestrationCompleted(0, 'late')],
    ]);
    expect(actions[1]).toEqual([
      { type: 'CancelTask', id: 2, taskId: 0, kind: 'subOrchestration', instanceId: 'child-1' },
      {
        type: 'CompleteOrchestration',
        id: 3,
        orchestrationStatus: 'Completed',
        result: JSON.stringify('failed: TaskCanceledError'),
      },
    ]);
    expect(actions[2]).toEqual([]);
  });

  it('cancels an external event wait and its timeout timer; the event goes to the next wait', async () => {
    const actions = await drive([
      started('CancelWait'),
      [e.orchestratorStarted(testEpoch + 10), e.eventRaised('approval', 'yes')],
    ]);
    expect(actions[0]).toEqual([
      { type: 'CreateTimer', id: 0, fireAt: toTimestamp(testEpoch + 60_000) },
      { type: 'CancelTask', id: 1, taskId: 0, kind: 'timer' },
    ]);
    expect(actions[1]).toEqual([
      {
        type: 'CompleteOrchestration',
        id: 2,
        orchestrationStatus: 'Completed',
        result: JSON.stringify('failed: TaskCanceledError; then yes'),
      },
    ]);
  });

  it('cancels a retried call during its back-off: the timer is cancelled and no attempt follows', async () => {
    const actions = await drive([
      started('CancelRetried'),
      [e.orchestratorStarted(testEpoch + 100), e.taskFailed(0, { errorMessage: 'flaky' })],
      [e.orchestratorStarted(testEpoch + 500), e.timerFired(1, testEpoch + 500)],
      [e.orchestratorStarted(testEpoch + 1100), e.timerFired(2, testEpoch + 1100)],
    ]);
    expect(actions).toEqual([
      [
        { type: 'ScheduleTask', id: 0, name: 'Flaky', input: '"x"' },
        { type: 'CreateTimer', id: 1, fireAt: toTimestamp(testEpoch + 500) },
      ],
      [{ type: 'CreateTimer', id: 2, fireAt: toTimestamp(testEpoch + 1100) }],
      [
        { type: 'CancelTask', id: 3, taskId: 2, kind: 'timer' },
        {
          type: 'CompleteOrchestration',
          id: 4,
          orchestrationStatus: 'Completed',
          result: JSON.stringify('failed: TaskCanceledError'),
        },
      ],
      [],
    ]);
  });

  it('cancels each open task of a whenAll, in order', async () => {
    const actions = await drive([
      started('CancelAll'),
      [e.orchestratorStarted(testEpoch + 100), e.taskCompleted(1, 'b')],
      [e.orchestratorStarted(testEpoch + 1000), e.timerFired(2, testEpoch + 1000)],
    ]);
    expect(actions[2]).toEqual([
      { type: 'CancelTask', id: 3, taskId: 0, kind: 'activity' },
      {
        type: 'CompleteOrchestration',
        id: 4,
        orchestrationStatus: 'Completed',
        result: JSON.stringify('failed: TaskCanceledError'),
      },
    ]);
  });

  it('returns false and records nothing for a task that already completed', async () => {
    const actions = await drive([started('CancelDone'), [e.orchestratorStarted(), e.taskCompleted(0, 1)]]);
    expect(actions[1]).toEqual([
      { type: 'CompleteOrchestration', id: 1, orchestrationStatus: 'Completed', result: 'false' },
    ]);
  });

  it('refuses to cancel an entity call with a clear error', async () => {
    const actions = await drive([started('CancelEntityCall')]);
    expect(actions[0]?.at(-1)).toMatchObject({
      type: 'CompleteOrchestration',
      result: expect.stringContaining('InvalidArgumentError: only activities, timers, sub-orchestrations'),
    });
  });
});

describe('cancellation in the test host', () => {
  it('terminates a cancelled child and records TaskCanceled in the parent history', async () => {
    const hostRegistry = new Registry()
      .addOrchestrator('CancelChild', async (ctx: OrchestrationContext) => {
        const child = ctx.callSubOrchestrator('Child', 1, { instanceId: 'child-1' });
        await ctx.createTimer(1000);
        ctx.cancel(child);
        return outcomeOf(child);
      })
      .addOrchestrator('Child', async (ctx: OrchestrationContext) => ctx.waitForExternalEvent('never'));
    const host = new TestHost(hostRegistry);
    const id = host.start('CancelChild');
    await host.run();
    expect(host.state(id)).toMatchObject({ status: 'Completed', output: 'failed: TaskCanceledError' });
    expect(host.state(id).history).toContainEqual(
      expect.objectContaining({ type: 'TaskCanceled', taskScheduledId: 0 }),
    );
    expect(host.state('child-1').status).toBe('Terminated');
  });
});
