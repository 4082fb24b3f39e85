import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type INestApplication, Module } from '@nestjs/common';
import { ActivityFailedError } from '@durable/core';
import { defineActivity, defineOrchestration, Registry, type OrchestrationContext } from '@durable/engine';
import { FaultPoint } from '@durable/runtime';
import { bootstrapApp } from '../bootstrap';
import { EmbeddedPlatform } from '../embedded/embedded-platform';
import { DurableHttpModule } from './durable-http.module';

/** A promise to await by name, resolved from inside activities. */
const latches = new Map<string, { promise: Promise<unknown>; resolve: (value: unknown) => void }>();
function latch(name: string): { promise: Promise<unknown>; resolve: (value: unknown) => void } {
  let entry = latches.get(name);
  if (entry === undefined) {
    let resolve!: (value: unknown) => void;
    const promise = new Promise<unknown>((r) => (resolve = r));
    entry = { promise, resolve };
    latches.set(name, entry);
  }
  return entry;
}

/** Runs until its signal aborts (never otherwise), then still returns a result: the late result. */
const longJob = defineActivity('LongJob', async (_input: void, ctx) => {
  latch(`started:${ctx.instanceId}`).resolve(undefined);
  await new Promise<void>((resolve) => {
    if (ctx.signal.aborted) resolve();
    ctx.signal.addEventListener('abort', () => resolve(), { once: true });
  });
  latch(`aborted:${ctx.instanceId}`).resolve((ctx.signal.reason as Error).name);
  return 'late result';
});

let chargeAttempts = 0;
class PaymentError extends Error {
  override readonly name = 'PaymentError';
  readonly retriable = false;
  constructor(
    readonly code: string,
    readonly details: { readonly amount: number },
  ) {
    super(`payment refused (${code})`);
  }
}
const charge = defineActivity('Charge', () => {
  chargeAttempts++;
  throw new PaymentError('E_FRAUD', { amount: 12 });
});

async function outcomeOf(task: PromiseLike<unknown>): Promise<string> {
  try {
    return `completed: ${JSON.stringify(await task)}`;
  } catch (error) {
    return `failed: ${(error as Error).name}`;
  }
}

const forever = defineOrchestration('Forever', (ctx) => ctx.callActivity(longJob, undefined));
const registry = new Registry()
  .add(longJob, charge, forever)
  .addOrchestrator('CancelOnEvent', async (ctx: OrchestrationContext) => {
    const work = ctx.callActivity(longJob, undefined);
    await ctx.whenAny([work, ctx.waitForExternalEvent('stop')]);
    ctx.cancel(work);
    const seen = await outcomeOf(work);
    // Still running when the late result comes back, so that it is dropped, not ignored as too late.
    await ctx.waitForExternalEvent('finish');
    return seen;
  })
  .addOrchestrator('CancelChild', async (ctx: OrchestrationContext) => {
    const child = ctx.callSubOrchestrator(forever, undefined, { instanceId: `${ctx.instanceId}-child` });
    await ctx.waitForExternalEvent('stop');
    ctx.cancel(child);
    return outcomeOf(child);
  })
  .addOrchestrator('Checkout', (ctx: OrchestrationContext) =>
    ctx.callActivity(charge, undefined, { retry: { maxAttempts: 3, firstRetryIntervalMs: 10 } }),
  )
  .addOrchestrator('CheckoutCaught', async (ctx: OrchestrationContext) => {
    try {
      return await ctx.callActivity(charge, undefined);
    } catch (error) {
      if (!(error instanceof ActivityFailedError)) throw error;
      return { caught: error.details.errorType, properties: error.details.properties };
    }
  });

let dir: string;
let platform: EmbeddedPlatform;
let app: INestApplication;
let api: string;
let onResultSent: (() => void) | undefined;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'durable-cancel-'));
  platform = await EmbeddedPlatform.start({
    dataDir: dir,
    registry,
    partitions: 2,
    faults: (point) => {
      if (point === FaultPoint.AfterActivityResultSend) onResultSent?.();
    },
  });
  @Module({ imports: [DurableHttpModule.forRoot({ instanceService: { useValue: platform.client } })] })
  class TestModule {}
  app = await bootstrapApp(TestModule, { port: 0, host: '127.0.0.1', logger: false, bodyParser: false });
  const { port } = app.getHttpServer().address() as { port: number };
  api = `http://127.0.0.1:${port}/runtime/webhooks/durabletask`;
});

afterAll(async () => {
  await app.close();
  await platform.stop();
  rmSync(dir, { recursive: true, force: true });
});

async function post(path: string, body?: unknown): Promise<number> {
  const response = await fetch(`${api}${path}`, {
    method: 'POST',
    ...(body !== undefined
      ? { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }
      : {}),
  });
  await response.text();
  return response.status;
}

async function statusOf(instanceId: string): Promise<Record<string, unknown>> {
  await platform.client.waitForCompletion(instanceId, { timeoutMs: 20_000 });
  const response = await fetch(`${api}/instances/${instanceId}?showHistory=true&showHistoryOutput=true`);
  const body = (await response.json()) as Record<string, unknown>;
  // As in Durable Functions: 200 once completed, 400 once failed or terminated.
  expect(response.status).toBe(body['runtimeStatus'] === 'Completed' ? 200 : 400);
  return body;
}

describe('cancelling in-flight work (embedded, over REST)', () => {
  it('interrupts a running activity through its AbortSignal and drops its late result', async () => {
    expect(await post('/orchestrators/CancelOnEvent/cancel-1')).toBe(202);
    await latch('started:cancel-1').promise;
    const lateResultSent = new Promise<void>((resolve) => (onResultSent = resolve));
    expect(await post('/instances/cancel-1/raiseEvent/stop', true)).toBe(202);
    // The activity would never return on its own: getting here means its signal aborted.
    expect(await latch('aborted:cancel-1').promise).toBe('TaskCanceledError');
    await lateResultSent;
    onResultSent = undefined;
    expect(await post('/instances/cancel-1/raiseEvent/finish', true)).toBe(202);

    const status = await statusOf('cancel-1');
    expect(status).toMatchObject({ runtimeStatus: 'Completed', output: 'failed: TaskCanceledError' });
    const history = status['historyEvents'] as Array<Record<string, unknown>>;
    expect(history).toContainEqual(
      expect.objectContaining({ EventType: 'TaskCanceled', FunctionName: 'LongJob', TaskScheduledId: 0 }),
    );
    expect(history.map((e) => e['EventType'])).not.toContain('TaskCompleted');
    expect(JSON.stringify(history)).not.toContain('late result');
  });

  it('terminates a cancelled sub-orchestration, which cancels its own running activity', async () => {
    expect(await post('/orchestrators/CancelChild/parent-1')).toBe(202);
    await latch('started:parent-1-child').promise;
    expect(await post('/instances/parent-1/raiseEvent/stop', true)).toBe(202);
    expect(await statusOf('parent-1')).toMatchObject({
      runtimeStatus: 'Completed',
      output: 'failed: TaskCanceledError',
    });
    expect(await latch('aborted:parent-1-child').promise).toBe('TaskCanceledError');
    expect(await statusOf('parent-1-child')).toMatchObject({ runtimeStatus: 'Terminated' });
  });

  it('cancels the running activities of a terminated instance', async () => {
    expect(await post('/orchestrators/Forever/term-1')).toBe(202);
    await latch('started:term-1').promise;
    expect(await post('/instances/term-1/terminate?reason=enough')).toBe(202);
    expect(await latch('aborted:term-1').promise).toBe('TaskCanceledError');
    expect(await statusOf('term-1')).toMatchObject({ runtimeStatus: 'Terminated', output: 'enough' });
  });
});

describe('typed failures (embedded, over REST)', () => {
  it('does not retry a non-retriable failure, and shows its custom fields in the failure details', async () => {
    chargeAttempts = 0;
    expect(await post('/orchestrators/Checkout/pay-1')).toBe(202);
    const status = await statusOf('pay-1');
    expect(chargeAttempts).toBe(1);
    expect(status).toMatchObject({
      runtimeStatus: 'Failed',
      failureDetails: {
        errorType: 'ActivityFailedError',
        innerFailure: {
          errorType: 'PaymentError',
          errorMessage: 'payment refused (E_FRAUD)',
          isNonRetriable: true,
          properties: { code: 'E_FRAUD', details: { amount: 12 } },
        },
      },
    });
  });

  it("hands the custom fields to the orchestration's catch", async () => {
    expect(await post('/orchestrators/CheckoutCaught/pay-2')).toBe(202);
    expect(await statusOf('pay-2')).toMatchObject({
      runtimeStatus: 'Completed',
      output: { caught: 'PaymentError', properties: { code: 'E_FRAUD', details: { amount: 12 } } },
    });
  });
});
