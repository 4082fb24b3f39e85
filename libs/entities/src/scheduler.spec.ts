import { scheduleRequests, type EntityRequest, type LockRequest, type OperationRequest } from './scheduler';

const signal = (operation: string): OperationRequest => ({
  kind: 'operation',
  requestId: operation,
  operation,
});
const call = (operation: string, instanceId: string): OperationRequest => ({
  kind: 'operation',
  requestId: operation,
  operation,
  caller: { instanceId, executionId: 'e' },
});
const lock = (section: string, parent: string, lockSet = ['@a@1'], position = 0): LockRequest => ({
  kind: 'lock',
  criticalSectionId: section,
  lockSet,
  position,
  parentInstanceId: parent,
});
const unlock = (section: string, parent: string): EntityRequest => ({
  kind: 'unlock',
  criticalSectionId: section,
  parentInstanceId: parent,
});
const free = { lockedBy: undefined, queue: [] };
const describeSteps = (steps: ReturnType<typeof scheduleRequests>['steps']) =>
  steps.map((s) =>
    s.type === 'run' ? `run ${s.request.operation}` : `${s.type} ${s.lock.criticalSectionId}`,
  );

describe('entity request scheduling', () => {
  it('runs operations in arrival order when nobody holds the lock', () => {
    const result = scheduleRequests(free, [signal('a'), call('b', 'o1'), signal('c')]);
    expect(describeSteps(result.steps)).toEqual(['run a', 'run b', 'run c']);
    expect(result.queue).toEqual([]);
  });

  it('grants the lock of the last entity of a set, and forwards it from the others', () => {
    expect(describeSteps(scheduleRequests(free, [lock('s', 'o1', ['@a@1', '@b@1'], 1)]).steps)).toEqual([
      'grant s',
    ]);
    expect(describeSteps(scheduleRequests(free, [lock('s', 'o1', ['@a@1', '@b@1'], 0)]).steps)).toEqual([
      'forward s',
    ]);
  });

  it('runs only the holder’s calls while locked; the rest wait in order and run after the unlock', () => {
    const locked = scheduleRequests(free, [
      lock('s', 'o1'),
      signal('x'),
      call('y', 'o2'),
      call('mine', 'o1'),
    ]);
    expect(describeSteps(locked.steps)).toEqual(['grant s', 'run mine']);
    expect(locked.queue.map((q) => (q.kind === 'operation' ? q.operation : q.kind))).toEqual(['x', 'y']);
    const released = scheduleRequests(locked, [unlock('s', 'o1'), signal('z')]);
    expect(describeSteps(released.steps)).toEqual(['run x', 'run y', 'run z']);
    expect(released.lockedBy).toBeUndefined();
  });

  it('hands the lock to the next queued section, which keeps the rest waiting', () => {
    const first = scheduleRequests(free, [lock('s1', 'o1'), lock('s2', 'o2'), signal('after')]);
    const next = scheduleRequests(first, [unlock('s1', 'o1')]);
    expect(describeSteps(next.steps)).toEqual(['grant s2']);
    expect(next.lockedBy?.criticalSectionId).toBe('s2');
    expect(next.queue).toHaveLength(1);
    const last = scheduleRequests(next, [unlock('s2', 'o2')]);
    expect(describeSteps(last.steps)).toEqual(['run after']);
  });

  it('runs the new holder’s operations that waited behind its own lock request once it takes the lock', () => {
    const locked = scheduleRequests(free, [lock('p', 'P'), lock('o', 'O'), call('c', 'O'), signal('x')]);
    const after = scheduleRequests(locked, [unlock('p', 'P')]);
    expect(describeSteps(after.steps)).toEqual(['grant o', 'run c']);
    expect(after.queue.map((q) => (q.kind === 'operation' ? q.operation : q.kind))).toEqual(['x']);
  });

  it('runs the holder’s signals at once, in order with its calls', () => {
    const held = scheduleRequests(free, [lock('s', 'O')]);
    const mine: OperationRequest = { kind: 'operation', requestId: 'sig', operation: 'sig', sender: 'O' };
    const result = scheduleRequests(held, [mine, call('c', 'O')]);
    expect(describeSteps(result.steps)).toEqual(['run sig', 'run c']);
  });

  it('ignores unlocks of sections that do not hold the lock, and repeated lock requests', () => {
    const locked = scheduleRequests(free, [
      lock('s1', 'o1'),
      lock('s1', 'o1'),
      lock('s2', 'o2'),
      lock('s2', 'o2'),
    ]);
    expect(describeSteps(locked.steps)).toEqual(['grant s1']);
    expect(locked.queue).toHaveLength(1);
    const stale = scheduleRequests(locked, [unlock('s2', 'o2')]);
    expect(stale.lockedBy?.criticalSectionId).toBe('s1');
    expect(stale.steps).toEqual([]);
  });
});
