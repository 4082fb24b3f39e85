import { ActivityFailedError, type HistoryEvent, type OrchestratorAction, toTimestamp } from '@durable/core';
import { events as e, testEpoch } from '@durable/core/testing';
import type { OrchestrationContext } from './definitions';
import { OrchestrationExecutor } from './executor';
import { Registry } from './registry';
import { nextRetryDelay, type RetryPolicy } from './retry';

const failure = (details: Partial<ActivityFailedError['details']> = {}) =>
  new ActivityFailedError(0, 'Flaky', { errorType: 'Error', errorMessage: 'flaky', ...details });

describe('nextRetryDelay', () => {
  const policy: RetryPolicy = {
    maxAttempts: 5,
    firstRetryIntervalMs: 1000,
    backoffCoefficient: 2,
    maxRetryIntervalMs: 5000,
  };

  it('backs off by the coefficient and caps at the max interval', () => {
    expect([1, 2, 3, 4].map((attempt) => nextRetryDelay(policy, attempt, failure(), 0))).toEqual([
      1000, 2000, 4000, 5000,
    ]);
  });

  it('gives up after the last attempt', () => {
    expect(nextRetryDelay(policy, 5, failure(), 0)).toBeUndefined();
  });

  it('gives up once the retry timeout has passed', () => {
    expect(nextRetryDelay({ ...policy, retryTimeoutMs: 3000 }, 1, failure(), 2999)).toBe(1000);
    expect(nextRetryDelay({ ...policy, retryTimeoutMs: 3000 }, 1, failure(), 3000)).toBeUndefined();
  });

  it('never retries a non-retriable failure', () => {
    expect(nextRetryDelay(policy, 1, failure({ isNonRetriable: true }), 0)).toBeUndefined();
  });

  it('asks the predicate', () => {
    const handle = jest.fn((f: { details: { errorType: string } }) => f.details.errorType === 'Transient');
    expect(nextRetryDelay({ ...policy, handle }, 1, failure({ errorType: 'Transient' }), 0)).toBe(1000);
    expect(nextRetryDelay({ ...policy, handle }, 1, failure({ errorType: 'Fatal' }), 0)).toBeUndefined();
  });
});

describe('retries in an orchestration', () => {
  const policy: RetryPolicy = { maxAttempts: 3, firstRetryIntervalMs: 1000, backoffCoefficient: 2 };
  const registry = new Registry()
    .addOrchestrator('Retrying', async (ctx: OrchestrationContext) =>
      ctx.callActivity('Flaky', 'x', { retry: policy }),
    )
    .addOrchestrator('RetryingChild', async (ctx: OrchestrationContext) =>
      ctx.callSubOrchestrator('Child', 1, { retry: { maxAttempts: 2, firstRetryIntervalMs: 500 } }),
    )
    .addOrchestrator('BadPolicy', async (ctx: OrchestrationContext) =>
      ctx.callActivity('Flaky', 'x', { retry: { maxAttempts: 0, firstRetryIntervalMs: -1 } }),
    );
  const executor = new OrchestrationExecutor(registry);
  const start: HistoryEvent[] = [e.orchestratorStarted(), e.executionStarted('Retrying')];

  /** Drives a session with one new batch at a time, returning the actions of each episode. */
  async function drive(batches: HistoryEvent[][]): Promise<OrchestratorAction[][]> {
    const session = executor.createSession();
    const out: OrchestratorAction[][] = [];
    for (const batch of batches) out.push([...(await session.execute([], batch)).actions]);
    return out;
  }

  it('waits on durable timers with backoff between attempts, then fails with the last error', async () => {
    const t1 = testEpoch + 10;
    const t2 = t1 + 1000 + 10;
    const t3 = t2 + 2000 + 10;
    const actions = await drive([
      start,
      [e.orchestratorStarted(t1), e.taskFailed(0, { errorMessage: 'first' })],
      [e.orchestratorStarted(t1 + 1000), e.timerFired(1, t1 + 1000)],
      [e.orchestratorStarted(t2), e.taskFailed(2, { errorMessage: 'second' })],
      [e.orchestratorStarted(t2 + 2000), e.timerFired(3, t2 + 2000)],
      [e.orchestratorStarted(t3), e.taskFailed(4, { errorMessage: 'third' })],
    ]);
    expect(actions).toEqual([
      [{ type: 'ScheduleTask', id: 0, name: 'Flaky', input: '"x"' }],
      [{ type: 'CreateTimer', id: 1, fireAt: toTimestamp(t1 + 1000) }],
      [{ type: 'ScheduleTask', id: 2, name: 'Flaky', input: '"x"' }],
      [{ type: 'CreateTimer', id: 3, fireAt: toTimestamp(t2 + 2000) }],
      [{ type: 'ScheduleTask', id: 4, name: 'Flaky', input: '"x"' }],
      [
        expect.objectContaining({
          type: 'CompleteOrchestration',
          orchestrationStatus: 'Failed',
          failureDetails: expect.objectContaining({
            errorType: 'ActivityFailedError',
            innerFailure: expect.objectContaining({ errorMessage: 'third' }),
          }),
        }),
      ],
    ]);
  });

  it('completes with the result of the attempt that succeeds', async () => {
    const actions = await drive([
      start,
      [e.orchestratorStarted(), e.taskFailed(0)],
      [e.orchestratorStarted(testEpoch + 1000), e.timerFired(1, testEpoch + 1000)],
      [e.orchestratorStarted(testEpoch + 1000), e.taskCompleted(2, 'ok')],
    ]);
    expect(actions[3]).toEqual([
      { type: 'CompleteOrchestration', id: 3, orchestrationStatus: 'Completed', result: '"ok"' },
    ]);
  });

  it('loses nothing when the host crashes mid-backoff and replays from history', async () => {
    const recorded = [
      ...start,
      e.taskScheduled(0, 'Flaky', 'x'),
      e.orchestratorCompleted(),
      e.orchestratorStarted(),
      e.taskFailed(0),
      e.timerCreated(1, testEpoch + 1000),
      e.orchestratorCompleted(),
    ];
    const replayedOnly = await executor.execute(recorded, []);
    expect(replayedOnly.actions).toEqual([]);
    const afterFire = await executor.execute(recorded, [
      e.orchestratorStarted(testEpoch + 1000),
      e.timerFired(1, testEpoch + 1000),
    ]);
    expect(afterFire.actions).toEqual([{ type: 'ScheduleTask', id: 2, name: 'Flaky', input: '"x"' }]);
  });

  it('retries a sub-orchestration under a new instance id', async () => {
    const session = executor.createSession();
    const first = await session.execute([], [e.orchestratorStarted(), e.executionStarted('RetryingChild')]);
    await session.execute([], [e.orchestratorStarted(), e.subOrchestrationFailed(0)]);
    const retried = await session.execute(
      [],
      [e.orchestratorStarted(testEpoch + 500), e.timerFired(1, testEpoch + 500)],
    );
    expect(first.actions).toEqual([
      { type: 'CreateSubOrchestration', id: 0, name: 'Child', instanceId: 'instance-1:0000', input: '1' },
    ]);
    expect(retried.actions).toEqual([
      { type: 'CreateSubOrchestration', id: 2, name: 'Child', instanceId: 'instance-1:0002', input: '1' },
    ]);
  });

  it('fails the orchestration with a clear error for an invalid policy', async () => {
    const result = await executor.execute([], [e.orchestratorStarted(), e.executionStarted('BadPolicy')]);
    expect(result.actions).toEqual([
      expect.objectContaining({
        orchestrationStatus: 'Failed',
        failureDetails: expect.objectContaining({
          errorType: 'InvalidArgumentError',
          errorMessage: expect.stringContaining(
            'maxAttempts must be an integer ≥ 1; firstRetryIntervalMs must be > 0',
          ),
        }),
      }),
    ]);
  });
});
