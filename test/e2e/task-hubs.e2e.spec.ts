// Several task hubs served by one product (TASK_HUBS), as `npm start` runs it: an instance of one hub
// is invisible from another over REST, gRPC (the official JS SDK with `taskhub` call metadata) and the
// CLI; roles granted for one hub hold in that hub only; each hub keeps its own SQLite file.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import {
  NoOpLogger,
  TaskHubGrpcClient,
  TaskHubGrpcWorker,
  type ActivityContext,
  type OrchestrationContext,
  type Task,
} from '@microsoft/durabletask-js';
import { freePort } from '@durable/tools/net';
import { DurableProcess } from '../support/durable-process';

const root = join(__dirname, '..', '..');
const bin = join(root, 'node_modules', '.bin', 'durable');

const keys = {
  admin: 'admin-of-every-hub-key-0123',
  billingContributor: 'billing-contributor-key-0123',
  billingWorker: 'billing-worker-key-0123456',
};

let grpcPort = 0;
let product: DurableProcess;

beforeAll(async () => {
  grpcPort = await freePort();
  product = new DurableProcess({
    TASK_HUB: 'orders',
    TASK_HUBS: 'orders,billing',
    GRPC_PORT: String(grpcPort),
    // Retention runs per hub; the test sweeps on demand rather than waiting for the loop.
    DURABLE_RETENTION_TERMINATED: '1s',
    DURABLE_RETENTION_INTERVAL: '1h',
    DURABLE_API_KEYS: [
      `admin:${keys.admin}`,
      `contributor@billing:${keys.billingContributor}`,
      `worker@billing:${keys.billingWorker}`,
    ].join(','),
  });
  await product.start();
}, 60_000);

afterAll(async () => {
  await product?.stop();
  product?.cleanup();
});

const as = (key: string, init: RequestInit = {}): RequestInit => ({
  ...init,
  headers: { authorization: `Bearer ${key}`, ...(init.headers as Record<string, string> | undefined) },
});

const api = (path: string) => `${product.baseUrl}${path}`;

/** Starts HelloSequence in hub billing over REST and waits for it; its id. */
async function startInBilling(): Promise<string> {
  const started = await fetch(
    api('/orchestrators/HelloSequence?taskHub=billing'),
    as(keys.admin, { method: 'POST' }),
  );
  expect(started.status).toBe(202);
  const payload = (await started.json()) as { id: string; statusQueryGetUri: string };
  // The URLs handed out stay in the hub.
  expect(payload.statusQueryGetUri).toMatch(/\?taskHub=billing$/);
  expect(started.headers.get('location')).toBe(payload.statusQueryGetUri);
  const polled = await fetch(payload.statusQueryGetUri, as(keys.admin));
  expect([200, 202]).toContain(polled.status);
  return payload.id;
}

async function completed(id: string, hub: string): Promise<void> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const response = await fetch(api(`/instances/${id}?taskHub=${hub}`), as(keys.admin));
    if (response.status === 200) return;
    if (Date.now() > deadline) throw new Error(`${id} did not complete: ${response.status}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('REST: the taskHub query parameter', () => {
  it('runs an instance in hub billing that hub orders (the default) does not see', async () => {
    const id = await startInBilling();
    await completed(id, 'billing');
    const status = await fetch(api(`/instances/${id}?taskHub=BILLING`), as(keys.admin));
    expect(await status.json()).toMatchObject({
      runtimeStatus: 'Completed',
      output: ['Hello Tokyo!', 'Hello Seattle!', 'Hello London!'],
    });

    for (const other of ['', '?taskHub=orders']) {
      const missing = await fetch(api(`/instances/${id}${other}`), as(keys.admin));
      expect(missing.status).toBe(404);
      expect(await missing.json()).toMatchObject({ error: 'InstanceNotFoundError' });
    }
    const ordersList = (await (await fetch(api('/instances?top=1000'), as(keys.admin))).json()) as Array<{
      instanceId: string;
    }>;
    expect(ordersList.map((i) => i.instanceId)).not.toContain(id);
    const billingList = (await (
      await fetch(api('/instances?taskHub=billing&top=1000'), as(keys.admin))
    ).json()) as Array<{ instanceId: string }>;
    expect(billingList.map((i) => i.instanceId)).toContain(id);
    // Purge and every other route take the hub as well.
    expect((await fetch(api(`/instances/${id}`), as(keys.admin, { method: 'DELETE' }))).status).toBe(404);
    expect((await fetch(api(`/instances/${id}/waiting?taskHub=orders`), as(keys.admin))).status).toBe(404);
    expect(
      (await fetch(api(`/instances/${id}?taskHub=billing`), as(keys.admin, { method: 'DELETE' }))).status,
    ).toBe(200);
  });

  it('answers 404 with the reason for a hub it does not serve, and 400 for a name no hub can have', async () => {
    for (const path of [
      '/instances?taskHub=shipping',
      '/orchestrators?taskHub=shipping',
      '/retention?taskHub=shipping',
      '/entities?taskHub=shipping',
    ]) {
      const response = await fetch(api(path), as(keys.admin));
      expect([path, response.status]).toEqual([path, 404]);
      expect(await response.json()).toEqual({
        error: 'TaskHubNotFoundError',
        message: "task hub 'shipping' is not served here (served: orders, billing)",
      });
    }
    const start = await fetch(
      api('/orchestrators/HelloSequence?taskHub=shipping'),
      as(keys.admin, { method: 'POST' }),
    );
    expect(start.status).toBe(404);
    const bad = await fetch(api('/instances?taskHub=no%20such%20hub'), as(keys.admin));
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ error: 'InvalidArgumentError' });
    expect((await fetch(api('/instances?taskHub='), as(keys.admin))).status).toBe(400);
    expect((await fetch(api('/instances?taskHub=orders&taskHub=billing'), as(keys.admin))).status).toBe(400);
  });

  it('holds a role granted for one hub in requests to that hub only', async () => {
    const inBilling = await fetch(
      api('/orchestrators/HelloSequence?taskHub=billing'),
      as(keys.billingContributor, { method: 'POST' }),
    );
    expect(inBilling.status).toBe(202);
    const inOrders = await fetch(
      api('/orchestrators/HelloSequence'),
      as(keys.billingContributor, { method: 'POST' }),
    );
    expect(inOrders.status).toBe(403);
    expect(
      await (await fetch(api('/auth/whoami?taskHub=billing'), as(keys.billingContributor))).json(),
    ).toEqual({ authenticated: true, roles: ['contributor'] });
    expect(await (await fetch(api('/auth/whoami'), as(keys.billingContributor))).json()).toEqual({
      authenticated: true,
      roles: [],
    });
  });

  it('keeps each hub in its own SQLite file and its own retention', async () => {
    expect(existsSync(join(product.dataDir, 'durable.db'))).toBe(true);
    expect(existsSync(join(product.dataDir, 'hubs', 'billing', 'durable.db'))).toBe(true);
    const started = await fetch(
      api('/orchestrators/Approval/retained-1?taskHub=billing'),
      as(keys.admin, {
        method: 'POST',
        body: '{"timeoutSeconds":600}',
        headers: { 'content-type': 'application/json' },
      }),
    );
    expect(started.status).toBe(202);
    const terminate = await fetch(
      api('/instances/retained-1/terminate?taskHub=billing'),
      as(keys.admin, { method: 'POST' }),
    );
    expect(terminate.status).toBe(202);
    const deadline = Date.now() + 30_000;
    while (
      (
        (await (await fetch(api('/instances/retained-1?taskHub=billing'), as(keys.admin))).json()) as {
          runtimeStatus: string;
        }
      ).runtimeStatus !== 'Terminated'
    ) {
      if (Date.now() > deadline) throw new Error('not terminated in time');
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    await new Promise((resolve) => setTimeout(resolve, 1100));
    // The default hub's sweep leaves billing's instance alone; billing's own sweep purges it.
    const ordersSweep = await fetch(api('/retention/sweep'), as(keys.admin, { method: 'POST' }));
    expect(ordersSweep.status).toBe(200);
    // Durable Functions answers a terminated instance's status with 400.
    expect((await fetch(api('/instances/retained-1?taskHub=billing'), as(keys.admin))).status).toBe(400);
    const sweep = await fetch(api('/retention/sweep?taskHub=billing'), as(keys.admin, { method: 'POST' }));
    expect(sweep.status).toBe(200);
    expect((await fetch(api('/instances/retained-1?taskHub=billing'), as(keys.admin))).status).toBe(404);
    expect((await fetch(api('/retention?taskHub=billing'), as(keys.admin))).status).toBe(200);
  });
});

describe('gRPC: the taskhub call metadata of the official SDKs', () => {
  const metadata = (key: string, hub?: string) => () => {
    const m = new grpc.Metadata();
    m.set('authorization', `Bearer ${key}`);
    if (hub !== undefined) m.set('taskhub', hub);
    return Promise.resolve(m);
  };
  const client = (key: string, hub?: string) =>
    new TaskHubGrpcClient({
      hostAddress: `127.0.0.1:${grpcPort}`,
      metadataGenerator: metadata(key, hub),
      logger: new NoOpLogger(),
    });

  it('runs an SDK worker in hub billing, whose instances hub orders does not see', async () => {
    const worker = new TaskHubGrpcWorker({
      hostAddress: `127.0.0.1:${grpcPort}`,
      metadataGenerator: metadata(keys.billingWorker, 'billing'),
      logger: new NoOpLogger(),
    });
    const hello = async (_: ActivityContext, name: string): Promise<string> => `Hello ${name} from billing!`;
    worker.addNamedActivity('BillingHello', hello);
    worker.addNamedOrchestrator(
      'BillingFlow',
      async function* (
        ctx: OrchestrationContext,
        name: string,
      ): AsyncGenerator<Task<string>, string, string> {
        return yield ctx.callActivity('BillingHello', name);
      },
    );
    await worker.start();
    const billing = client(keys.admin, 'billing');
    const orders = client(keys.admin, 'orders');
    const byDefault = client(keys.admin);
    try {
      const id = await billing.scheduleNewOrchestration('BillingFlow', 'Ada');
      const state = await billing.waitForOrchestrationCompletion(id, true, 60);
      expect(state?.serializedOutput).toBe(JSON.stringify('Hello Ada from billing!'));
      expect(await orders.getOrchestrationState(id)).toBeUndefined();
      expect(await byDefault.getOrchestrationState(id)).toBeUndefined();
      // The REST API sees it in its hub only, too.
      expect((await fetch(api(`/instances/${id}?taskHub=billing`), as(keys.admin))).status).toBe(200);
      expect((await fetch(api(`/instances/${id}`), as(keys.admin))).status).toBe(404);
    } finally {
      await billing.stop();
      await orders.stop();
      await byDefault.stop();
      await worker.stop();
    }
  });

  it('sees a REST instance of hub billing over gRPC in billing only', async () => {
    const id = await startInBilling();
    await completed(id, 'billing');
    const billing = client(keys.admin, 'billing');
    const orders = client(keys.admin);
    try {
      expect((await billing.getOrchestrationState(id))?.instanceId).toBe(id);
      expect(await orders.getOrchestrationState(id)).toBeUndefined();
    } finally {
      await billing.stop();
      await orders.stop();
    }
  });

  it('answers NOT_FOUND for a hub it does not serve, and holds a hub role in its hub only', async () => {
    const shipping = client(keys.admin, 'shipping');
    const contributorInOrders = client(keys.billingContributor);
    const contributorInBilling = client(keys.billingContributor, 'billing');
    try {
      await expect(shipping.scheduleNewOrchestration('HelloSequence')).rejects.toMatchObject({
        code: grpc.status.NOT_FOUND,
        details: expect.stringContaining("task hub 'shipping' is not served here"),
      });
      await expect(contributorInOrders.scheduleNewOrchestration('HelloSequence')).rejects.toMatchObject({
        code: grpc.status.PERMISSION_DENIED,
      });
      const id = await contributorInBilling.scheduleNewOrchestration('HelloSequence');
      expect(await contributorInBilling.waitForOrchestrationCompletion(id, false, 60)).toMatchObject({
        instanceId: id,
      });
    } finally {
      await shipping.stop();
      await contributorInOrders.stop();
      await contributorInBilling.stop();
    }
  });
});

describe('the CLI: --task-hub and DURABLE_TASK_HUB', () => {
  const durable = (args: readonly string[], env: Record<string, string> = {}) =>
    new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
      const child = spawn(bin, args, {
        cwd: root,
        env: {
          ...process.env,
          NO_COLOR: '1',
          DURABLE_URL: product.baseUrl.replace(/\/runtime.*$/, ''),
          DURABLE_TOKEN: keys.admin,
          ...env,
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
      child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
      child.on('error', reject);
      child.on('close', (code) => resolve({ code, stdout, stderr }));
    });

  it('starts and reads in the hub it names, and finds nothing of it in another', async () => {
    const id = 'cli-billing-1';
    const started = await durable(['--task-hub', 'billing', 'start', 'HelloSequence', '--id', id, '--wait']);
    expect([started.code, started.stderr]).toEqual([0, '']);
    expect((await durable(['--task-hub', 'billing', 'status', id])).code).toBe(0);
    expect((await durable(['status', id], { DURABLE_TASK_HUB: 'billing' })).code).toBe(0);
    const inOrders = await durable(['status', id]);
    expect(inOrders.code).toBe(3);
    const list = await durable(['--json', 'list', '--all'], { DURABLE_TASK_HUB: 'orders' });
    expect(list.code).toBe(0);
    expect(list.stdout).not.toContain(id);
  });

  it('exits 3 for a hub the server does not serve and 2 for a name no hub can have', async () => {
    const unknown = await durable(['--task-hub', 'shipping', 'list']);
    expect(unknown.code).toBe(3);
    expect(unknown.stderr).toContain("task hub 'shipping' is not served here");
    expect((await durable(['--task-hub', 'no such hub', 'list'])).code).toBe(2);
    expect((await durable(['list'], { DURABLE_TASK_HUB: 'no such hub' })).code).toBe(2);
  });
});
