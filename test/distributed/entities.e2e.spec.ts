// Durable entities in distributed mode: the sample Counter, Account and BankTransfer (the apps'
// default registry) on a real broker and Cosmos server, with an orchestration worker SIGKILLed
// while operations and critical sections are in flight.
import { DistributedCluster } from '@durable/tools/servers';

describe('durable entities in distributed mode', () => {
  let cluster: DistributedCluster;
  const base = () => `${cluster.frontend.baseUrl}`;
  const post = (path: string, body?: string) =>
    fetch(`${base()}${path}`, {
      method: 'POST',
      ...(body !== undefined ? { body, headers: { 'content-type': 'application/json' } } : {}),
    });
  const stateOf = async (name: string, key: string): Promise<unknown> => {
    const response = await fetch(`${base()}/entities/${name}/${key}`);
    return response.status === 200 ? response.json() : undefined;
  };
  const until = async (what: string, condition: () => Promise<boolean>, timeoutMs = 120_000) => {
    const deadline = Date.now() + timeoutMs;
    while (!(await condition())) {
      if (Date.now() > deadline) throw new Error(`${what}: not reached in time\n${cluster.logs()}`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  };

  beforeAll(async () => {
    cluster = await DistributedCluster.start({ orchestrationWorkers: 2, activityWorkers: 1, partitions: 4 });
  }, 240_000);

  afterAll(async () => {
    await cluster?.stop();
  }, 120_000);

  it('applies every acknowledged operation once, keeps the bank total and frees every lock through a worker kill', async () => {
    const accounts = ['a', 'b', 'c', 'd'];
    for (const key of accounts)
      expect((await post(`/entities/Account/${key}?op=deposit`, '100')).status).toBe(202);
    const scheduledAt = new Date(Date.now() + 4000).toISOString();
    expect((await post(`/entities/Counter/later?op=add&scheduledTime=${scheduledAt}`, '7')).status).toBe(202);

    let acknowledged = 0;
    const signals = (async () => {
      for (let i = 0; i < 300; i++) {
        const response = await post('/entities/Counter/hits?op=add', '1');
        if (response.status === 202) acknowledged++;
      }
    })();
    const transfers: string[] = [];
    for (let i = 0; i < 40; i++) {
      const from = accounts[i % 4] as string;
      const to = accounts[(i * 3 + 1) % 4] as string;
      const response = await post(
        '/orchestrators/BankTransfer',
        JSON.stringify({ from, to, amount: 1 + (i % 30) }),
      );
      expect(response.status).toBe(202);
      transfers.push(((await response.json()) as { id: string }).id);
      if (i === 20) await cluster.orchestrationWorkers[0]!.kill();
    }
    await signals;

    for (const id of transfers) {
      await until(`transfer ${id}`, async () => {
        const response = await fetch(`${base()}/instances/${id}`);
        return response.status === 200;
      });
      const body = (await (await fetch(`${base()}/instances/${id}`)).json()) as { runtimeStatus: string };
      expect(body.runtimeStatus).toBe('Completed');
    }
    await until('every hit counted', async () => (await stateOf('Counter', 'hits')) === acknowledged);
    expect(acknowledged).toBe(300);
    const balances = await Promise.all(accounts.map((k) => stateOf('Account', k)));
    expect(balances.reduce((sum: number, b) => sum + (b as number), 0)).toBe(400);
    await until('every lock released', async () => {
      const listed = (await (await fetch(`${base()}/entities/Account`)).json()) as Array<{
        lockedBy?: string;
      }>;
      return listed.length === 4 && listed.every((e) => e.lockedBy === undefined);
    });
    await until('the scheduled signal', async () => (await stateOf('Counter', 'later')) === 7);
    // Nothing applied twice after the dust settles.
    await new Promise((resolve) => setTimeout(resolve, 2000));
    expect(await stateOf('Counter', 'hits')).toBe(300);
  }, 300_000);
});
