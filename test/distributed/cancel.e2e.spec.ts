// Cancellation across processes: the orchestration worker records the cancel and tells the activity
// worker over the activities topic; the activity, running in that other process, sees its
// AbortSignal abort. Terminating an instance does the same. Typed failures keep their fields.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DistributedCluster } from '@durable/tools/servers';

describe('cancellation of in-flight work, in distributed mode', () => {
  let cluster: DistributedCluster;
  let marks: string;

  beforeAll(async () => {
    marks = mkdtempSync(join(tmpdir(), 'durable-cancel-marks-'));
    cluster = await DistributedCluster.start({
      orchestrationWorkers: 1,
      activityWorkers: 1,
      partitions: 2,
      app: join(__dirname, '..', 'fixtures', 'cancel-app.ts'),
      env: { CANCEL_MARKS_DIR: marks },
    });
  }, 240_000);

  afterAll(async () => {
    await cluster?.stop();
    rmSync(marks, { recursive: true, force: true });
  }, 120_000);

  const api = (path: string, init?: RequestInit) => fetch(`${cluster.frontend.baseUrl}${path}`, init);
  const post = (path: string, body?: string) =>
    api(path, {
      method: 'POST',
      ...(body !== undefined ? { body, headers: { 'content-type': 'application/json' } } : {}),
    });

  /** Waits for a file the activity writes in the activity worker's process. */
  async function mark(name: string): Promise<string> {
    const file = join(marks, name);
    const deadline = Date.now() + 90_000;
    while (!existsSync(file)) {
      if (Date.now() > deadline) throw new Error(`no ${name}\n${cluster.logs()}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    return readFileSync(file, 'utf8');
  }

  async function finished(id: string): Promise<Record<string, unknown>> {
    const deadline = Date.now() + 90_000;
    for (;;) {
      const response = await api(`/instances/${id}?showHistory=true&showHistoryOutput=true`);
      const body = (await response.json()) as Record<string, unknown>;
      if (!['Pending', 'Running'].includes(body['runtimeStatus'] as string)) return body;
      if (Date.now() > deadline) throw new Error(`${id} did not finish\n${cluster.logs()}`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }

  it("interrupts an activity running in the activity worker's process and does not apply its result", async () => {
    expect((await post('/orchestrators/CancelOnEvent/d-cancel-1')).status).toBe(202);
    await mark('d-cancel-1.started');
    expect((await post('/instances/d-cancel-1/raiseEvent/stop', 'true')).status).toBe(202);
    // The activity never returns on its own: the mark means its signal aborted.
    expect(await mark('d-cancel-1.aborted')).toBe('TaskCanceledError');
    expect((await post('/instances/d-cancel-1/raiseEvent/finish', 'true')).status).toBe(202);
    const status = await finished('d-cancel-1');
    expect(status).toMatchObject({ runtimeStatus: 'Completed', output: 'failed: TaskCanceledError' });
    const history = status['historyEvents'] as Array<Record<string, unknown>>;
    expect(history).toContainEqual(
      expect.objectContaining({ EventType: 'TaskCanceled', FunctionName: 'LongJob' }),
    );
    expect(JSON.stringify(history)).not.toContain('late result');
  }, 180_000);

  it('cancels the running activity of a terminated instance', async () => {
    expect((await post('/orchestrators/Forever/d-term-1')).status).toBe(202);
    await mark('d-term-1.started');
    expect((await post('/instances/d-term-1/terminate?reason=enough')).status).toBe(202);
    expect(await mark('d-term-1.aborted')).toBe('TaskCanceledError');
    expect(await finished('d-term-1')).toMatchObject({ runtimeStatus: 'Terminated' });
  }, 180_000);

  it("keeps a non-retriable failure's custom fields through Kafka and Cosmos, and does not retry it", async () => {
    expect((await post('/orchestrators/Checkout/d-pay-1')).status).toBe(202);
    const status = await finished('d-pay-1');
    expect(status).toMatchObject({
      runtimeStatus: 'Failed',
      failureDetails: {
        innerFailure: { errorType: 'PaymentError', isNonRetriable: true, properties: { code: 'E_FRAUD' } },
      },
    });
    const history = status['historyEvents'] as Array<Record<string, unknown>>;
    expect(history.filter((e) => e['EventType'] === 'TaskFailed')).toHaveLength(1);
    expect(history.map((e) => e['EventType'])).not.toContain('TimerCreated');
  }, 180_000);
});
