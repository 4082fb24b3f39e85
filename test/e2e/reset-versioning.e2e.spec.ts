// Reset and orchestration versioning over REST, on the product started as `npm start` starts it.
import { DurableProcess, waitForOutput } from '../support/durable-process';

type HistoryJson = Array<{ EventType: string; EventId: number; Data?: unknown }>;

const post = (url: string) => fetch(url, { method: 'POST' });

async function historyOf(base: string, id: string): Promise<HistoryJson> {
  const response = await fetch(`${base}/instances/${id}?showHistory=true&showHistoryOutput=true`);
  return ((await response.json()) as { historyEvents: HistoryJson }).historyEvents;
}

/** A reset is a message: wait until the instance has run again (its reset event is in history) and finished. */
async function afterReset(base: string, id: string, resets: number) {
  const deadline = Date.now() + 30_000;
  while ((await historyOf(base, id)).filter((e) => e.EventType === 'GenericEvent').length < resets) {
    if (Date.now() > deadline) throw new Error(`${id} was not reset in time`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  return waitForOutput(`${base}/instances/${id}`);
}

describe('reset over REST (embedded)', () => {
  const product = new DurableProcess({ DURABLE_APP: 'test/fixtures/reset-app.ts' });

  beforeAll(() => product.start());
  afterAll(async () => {
    await product.stop();
    product.cleanup();
  });

  const start = async (name: string, id: string, input: unknown) => {
    const response = await fetch(`${product.baseUrl}/orchestrators/${name}/${id}`, {
      method: 'POST',
      body: JSON.stringify(input),
      headers: { 'content-type': 'application/json' },
    });
    expect(response.status).toBe(202);
    return waitForOutput(`${product.baseUrl}/instances/${id}`);
  };

  it('re-runs a Completed instance from an EventId of its history, keeping what came before, with the reason in history', async () => {
    const base = product.baseUrl;
    expect((await start('Steps', 'rest-done', false)).body['output']).toEqual([
      'rest-done/a#1',
      'rest-done/b#1',
      'rest-done/c#1',
    ]);
    const history = await historyOf(base, 'rest-done');
    const second = history.filter((e) => e.EventType === 'TaskCompleted')[1];
    expect(second).toBeDefined();

    const reset = await post(
      `${base}/instances/rest-done/reset?eventId=${second?.EventId}&reason=${encodeURIComponent('b was wrong')}`,
    );
    expect(reset.status).toBe(202);
    const { body } = await afterReset(base, 'rest-done', 1);
    expect(body).toMatchObject({
      runtimeStatus: 'Completed',
      output: ['rest-done/a#1', 'rest-done/b#2', 'rest-done/c#2'],
    });
    const after = await historyOf(base, 'rest-done');
    expect(after.filter((e) => e.EventId < (second?.EventId ?? 0))).toEqual(
      history.filter((e) => e.EventId < (second?.EventId ?? 0)),
    );
    expect(after.find((e) => e.EventType === 'GenericEvent')?.Data).toEqual({
      type: 'ExecutionReset',
      fromEventId: second?.EventId,
      droppedEvents: expect.any(Number),
      reason: 'b was wrong',
    });
  });

  it('restarts a Failed instance from its last completed activity', async () => {
    const base = product.baseUrl;
    const failed = await start('Steps', 'rest-failed', true);
    expect(failed.body).toMatchObject({ runtimeStatus: 'Failed' });

    expect(
      (await post(`${base}/instances/rest-failed/reset?to=lastCompletedActivity&reason=retry`)).status,
    ).toBe(202);
    const { body } = await afterReset(base, 'rest-failed', 1);
    expect(body).toMatchObject({
      runtimeStatus: 'Completed',
      output: ['rest-failed/a#1', 'rest-failed/b#1', 'rest-failed/c#2'],
    });
  });

  it('answers 400 with a reason for a running instance and bad points, 404 for an unknown one', async () => {
    const base = product.baseUrl;
    await start('Steps', 'rest-short', false);
    const cases: Array<[string, number, RegExp]> = [
      ['rest-short/reset', 400, /exactly one of the query parameters 'eventId' and 'to'/],
      ['rest-short/reset?eventId=1&to=lastCompletedActivity', 400, /exactly one/],
      ['rest-short/reset?eventId=-1', 400, /'eventId': it must be an event's position/],
      ['rest-short/reset?eventId=x', 400, /'eventId'/],
      ['rest-short/reset?to=start', 400, /'to': it must be 'lastCompletedActivity'/],
      ['rest-short/reset?eventId=100000', 400, /is not an event of the instance's history/],
      ['nobody/reset?eventId=0', 404, /nobody/],
    ];
    for (const [path, status, message] of cases) {
      const response = await post(`${base}/instances/${path}`);
      const body = (await response.json()) as { error: string; message: string };
      expect({ path, status: response.status }).toEqual({ path, status });
      expect(body.message).toMatch(message);
    }
    // Running: it waits for an event.
    await post(`${base}/orchestrators/Waits/rest-running`);
    const deadline = Date.now() + 30_000;
    while (
      ((await (await fetch(`${base}/instances/rest-running`)).json()) as { runtimeStatus: string })
        .runtimeStatus !== 'Running'
    ) {
      if (Date.now() > deadline) throw new Error('rest-running did not start');
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    const running = await post(`${base}/instances/rest-running/reset?eventId=0`);
    expect(running.status).toBe(400);
    expect(((await running.json()) as { message: string }).message).toBe(
      "instance 'rest-running' is Running; only a Completed, Failed or Terminated instance can be reset",
    );
  });
});

describe('orchestration versioning over REST (embedded)', () => {
  const product = new DurableProcess({
    DURABLE_APP: 'test/fixtures/reset-app.ts',
    DURABLE_VERSION: '1.0',
    DURABLE_VERSION_MATCH: 'CurrentOrOlder',
    DURABLE_VERSION_FAILURE: 'Fail',
  });

  beforeAll(() => product.start());
  afterAll(async () => {
    await product.stop();
    product.cleanup();
  });

  it('runs an instance of its version or older with ctx.version, and fails a newer one with VersionMismatch', async () => {
    const base = product.baseUrl;
    const run = async (id: string, version: string) => {
      expect((await post(`${base}/orchestrators/Versioned/${id}?version=${version}`)).status).toBe(202);
      return (await waitForOutput(`${base}/instances/${id}`)).body;
    };
    expect(await run('v-old', '0.9')).toMatchObject({
      runtimeStatus: 'Completed',
      version: '0.9',
      output: { version: '0.9', atLeast1: false },
    });
    expect(await run('v-same', '1.0.0')).toMatchObject({ output: { version: '1.0.0', atLeast1: true } });
    expect(await run('v-new', '1.1')).toMatchObject({
      runtimeStatus: 'Failed',
      version: '1.1',
      failureDetails: {
        errorType: 'VersionMismatch',
        errorMessage: "The orchestration version '1.1' is greater than the worker version '1.0'.",
      },
    });
  });
});
