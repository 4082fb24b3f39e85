import { ActivityFailedError } from '@durable/core';
import type { OrchestrationContext } from './definitions';
import { Registry } from './registry';
import { TestHost } from './test-host';

class PaymentError extends Error {
  override readonly name = 'PaymentError';
  constructor(
    readonly code: string,
    readonly retriable: boolean,
  ) {
    super(`payment refused (${code})`);
  }
}

describe('typed failures through an orchestration', () => {
  function hostWith(error: () => Error): { host: TestHost; attempts: () => number } {
    let attempts = 0;
    const registry = new Registry()
      .addActivity('Charge', () => {
        attempts++;
        throw error();
      })
      .addOrchestrator('Checkout', async (ctx: OrchestrationContext) => {
        try {
          return await ctx.callActivity('Charge', 10, {
            retry: { maxAttempts: 4, firstRetryIntervalMs: 1000 },
          });
        } catch (caught) {
          if (!(caught instanceof ActivityFailedError)) throw caught;
          return { type: caught.details.errorType, properties: caught.details.properties };
        }
      });
    return { host: new TestHost(registry), attempts: () => attempts };
  }

  it('does not retry a failure marked non-retriable, and the catch reads its custom fields', async () => {
    const { host, attempts } = hostWith(() => new PaymentError('E_FRAUD', false));
    const id = host.start('Checkout');
    await host.run();
    expect(attempts()).toBe(1);
    expect(host.state(id).output).toEqual({
      type: 'PaymentError',
      properties: { code: 'E_FRAUD' },
    });
    expect(host.state(id).history).toContainEqual(
      expect.objectContaining({
        type: 'TaskFailed',
        failureDetails: expect.objectContaining({ isNonRetriable: true, properties: { code: 'E_FRAUD' } }),
      }),
    );
  });

  it('retries the same failure up to the policy when it is retriable', async () => {
    const { host, attempts } = hostWith(() => new PaymentError('E_BUSY', true));
    const id = host.start('Checkout');
    await host.run();
    expect(attempts()).toBe(4);
    expect(host.state(id).output).toEqual({
      type: 'PaymentError',
      properties: { code: 'E_BUSY' },
    });
  });
});
