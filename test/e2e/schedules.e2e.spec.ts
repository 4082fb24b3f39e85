// Schedules and signal-with-start over REST, against the product started as `npm start` starts it.
import { DurableProcess, waitForOutput } from '../support/durable-process';
import { until } from '../support/until';

jest.setTimeout(120_000);

/** A JSON request; a string body is sent as it is (to send malformed JSON). */
function request(baseUrl: string, method: string, path: string, body?: unknown): Promise<Response> {
  return fetch(`${baseUrl}${path}`, {
    method,
    ...(body !== undefined
      ? {
          body: typeof body === 'string' ? body : JSON.stringify(body),
          headers: { 'content-type': 'application/json' },
        }
      : {}),
  });
}

interface Schedule {
  scheduleId: string;
  status: string;
  runs: number;
  interval?: number;
  cron?: string;
  nextRunAt?: string;
  lastInstanceId?: string;
}

describe('schedules and signal-with-start over HTTP', () => {
  const product = new DurableProcess({ DURABLE_APP: 'test/fixtures/schedules-app.ts' });

  beforeAll(() => product.start());
  afterAll(async () => {
    await product.stop();
    product.cleanup();
  });

  const send = (method: string, path: string, body?: unknown) => request(product.baseUrl, method, path, body);
  const schedule = async (id: string): Promise<Schedule | undefined> => {
    const response = await send('GET', `/schedules/${id}`);
    return response.status === 404 ? undefined : ((await response.json()) as Schedule);
  };
  const instancesOf = async (prefix: string) =>
    (await (await send('GET', `/instances?instanceIdPrefix=${prefix}&top=1000`)).json()) as Array<{
      instanceId: string;
      runtimeStatus: string;
      name: string;
    }>;
  const runsCounted = async (key: string): Promise<number> => {
    const response = await send('GET', `/entities/Runs/${key}`);
    return response.status === 404 ? 0 : ((await response.json()) as number);
  };

  it('refuses bad schedules with a reason', async () => {
    const bad = async (path: string, body: unknown, status: number, message: RegExp) => {
      const response = await send('POST', path, body);
      expect(response.status).toBe(status);
      expect(((await response.json()) as { message: string }).message).toMatch(message);
    };
    await bad(
      '/schedules/s1',
      { orchestrationName: 'Tick', cron: 'every day' },
      400,
      /invalid cron expression/,
    );
    await bad('/schedules/s1', { orchestrationName: 'Tick' }, 400, /exactly one of interval and cron/);
    await bad('/schedules/s1', { orchestrationName: 'Tick', interval: '5 minutes' }, 400, /interval must be/);
    await bad('/schedules/s1', { orchestrationName: 'Nope', interval: '1m' }, 404, /Nope/);
    await bad('/schedules/s1', '[1]', 400, /must be a JSON object/);
    await bad('/schedules/s1', '{', 400, /not valid JSON/);
    await bad('/schedules/s1/pause', undefined, 404, /no schedule with id 's1'/);
    expect((await send('GET', '/schedules/s1')).status).toBe(404);
  });

  it('starts one orchestration per tick; lists, pauses, resumes, updates and deletes the schedule', async () => {
    const created = await send('POST', '/schedules/every-second', {
      orchestrationName: 'Tick',
      input: { counter: 'every-second' },
      interval: '1s',
    });
    expect(created.status).toBe(202);
    const accepted = (await created.json()) as { scheduleId: string; scheduleUri: string };
    expect(accepted.scheduleId).toBe('every-second');
    expect(created.headers.get('location')).toBe(accepted.scheduleUri);

    const running = await until(
      () => schedule('every-second'),
      (s) => (s?.runs ?? 0) >= 2,
    );
    expect(running).toMatchObject({ status: 'Active', interval: 1000 });
    expect(
      (await send('POST', '/schedules/every-second', { orchestrationName: 'Tick', interval: '1s' })).status,
    ).toBe(409);
    const listed = (await (await send('GET', '/schedules')).json()) as Schedule[];
    expect(listed.map((s) => s.scheduleId)).toContain('every-second');

    expect((await send('POST', '/schedules/every-second/pause')).status).toBe(202);
    const paused = await until(
      () => schedule('every-second'),
      (s) => s?.status === 'Paused',
    );
    expect(paused?.nextRunAt).toBeUndefined();
    // Two intervals pass: a paused schedule starts nothing.
    await new Promise((resolve) => setTimeout(resolve, 2500));
    expect((await schedule('every-second'))?.runs).toBe(paused?.runs);

    expect((await send('POST', '/schedules/every-second/resume')).status).toBe(202);
    await until(
      () => schedule('every-second'),
      (s) => s?.status === 'Active' && s.runs > (paused?.runs ?? 0),
    );

    expect((await send('POST', '/schedules/every-second/update', { cron: '*/2 * * * * *' })).status).toBe(
      202,
    );
    const updated = await until(
      () => schedule('every-second'),
      (s) => s?.cron !== undefined,
    );
    expect(updated?.interval).toBeUndefined();
    expect(new Date(updated?.nextRunAt as string).getUTCSeconds() % 2).toBe(0);
    const update400 = await send('POST', '/schedules/every-second/update', { catchupPolicy: 'some' });
    expect(update400.status).toBe(400);

    expect((await send('DELETE', '/schedules/every-second')).status).toBe(202);
    await until(
      () => schedule('every-second'),
      (s) => s === undefined,
    );
    expect((await send('DELETE', '/schedules/every-second')).status).toBe(404);

    // Every tick started one instance of its own, named after the tick, and each ran once.
    const instances = await until(
      () => instancesOf('every-second-'),
      (list) => list.length > 0 && list.every((i) => i.runtimeStatus === 'Completed'),
    );
    for (const instance of instances) {
      expect(instance.name).toBe('Tick');
      expect(Number.isNaN(Date.parse(instance.instanceId.slice('every-second-'.length)))).toBe(false);
    }
    expect(new Set(instances.map((i) => i.instanceId)).size).toBe(instances.length);
    await until(
      () => runsCounted('every-second'),
      (n) => n === instances.length,
    );
  });

  it('signal-with-start: concurrent callers start the instance once and every event arrives', async () => {
    const callers = 20;
    const responses = await Promise.all(
      Array.from({ length: callers }, (_, i) =>
        send('POST', '/orchestrators/Collect/collector-1/raiseEvent/item', {
          input: { count: callers },
          eventData: i,
        }),
      ),
    );
    const statuses = responses.map((r) => r.status).sort();
    expect(statuses.filter((s) => s === 202)).toHaveLength(1);
    expect(statuses.filter((s) => s === 200)).toHaveLength(callers - 1);
    const payload = (await responses[0]!.json()) as { id: string; statusQueryGetUri: string };
    expect(payload.id).toBe('collector-1');

    const { body } = await waitForOutput(payload.statusQueryGetUri);
    expect(body['runtimeStatus']).toBe('Completed');
    expect([...(body['output'] as number[])].sort((a, b) => a - b)).toEqual(
      Array.from({ length: callers }, (_, i) => i),
    );
    const history = (await (await send('GET', '/instances/collector-1?showHistory=true')).json()) as {
      historyEvents: Array<{ EventType: string }>;
    };
    expect(history.historyEvents.filter((e) => e.EventType === 'ExecutionStarted')).toHaveLength(1);

    // A finished instance is started again, with the event.
    const again = await send('POST', '/orchestrators/Collect/collector-1/raiseEvent/item', {
      input: { count: 1 },
      eventData: 'again',
    });
    expect(again.status).toBe(202);
    expect((await waitForOutput(payload.statusQueryGetUri)).body['output']).toEqual(['again']);
  });

  it('signal-with-start refuses bad input with a reason', async () => {
    const notObject = await send('POST', '/orchestrators/Collect/c2/raiseEvent/item', '[1]');
    expect(notObject.status).toBe(400);
    const unknownField = await send('POST', '/orchestrators/Collect/c2/raiseEvent/item', { data: 1 });
    expect(unknownField.status).toBe(400);
    expect(((await unknownField.json()) as { message: string }).message).toMatch(/unknown field\(s\) data/);
    const unknownName = await send('POST', '/orchestrators/Nope/c2/raiseEvent/item', {});
    expect(unknownName.status).toBe(404);
    expect((await send('GET', '/instances/c2')).status).toBe(404);
  });
});

describe('a schedule through a SIGKILL of the product', () => {
  const product = new DurableProcess({ DURABLE_APP: 'test/fixtures/schedules-app.ts' });

  beforeAll(() => product.start());
  afterAll(async () => {
    await product.stop();
    product.cleanup();
  });

  const send = (method: string, path: string, body?: unknown) => request(product.baseUrl, method, path, body);
  const schedule = async (): Promise<Schedule & { lastRunAt?: string }> =>
    (await (await send('GET', '/schedules/crash')).json()) as Schedule & { lastRunAt?: string };

  it('starts every tick exactly once, the ones missed while it was down included', async () => {
    expect(
      (
        await send('POST', '/schedules/crash', {
          orchestrationName: 'Tick',
          input: { counter: 'crash' },
          interval: 1000,
        })
      ).status,
    ).toBe(202);
    await until(schedule, (s) => s.runs >= 2);
    await product.kill();
    await new Promise((resolve) => setTimeout(resolve, 2500));
    await product.start();
    const restartedAt = Date.now();
    await until(schedule, (s) => Date.parse(s.lastRunAt ?? '') > restartedAt);
    expect((await send('POST', '/schedules/crash/pause')).status).toBe(202);
    const paused = await until(schedule, (s) => s.status === 'Paused');

    const instances = await until(
      async () =>
        (await (await send('GET', '/instances?instanceIdPrefix=crash-&top=1000')).json()) as Array<{
          instanceId: string;
          runtimeStatus: string;
        }>,
      (list) => list.length === paused.runs && list.every((i) => i.runtimeStatus === 'Completed'),
    );
    const ticks = instances.map((i) => Date.parse(i.instanceId.slice('crash-'.length))).sort((a, b) => a - b);
    expect(ticks.slice(1).filter((t, i) => t - (ticks[i] as number) !== 1000)).toEqual([]);
    await until(
      async () => (await (await send('GET', '/entities/Runs/crash')).json()) as number,
      (count) => count === ticks.length,
    );
  });
});
