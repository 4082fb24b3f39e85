import { join } from 'node:path';
import { DurableProcess } from '../support/durable-process';

const expected = (n: number) =>
  [0, 1, 2, 3].map((i) => `${n}-${i}`).concat([1, 2, 3].map((j) => `${n}-fan-${j}`));

describe('a crash while 200 orchestrations run', () => {
  const env = { DURABLE_APP: join(__dirname, '..', 'fixtures', 'crash-app.ts') };
  const first = new DurableProcess(env);

  afterAll(() => first.cleanup());

  it('loses nothing: after SIGKILL and a restart on the same data, each completes once with the right output', async () => {
    await first.start();
    const ids = Array.from({ length: 200 }, (_, n) => `crash-${n}`);
    const statuses = await Promise.all(
      ids.map(async (id, n) => {
        const response = await fetch(`${first.baseUrl}/orchestrators/CrashSequence/${id}`, {
          method: 'POST',
          body: String(n),
          headers: { 'content-type': 'application/json' },
        });
        return response.status;
      }),
    );
    expect(new Set(statuses)).toEqual(new Set([202]));
    await new Promise((resolve) => setTimeout(resolve, 250));
    const completedBefore = (
      (await (await fetch(`${first.baseUrl}/instances?top=1000&runtimeStatus=Completed`)).json()) as unknown[]
    ).length;
    await first.kill();
    // The kill must land while work is in flight, or the test proves nothing.
    expect(completedBefore).toBeLessThan(ids.length);

    const second = new DurableProcess(env, first.dataDir);
    await second.start();
    try {
      const deadline = Date.now() + 90_000;
      const done = new Map<string, Record<string, unknown>>();
      while (done.size < ids.length && Date.now() < deadline) {
        for (const id of ids) {
          if (done.has(id)) continue;
          const response = await fetch(
            `${second.baseUrl}/instances/${id}?showHistory=true&showHistoryOutput=true`,
          );
          if (response.status === 202) continue;
          done.set(id, (await response.json()) as Record<string, unknown>);
        }
        if (done.size < ids.length) await new Promise((resolve) => setTimeout(resolve, 200));
      }
      expect(done.size).toBe(ids.length);
      for (const [id, body] of done) {
        const n = Number(id.slice('crash-'.length));
        expect({ id, status: body['runtimeStatus'], output: body['output'] }).toEqual({
          id,
          status: 'Completed',
          output: expected(n),
        });
        const history = body['historyEvents'] as Array<{ EventType: string; Result?: unknown }>;
        const results = history.filter((e) => e.EventType === 'TaskCompleted').map((e) => e.Result);
        // Every activity result was applied exactly once: seven results, each the expected one.
        expect({ id, results: [...results].sort() }).toEqual({ id, results: [...expected(n)].sort() });
      }
    } finally {
      await second.stop();
    }
  });

  it('applies each acknowledged entity operation once across a SIGKILL and a restart', async () => {
    const product = new DurableProcess(env);
    await product.start();
    const post = (path: string, body: string) =>
      fetch(`${product.baseUrl}${path}`, {
        method: 'POST',
        body,
        headers: { 'content-type': 'application/json' },
      });
    let acknowledged = 0;
    let stop = false;
    const signals = (async () => {
      while (!stop) {
        const response = await post('/entities/Tally/signals?op=add', '1').catch(() => undefined);
        if (response?.status === 202) acknowledged++;
      }
    })();
    const callers = await Promise.all(
      Array.from(
        { length: 50 },
        async (_, n) =>
          (await post(`/orchestrators/CountUp/count-${n}`, JSON.stringify({ key: 'calls', n }))).status,
      ),
    );
    expect(new Set(callers)).toEqual(new Set([202]));
    await new Promise((resolve) => setTimeout(resolve, 300));
    const finishedBefore = (
      (await (
        await fetch(`${product.baseUrl}/instances?top=1000&runtimeStatus=Completed`)
      ).json()) as unknown[]
    ).length;
    await product.kill();
    stop = true;
    // The kill must land while calls are in flight, or the test proves nothing.
    expect(finishedBefore).toBeLessThan(50);
    await signals;
    expect(acknowledged).toBeGreaterThan(0);

    const second = new DurableProcess(env, product.dataDir);
    await second.start();
    try {
      const state = async (key: string) => {
        const response = await fetch(`${second.baseUrl}/entities/Tally/${key}`);
        return response.status === 200 ? ((await response.json()) as number) : undefined;
      };
      const deadline = Date.now() + 60_000;
      while (
        Date.now() < deadline &&
        ((await state('calls')) !== 50 || (await state('signals')) !== acknowledged)
      )
        await new Promise((resolve) => setTimeout(resolve, 100));
      // A signal sent as the process died may have been applied without its 202 reaching us.
      expect(await state('signals')).toBeGreaterThanOrEqual(acknowledged);
      expect(await state('signals')).toBeLessThanOrEqual(acknowledged + 1);
      expect(await state('calls')).toBe(50);
      const outputs = await Promise.all(
        Array.from({ length: 50 }, async (_, i) => {
          const body = (await (await fetch(`${second.baseUrl}/instances/count-${i}`)).json()) as {
            output: number;
          };
          return body.output;
        }),
      );
      // Each call saw a distinct total: every call was applied once.
      expect([...outputs].sort((a, b) => a - b)).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
    } finally {
      await second.stop();
      product.cleanup();
    }
  });
});
