import { DurableProcess, waitForOutput } from '../support/durable-process';

async function until(condition: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('the product over HTTP, started as `npm start` starts it', () => {
  const product = new DurableProcess();

  beforeAll(() => product.start());
  afterAll(async () => {
    await product.stop();
    product.cleanup();
  });

  const post = (path: string, body?: string, headers: Record<string, string> = {}) =>
    fetch(`${product.baseUrl}${path}`, {
      method: 'POST',
      ...(body !== undefined ? { body, headers: { 'content-type': 'application/json', ...headers } } : {}),
    });

  const startAndWait = async (name: string, input?: unknown) => {
    const started = await post(
      `/orchestrators/${name}`,
      input === undefined ? undefined : JSON.stringify(input),
    );
    expect(started.status).toBe(202);
    const payload = (await started.json()) as { id: string; statusQueryGetUri: string };
    expect(started.headers.get('location')).toBe(payload.statusQueryGetUri);
    return { ...payload, ...(await waitForOutput(payload.statusQueryGetUri)) };
  };

  const instanceCount = async () =>
    ((await (await fetch(`${product.baseUrl}/instances?top=1000`)).json()) as unknown[]).length;

  it('runs HelloSequence', async () => {
    const { status, body } = await startAndWait('HelloSequence');
    expect(status).toBe(200);
    expect(body).toMatchObject({
      runtimeStatus: 'Completed',
      output: ['Hello Tokyo!', 'Hello Seattle!', 'Hello London!'],
    });
  });

  it('runs FanOutFanIn', async () => {
    const { body } = await startAndWait('FanOutFanIn', 20);
    expect(body['output']).toBe((20 * 21 * 41) / 6);
  });

  it('approves an Approval through raiseEvent, and times another out', async () => {
    const started = await post('/orchestrators/Approval/order-1', JSON.stringify({ timeoutSeconds: 60 }));
    const { sendEventPostUri, statusQueryGetUri } = (await started.json()) as Record<string, string>;
    const raised = await fetch(sendEventPostUri!.replace('{eventName}', 'Approval'), {
      method: 'POST',
      body: 'true',
      headers: { 'content-type': 'application/json' },
    });
    expect(raised.status).toBe(202);
    expect((await waitForOutput(statusQueryGetUri!)).body['output']).toBe('approved');
    const { body } = await startAndWait('Approval', { timeoutSeconds: 1 });
    expect(body['output']).toBe('timed out');
  });

  it('retries a flaky activity until it succeeds', async () => {
    const { body } = await startAndWait('RetryingGreeting', 'Ada');
    expect(body['output']).toBe('Hello Ada, on attempt 3!');
  });

  it('terminates a running instance, then answers 410 to operations on it', async () => {
    const started = await post(
      '/orchestrators/Approval/to-terminate',
      JSON.stringify({ timeoutSeconds: 3600 }),
    );
    const { terminatePostUri, statusQueryGetUri } = (await started.json()) as Record<string, string>;
    expect((await fetch(terminatePostUri!.replace('{text}', 'stop'), { method: 'POST' })).status).toBe(202);
    const { status, body } = await waitForOutput(statusQueryGetUri!);
    expect(status).toBe(400);
    expect(body['runtimeStatus']).toBe('Terminated');
    expect((await post('/instances/to-terminate/raiseEvent/Approval', 'true')).status).toBe(410);
  });

  it('shows history when asked', async () => {
    const { id } = await startAndWait('HelloSequence');
    const response = await fetch(`${product.baseUrl}/instances/${id}?showHistory=true`);
    const body = (await response.json()) as { historyEvents: Array<{ EventType: string }> };
    expect(body.historyEvents.filter((e) => e.EventType === 'TaskCompleted')).toHaveLength(3);
  });

  it('refuses bad input with a clear 4xx and writes nothing', async () => {
    const before = await instanceCount();
    const malformed = await post('/orchestrators/HelloSequence', '{"oops"');
    expect(malformed.status).toBe(400);
    expect(((await malformed.json()) as { message: string }).message).toMatch(/JSON/);
    expect((await post('/orchestrators/NoSuchOrchestration', '1')).status).toBe(404);
    expect((await post('/orchestrators/HelloSequence/bad%23id', '1')).status).toBe(400);
    expect(
      (await post('/orchestrators/FanOutFanIn', JSON.stringify('x'.repeat(1024 * 1024 + 10)))).status,
    ).toBe(413);
    expect((await fetch(`${product.baseUrl}/instances/nobody`)).status).toBe(404);
    expect((await post('/instances/nobody/terminate')).status).toBe(404);
    expect(await instanceCount()).toBe(before);
  });

  it('lists instances page by page with continuation tokens, and purges finished ones', async () => {
    for (let i = 0; i < 5; i++) await startAndWait('HelloSequence');
    const seen = new Set<string>();
    let token: string | null = null;
    do {
      const response: Response = await fetch(`${product.baseUrl}/instances?top=3`, {
        headers: token !== null ? { 'x-ms-continuation-token': token } : {},
      });
      for (const instance of (await response.json()) as Array<{ instanceId: string }>)
        seen.add(instance.instanceId);
      token = response.headers.get('x-ms-continuation-token');
    } while (token !== null);
    expect(seen.size).toBe(await instanceCount());
    const { id } = await startAndWait('HelloSequence');
    expect((await fetch(`${product.baseUrl}/instances/${id}`, { method: 'DELETE' })).status).toBe(200);
    expect((await fetch(`${product.baseUrl}/instances/${id}`)).status).toBe(404);
  });

  it('signals the sample Counter, reads its state, lists and deletes it', async () => {
    for (const amount of [5, 7])
      expect((await post('/entities/Counter/c1?op=add', String(amount))).status).toBe(202);
    await until(async () => (await fetch(`${product.baseUrl}/entities/Counter/c1`)).status === 200);
    await until(async () => (await (await fetch(`${product.baseUrl}/entities/counter/c1`)).json()) === 12);
    const listed = (await (
      await fetch(`${product.baseUrl}/entities/Counter?fetchState=true`)
    ).json()) as Array<Record<string, unknown>>;
    expect(listed).toContainEqual(
      expect.objectContaining({ entityId: { name: 'counter', key: 'c1' }, state: 12 }),
    );
    expect((await fetch(`${product.baseUrl}/entities/Counter/c1`, { method: 'DELETE' })).status).toBe(202);
    await until(async () => (await fetch(`${product.baseUrl}/entities/Counter/c1`)).status === 404);
  });

  it('moves money between Accounts with the BankTransfer sample, inside a critical section', async () => {
    expect((await post('/entities/Account/alice?op=deposit', '100')).status).toBe(202);
    const { body } = await startAndWait('BankTransfer', { from: 'alice', to: 'bob', amount: 30 });
    expect(body['output']).toEqual({ transferred: true });
    expect(await (await fetch(`${product.baseUrl}/entities/Account/alice`)).json()).toBe(70);
    expect(await (await fetch(`${product.baseUrl}/entities/Account/bob`)).json()).toBe(30);
    const refused = await startAndWait('BankTransfer', { from: 'bob', to: 'alice', amount: 31 });
    expect(refused.body['output']).toEqual({ transferred: false, reason: 'insufficient funds' });
  });

  it('refuses bad entity requests with a 4xx and a reason', async () => {
    const reasons = async (response: Response) => ({
      status: response.status,
      message: ((await response.json()) as { message: string }).message,
    });
    expect(await reasons(await post('/entities/Counter/c2', '1'))).toEqual({
      status: 400,
      message: expect.stringMatching(/'op'/),
    });
    expect(await reasons(await post('/entities/Counter/c2?op=%24delete', '1'))).toEqual({
      status: 400,
      message: expect.stringMatching(/reserved/),
    });
    expect((await post('/entities/Counter/c2?op=add', '{"oops"')).status).toBe(400);
    expect((await post('/entities/Nobody/c2?op=add', '1')).status).toBe(404);
    expect(await reasons(await post('/entities/Account/c2?op=fly', '1'))).toEqual({
      status: 400,
      message: expect.stringMatching(/no operation 'fly'/),
    });
    expect((await post('/entities/Counter/c2?op=add&scheduledTime=yesterday', '1')).status).toBe(400);
    expect(
      (await post('/entities/Counter/c2?op=add', JSON.stringify('x'.repeat(1024 * 1024 + 10)))).status,
    ).toBe(413);
    expect((await fetch(`${product.baseUrl}/entities/Counter/never-signalled`)).status).toBe(404);
    expect((await fetch(`${product.baseUrl}/entities/Counter/c2`)).status).toBe(404);
  });

  it('serves an OpenAPI document', async () => {
    const document = (await (await fetch(`http://127.0.0.1:${product.port}/openapi.json`)).json()) as {
      paths: Record<string, unknown>;
    };
    expect(Object.keys(document.paths).length).toBeGreaterThan(5);
  });
});
