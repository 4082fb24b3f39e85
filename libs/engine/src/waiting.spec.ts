import { toTimestamp } from '@durable/core';
import { events as e, testEpoch } from '@durable/core/testing';
import { OrchestrationExecutor } from './executor';
import { Registry } from './registry';
import { waitingFacts, waitingNotes } from './waiting';

describe('waitingFacts: history in, facts out', () => {
  it('lists the activities scheduled and not answered, with the attempt of a retried one', () => {
    const facts = waitingFacts(
      [
        e.orchestratorStarted(),
        e.executionStarted('Flaky'),
        e.taskScheduled(0, 'SayHello', 'Tokyo'),
        e.taskCompleted(0, 'Hello Tokyo!'),
        e.taskScheduled(1, 'Charge', 'card'),
        e.taskFailed(1, { errorMessage: 'declined' }),
        e.timerCreated(2, testEpoch + 1000),
        e.timerFired(2, testEpoch + 1000),
        e.taskScheduled(3, 'Charge', 'card'),
        e.taskScheduled(4, 'Ship', 'box'),
      ],
      [],
    );
    expect(facts.activities).toEqual([
      { taskId: 3, name: 'Charge', scheduledAt: toTimestamp(testEpoch), attempt: 2 },
      { taskId: 4, name: 'Ship', scheduledAt: toTimestamp(testEpoch), attempt: 1 },
    ]);
    expect(facts.timers).toEqual([]);
  });

  it('lists timers not fired with their due time, and open sub-orchestrations', () => {
    const facts = waitingFacts(
      [
        e.orchestratorStarted(),
        e.executionStarted('Parent'),
        e.timerCreated(0, testEpoch + 60_000),
        e.subOrchestrationCreated(1, 'Child', 'child-1'),
        e.subOrchestrationCreated(2, 'Child', 'child-2'),
        e.subOrchestrationCompleted(2, 'done'),
      ],
      undefined,
    );
    expect(facts.timers).toEqual([
      { timerId: 0, createdAt: toTimestamp(testEpoch), fireAt: toTimestamp(testEpoch + 60_000) },
    ]);
    expect(facts.subOrchestrations).toEqual([
      { taskId: 1, instanceId: 'child-1', name: 'Child', since: toTimestamp(testEpoch) },
    ]);
    expect(facts.events).toBeUndefined();
  });

  it('leaves out the activities, timers and sub-orchestrations the orchestration cancelled', () => {
    const facts = waitingFacts(
      [
        e.orchestratorStarted(),
        e.executionStarted('Parent'),
        e.taskScheduled(0, 'Slow', 'job'),
        e.timerCreated(1, testEpoch + 60_000),
        e.subOrchestrationCreated(2, 'Child', 'child-1'),
        e.taskScheduled(3, 'Other', 'job'),
        e.taskCanceled(4, 0),
        e.taskCanceled(5, 1),
        e.taskCanceled(6, 2),
      ],
      [],
    );
    expect(facts.activities).toEqual([
      { taskId: 3, name: 'Other', scheduledAt: toTimestamp(testEpoch), attempt: 1 },
    ]);
    expect(facts.timers).toEqual([]);
    expect(facts.subOrchestrations).toEqual([]);
  });

  it('tells the entity locks held, the ones awaited and open entity calls', () => {
    const held = waitingFacts(
      [
        e.orchestratorStarted(),
        e.executionStarted('Transfer'),
        e.lockRequested(0, ['@account@a', '@account@b'], 'test', 'cs-1'),
        e.lockGranted('cs-1'),
        e.entityCalled(1, '@account@a', 'withdraw', 5),
        e.unlockSent(2, '@account@b', 'cs-1'),
      ],
      [],
    );
    expect(held.entityLocks).toEqual({ held: ['@account@a'], awaiting: [] });
    expect(held.entityCalls).toEqual([
      { requestId: 'req-1', entityId: '@account@a', operation: 'withdraw', since: toTimestamp(testEpoch) },
    ]);

    const awaiting = waitingFacts(
      [
        e.orchestratorStarted(),
        e.executionStarted('Transfer'),
        e.lockRequested(0, ['@account@a'], 'test', 'cs-1'),
      ],
      [],
    );
    expect(awaiting.entityLocks).toEqual({
      held: [],
      awaiting: ['@account@a'],
      awaitingSince: toTimestamp(testEpoch),
    });
  });

  it('notes a suspended instance and a running one that waits on nothing recorded', () => {
    const empty = waitingFacts([e.orchestratorStarted(), e.executionStarted('X')], undefined);
    expect(waitingNotes('Suspended', empty)[0]).toMatch(/^suspended/);
    expect(waitingNotes('Running', empty)[0]).toMatch(/external event/);
    expect(waitingNotes('Running', waitingFacts([], [{ name: 'Go', since: 'x' }]))).toEqual([]);
  });
});

describe('OrchestrationSession.awaitedEvents', () => {
  const registry = new Registry();
  registry.addOrchestrator('Approval', async (ctx) => {
    const approved = ctx.waitForExternalEvent<boolean>('Approval');
    const timeout = ctx.createTimer(30_000);
    const first = await ctx.whenAny([approved, timeout]);
    return first === 0 ? 'approved' : 'timed out';
  });
  registry.addOrchestrator('Quick', async (ctx) => ctx.waitForExternalEvent('go', { timeout: 1000 }));

  it('names the events the orchestrator awaits after replay, with the time the wait began', async () => {
    const session = new OrchestrationExecutor(registry).createSession();
    await session.execute([e.orchestratorStarted(testEpoch + 5), e.executionStarted('Approval')], []);
    expect(session.awaitedEvents()).toEqual([{ name: 'Approval', since: toTimestamp(testEpoch + 5) }]);
  });

  it('hands the awaited events to the host with each episode, for it to record at commit', async () => {
    const session = new OrchestrationExecutor(registry).createSession();
    const first = await session.execute(
      [],
      [e.orchestratorStarted(testEpoch + 5), e.executionStarted('Approval')],
    );
    expect(first.awaitedEvents).toEqual([{ name: 'Approval', since: toTimestamp(testEpoch + 5) }]);
    const last = await session.execute([], [e.orchestratorStarted(), e.eventRaised('Approval', true)]);
    expect(last.completion?.orchestrationStatus).toBe('Completed');
    expect(last.awaitedEvents).toEqual([]);
  });

  it('forgets a wait once the event arrives or its timeout fires', async () => {
    const answered = new OrchestrationExecutor(registry).createSession();
    await answered.execute(
      [e.orchestratorStarted(), e.executionStarted('Approval'), e.timerCreated(0, testEpoch + 30_000)],
      [e.orchestratorStarted(), e.eventRaised('approval', true)],
    );
    expect(answered.awaitedEvents()).toEqual([]);

    const timedOut = new OrchestrationExecutor(registry).createSession();
    await timedOut.execute(
      [e.orchestratorStarted(), e.executionStarted('Quick'), e.timerCreated(0, testEpoch + 1000)],
      [e.orchestratorStarted(testEpoch + 1000), e.timerFired(0, testEpoch + 1000)],
    );
    expect(timedOut.awaitedEvents()).toEqual([]);
  });
});
