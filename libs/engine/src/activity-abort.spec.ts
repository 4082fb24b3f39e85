// An activity's cancellation behaves as an AbortController whether the activity asked for its signal
// before the cancel, after it, or never.
import { ActivityAbort, executeActivity } from './activity';
import { Registry } from './registry';

describe('ActivityAbort', () => {
  it('aborts a signal handed out earlier, with the reason', () => {
    const abort = new ActivityAbort();
    const signal = abort.signal;
    expect(signal.aborted).toBe(false);
    abort.abort('stop');
    expect(abort.aborted).toBe(true);
    expect(signal.aborted).toBe(true);
    expect(signal.reason).toBe('stop');
  });

  it('hands out an aborted signal when the cancel came first', () => {
    const abort = new ActivityAbort();
    abort.abort('early');
    expect(abort.aborted).toBe(true);
    expect(abort.signal.aborted).toBe(true);
    expect(abort.signal.reason).toBe('early');
    abort.abort('later');
    expect(abort.signal.reason).toBe('early');
  });

  it('is the activity context signal', async () => {
    const registry = new Registry();
    const abort = new ActivityAbort();
    registry.addActivity('Wait', (_input: unknown, ctx) => {
      setTimeout(() => abort.abort('cancelled'), 10);
      return new Promise((_, reject) =>
        ctx.signal.addEventListener('abort', () => reject(new Error('aborted'))),
      );
    });
    const outcome = await executeActivity(
      registry,
      { name: 'Wait', instanceId: 'i', taskId: 1 },
      undefined,
      abort,
    );
    expect(outcome).toMatchObject({ ok: false, failureDetails: { errorMessage: 'aborted' } });
  });
});
