import { toHistoryEvent, type Clock, type HistoryEvent, type IdSource } from './index';
import { events as e, ManualClock, SequentialIdSource, testEpoch } from './testing';

const epochText = '2026-01-01T00:00:00.000Z';

describe('ManualClock', () => {
  it('starts at the test epoch, 2026-01-01T00:00:00Z, unless told otherwise', () => {
    expect(testEpoch).toBe(Date.parse(epochText));
    expect(new ManualClock().now()).toBe(testEpoch);
    expect(new ManualClock(1234).now()).toBe(1234);
  });

  it('does not move on its own', () => {
    const clock = new ManualClock();
    expect(clock.now()).toBe(clock.now());
  });

  it('moves forward by each advance, cumulatively', () => {
    const clock = new ManualClock(1000);
    clock.advance(500);
    expect(clock.now()).toBe(1500);
    clock.advance(250);
    expect(clock.now()).toBe(1750);
    clock.advance(0);
    expect(clock.now()).toBe(1750);
  });

  it('moves backward when advanced by a negative amount', () => {
    const clock = new ManualClock(1000);
    clock.advance(-400);
    expect(clock.now()).toBe(600);
  });

  it('jumps to the time given to set, and advances from there', () => {
    const clock = new ManualClock();
    clock.advance(60_000);
    clock.set(5000);
    expect(clock.now()).toBe(5000);
    clock.advance(1);
    expect(clock.now()).toBe(5001);
  });

  it('is usable as a Clock port', () => {
    const clock: Clock = new ManualClock(42);
    expect(clock.now()).toBe(42);
  });
});

describe('SequentialIdSource', () => {
  it('hands out id-1, id-2, id-3 ... in order', () => {
    const ids = new SequentialIdSource();
    expect([ids.newId(), ids.newId(), ids.newId()]).toEqual(['id-1', 'id-2', 'id-3']);
  });

  it('uses the given prefix', () => {
    const ids: IdSource = new SequentialIdSource('exec');
    expect([ids.newId(), ids.newId()]).toEqual(['exec-1', 'exec-2']);
  });

  it('counts separately per source', () => {
    const a = new SequentialIdSource('a');
    const b = new SequentialIdSource('b');
    a.newId();
    a.newId();
    expect(b.newId()).toBe('b-1');
    expect(a.newId()).toBe('a-3');
  });

  it('never repeats an id', () => {
    const ids = new SequentialIdSource();
    const seen = new Set(Array.from({ length: 1000 }, () => ids.newId()));
    expect(seen.size).toBe(1000);
  });
});

describe('events builders', () => {
  it('executionStarted defaults to instance-1 / execution-1 at the test epoch with id -1', () => {
    expect(e.executionStarted('Hello')).toStrictEqual({
      type: 'ExecutionStarted',
      eventId: -1,
      timestamp: epochText,
      name: 'Hello',
      orchestrationInstance: { instanceId: 'instance-1', executionId: 'execution-1' },
    });
  });

  it('executionStarted serializes the input and takes instance, execution, time and version options', () => {
    const event = e.executionStarted(
      'Hello',
      { city: 'Tokyo' },
      {
        instanceId: 'order-42',
        executionId: 'exec-7',
        at: testEpoch + 1000,
        version: '2',
      },
    );
    expect(event).toStrictEqual({
      type: 'ExecutionStarted',
      eventId: -1,
      timestamp: '2026-01-01T00:00:01.000Z',
      name: 'Hello',
      input: '{"city":"Tokyo"}',
      version: '2',
      orchestrationInstance: { instanceId: 'order-42', executionId: 'exec-7' },
    });
  });

  it('takes a time as epoch milliseconds or as a timestamp string', () => {
    expect(e.orchestratorStarted(testEpoch + 5).timestamp).toBe('2026-01-01T00:00:00.005Z');
    expect(e.orchestratorStarted('2030-06-01T12:00:00.000Z').timestamp).toBe('2030-06-01T12:00:00.000Z');
    expect(e.orchestratorCompleted().timestamp).toBe(epochText);
  });

  it('serializes null payloads as "null" but leaves undefined payloads out', () => {
    expect(e.taskCompleted(0, null)).toMatchObject({ result: 'null' });
    expect(e.taskCompleted(0)).not.toHaveProperty('result');
    expect(e.eventRaised('Go')).not.toHaveProperty('input');
    expect(e.executionStarted('Hello', null)).toMatchObject({ input: 'null' });
  });

  it('gives the orchestrator sequence number to events that record its actions', () => {
    expect(e.taskScheduled(3, 'Charge', 10)).toStrictEqual({
      type: 'TaskScheduled',
      eventId: 3,
      timestamp: epochText,
      name: 'Charge',
      input: '10',
    });
    expect(e.timerCreated(4, testEpoch + 60_000)).toStrictEqual({
      type: 'TimerCreated',
      eventId: 4,
      timestamp: epochText,
      fireAt: '2026-01-01T00:01:00.000Z',
    });
    expect(e.subOrchestrationCreated(5, 'Child', 'child-1', [1])).toStrictEqual({
      type: 'SubOrchestrationInstanceCreated',
      eventId: 5,
      timestamp: epochText,
      name: 'Child',
      instanceId: 'child-1',
      input: '[1]',
    });
    expect(e.eventSent(6, 'other', 'Ping', 'pong')).toStrictEqual({
      type: 'EventSent',
      eventId: 6,
      timestamp: epochText,
      instanceId: 'other',
      name: 'Ping',
      input: '"pong"',
    });
  });

  it('gives id -1 to completions and refers to the scheduled task by taskScheduledId', () => {
    expect(e.taskCompleted(3, 'ok')).toStrictEqual({
      type: 'TaskCompleted',
      eventId: -1,
      timestamp: epochText,
      taskScheduledId: 3,
      result: '"ok"',
    });
    expect(e.subOrchestrationCompleted(5, { done: true })).toStrictEqual({
      type: 'SubOrchestrationInstanceCompleted',
      eventId: -1,
      timestamp: epochText,
      taskScheduledId: 5,
      result: '{"done":true}',
    });
  });

  it('fills in a default failure and lets the caller override any part of it', () => {
    expect(e.taskFailed(3).failureDetails).toStrictEqual({ errorType: 'Error', errorMessage: 'failed' });
    expect(e.taskFailed(3, { errorMessage: 'declined', isNonRetriable: true }).failureDetails).toStrictEqual({
      errorType: 'Error',
      errorMessage: 'declined',
      isNonRetriable: true,
    });
    expect(e.subOrchestrationFailed(5, { errorType: 'TypeError' })).toStrictEqual({
      type: 'SubOrchestrationInstanceFailed',
      eventId: -1,
      timestamp: epochText,
      taskScheduledId: 5,
      failureDetails: { errorType: 'TypeError', errorMessage: 'failed' },
    });
  });

  it('stamps a fired timer with its fire time', () => {
    expect(e.timerFired(4, testEpoch + 60_000)).toStrictEqual({
      type: 'TimerFired',
      eventId: -1,
      timestamp: '2026-01-01T00:01:00.000Z',
      timerId: 4,
      fireAt: '2026-01-01T00:01:00.000Z',
    });
  });

  it('records the reason of terminate, suspend and resume as input', () => {
    expect(e.executionTerminated('stop')).toMatchObject({ type: 'ExecutionTerminated', input: '"stop"' });
    expect(e.executionSuspended('pause')).toMatchObject({ type: 'ExecutionSuspended', input: '"pause"' });
    expect(e.executionResumed('go')).toMatchObject({ type: 'ExecutionResumed', input: '"go"' });
    expect(e.executionTerminated()).toStrictEqual({
      type: 'ExecutionTerminated',
      eventId: -1,
      timestamp: epochText,
    });
  });

  it('builds only events that pass history validation', () => {
    const built: HistoryEvent[] = [
      e.executionStarted('A', 1),
      e.orchestratorStarted(),
      e.orchestratorCompleted(),
      e.taskScheduled(0, 'T', 'x'),
      e.taskCompleted(0, 'y'),
      e.taskFailed(1),
      e.timerCreated(2, testEpoch),
      e.timerFired(2, testEpoch),
      e.subOrchestrationCreated(3, 'S', 's-1'),
      e.subOrchestrationCompleted(3),
      e.subOrchestrationFailed(4),
      e.eventRaised('E', { a: 1 }),
      e.eventSent(5, 'i', 'E'),
      e.executionTerminated('r'),
      e.executionSuspended(),
      e.executionResumed(),
      e.entitySignaled(1, '@counter@a', 'add', 1),
      e.entityCalled(2, '@counter@a', 'get'),
      e.entityCompleted('req-2', 1),
      e.entityFailed('req-2'),
      e.lockRequested(3, ['@a@1', '@b@1']),
      e.lockGranted('req-3'),
      e.unlockSent(4, '@a@1', 'req-3'),
      e.taskCanceled(5, 1),
    ];
    expect(Object.keys(e)).toHaveLength(built.length);
    for (const event of built) expect(toHistoryEvent(JSON.parse(JSON.stringify(event)))).toStrictEqual(event);
  });
});
