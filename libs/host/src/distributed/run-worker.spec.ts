import { workerReady, type WorkerState } from './run-worker';

describe('worker readiness', () => {
  const role = (ready?: () => boolean) => ({ stop: async () => undefined, ...(ready ? { ready } : {}) });

  it('is not ready before the role runs, ready once it does', () => {
    const state: WorkerState = { stopping: false };
    expect(workerReady(state)).toBe(false);
    state.role = role();
    expect(workerReady(state)).toBe(true);
  });

  it('is not ready any more once the worker begins to stop', () => {
    expect(workerReady({ role: role(() => true), stopping: true })).toBe(false);
  });

  it('follows the role while its group consumer is crashed, and again once it rejoined', () => {
    let inGroup = false;
    const state: WorkerState = { role: role(() => inGroup), stopping: false };
    expect(workerReady(state)).toBe(false);
    inGroup = true;
    expect(workerReady(state)).toBe(true);
  });
});
