import { request as httpRequest } from 'node:http';
import { type INestApplication, Logger, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import {
  InstanceAlreadyExistsError,
  InstanceFinishedError,
  InstanceNotFoundError,
  isTerminalStatus,
  newEvent,
  OrchestratorNotRegisteredError,
  RuntimeStatus,
  type HistoryEvent,
} from '@durable/core';
import type {
  InstancePage,
  InstanceCounts,
  InstanceFilterQuery,
  InstanceQuery,
  InstanceService,
  InstanceStatus,
  PurgeFilter,
  ResetTarget,
  SignalWithStartOptions,
  StartOptions,
  StatusOptions,
  CleanEntityStorageResult,
  EntityPage,
} from '@durable/runtime';
import { bootstrapApp } from '../bootstrap';
import { DurableHttpModule, type DurableHttpModuleOptions } from './durable-http.module';

type Writable<T> = { -readonly [K in keyof T]: T[K] };

/** An in-memory InstanceService that records its calls: enough to test the HTTP mapping alone. */
class MapInstanceService implements InstanceService {
  readonly instances = new Map<string, Writable<InstanceStatus>>();
  readonly calls: Array<{ method: string; args: unknown[] }> = [];
  /** Thrown by the next call, to simulate a fault. */
  failNext: Error | undefined;
  private sequence = 0;

  clear(): void {
    this.instances.clear();
    this.calls.length = 0;
    this.failNext = undefined;
    this.sequence = 0;
  }

  callsTo(method: keyof InstanceService): unknown[][] {
    return this.calls.filter((call) => call.method === method).map((call) => call.args);
  }

  seed(fields: Partial<InstanceStatus> & Pick<InstanceStatus, 'instanceId' | 'runtimeStatus'>): void {
    const at = new Date(Date.UTC(2024, 0, 1) + ++this.sequence * 60_000).toISOString();
    this.instances.set(fields.instanceId, {
      name: 'Hello',
      executionId: `execution-${this.sequence}`,
      createdAt: at,
      lastUpdatedAt: at,
      ...fields,
    });
  }

  private record(method: keyof InstanceService, ...args: unknown[]): void {
    this.calls.push({ method, args });
    const failure = this.failNext;
    this.failNext = undefined;
    if (failure !== undefined) throw failure;
  }

  private existing(instanceId: string): Writable<InstanceStatus> {
    const status = this.instances.get(instanceId);
    if (status === undefined) throw new InstanceNotFoundError(instanceId);
    return status;
  }

  private live(instanceId: string): Writable<InstanceStatus> {
    const status = this.existing(instanceId);
    if (isTerminalStatus(status.runtimeStatus))
      throw new InstanceFinishedError(instanceId, status.runtimeStatus);
    return status;
  }

  async start(name: string, options: StartOptions = {}): Promise<{ instanceId: string }> {
    this.record('start', name, options);
    if (!this.orchestrationNames().includes(name)) throw new OrchestratorNotRegisteredError(name);
    const instanceId = options.instanceId ?? `generated-${this.sequence + 1}`;
    const existing = this.instances.get(instanceId);
    if (existing !== undefined && !isTerminalStatus(existing.runtimeStatus)) {
      throw new InstanceAlreadyExistsError(instanceId);
    }
    this.seed({ instanceId, name, runtimeStatus: RuntimeStatus.Pending, input: options.input });
    return { instanceId };
  }

  async signalWithStart(
    name: string,
    eventName: string,
    options: SignalWithStartOptions,
  ): Promise<{ instanceId: string; started: boolean }> {
    this.record('signalWithStart', name, eventName, options);
    if (!this.orchestrationNames().includes(name)) throw new OrchestratorNotRegisteredError(name);
    const existing = this.instances.get(options.instanceId);
    const started = existing === undefined || isTerminalStatus(existing.runtimeStatus);
    if (started) this.seed({ instanceId: options.instanceId, name, runtimeStatus: RuntimeStatus.Pending });
    return { instanceId: options.instanceId, started };
  }

  async getStatus(instanceId: string, options: StatusOptions = {}): Promise<InstanceStatus | undefined> {
    this.record('getStatus', instanceId, options);
    const status = this.instances.get(instanceId);
    if (status === undefined) return undefined;
    const { input, history, ...rest } = status;
    return {
      ...rest,
      ...(options.includeInput !== false && input !== undefined ? { input } : {}),
      ...(options.includeHistory === true && history !== undefined ? { history } : {}),
    };
  }

  async list(query: InstanceQuery = {}): Promise<InstancePage> {
    this.record('list', query);
    const matching = [...this.instances.values()]
      .filter((status) => query.statuses?.includes(status.runtimeStatus) ?? true)
      .filter((status) => status.instanceId.startsWith(query.instanceIdPrefix ?? ''))
      .sort((a, b) => a.instanceId.localeCompare(b.instanceId));
    const offset = query.continuationToken === undefined ? 0 : Number(query.continuationToken);
    const size = query.pageSize ?? 100;
    const instances = matching.slice(offset, offset + size).map(({ input, ...rest }) => ({
      ...rest,
      ...(query.includeInput !== false && input !== undefined ? { input } : {}),
    }));
    return offset + size < matching.length
      ? { instances, continuationToken: String(offset + size) }
      : { instances };
  }

  async count(query: InstanceFilterQuery = {}): Promise<InstanceCounts> {
    this.record('count', query);
    const statuses = query.statuses ?? Object.values(RuntimeStatus);
    const byRuntimeStatus = Object.fromEntries(
      statuses.map((s) => [s, [...this.instances.values()].filter((i) => i.runtimeStatus === s).length]),
    );
    return { count: Object.values(byRuntimeStatus).reduce((a, b) => a + b, 0), byRuntimeStatus };
  }

  async raiseEvent(instanceId: string, eventName: string, data?: string): Promise<void> {
    this.record('raiseEvent', instanceId, eventName, data);
    this.live(instanceId);
  }

  async terminate(
    instanceId: string,
    reason?: string,
    options?: { readonly recursive?: boolean },
  ): Promise<void> {
    this.record('terminate', instanceId, reason, options);
    this.live(instanceId).runtimeStatus = RuntimeStatus.Terminated;
  }

  async suspend(instanceId: string, reason?: string): Promise<void> {
    this.record('suspend', instanceId, reason);
    this.live(instanceId).runtimeStatus = RuntimeStatus.Suspended;
  }

  async resume(instanceId: string, reason?: string): Promise<void> {
    this.record('resume', instanceId, reason);
    this.live(instanceId).runtimeStatus = RuntimeStatus.Running;
  }

  async restart(
    instanceId: string,
    options?: { readonly newInstanceId?: boolean },
  ): Promise<{ instanceId: string }> {
    this.record('restart', instanceId, options);
    const previous = this.existing(instanceId);
    const id = options?.newInstanceId === false ? instanceId : `restarted-${this.sequence + 1}`;
    if (id === instanceId && !isTerminalStatus(previous.runtimeStatus))
      throw new InstanceAlreadyExistsError(id);
    this.seed({
      instanceId: id,
      name: previous.name,
      runtimeStatus: RuntimeStatus.Pending,
      input: previous.input,
    });
    return { instanceId: id };
  }

  async rewind(instanceId: string, reason?: string): Promise<void> {
    this.record('rewind', instanceId, reason);
    const status = this.existing(instanceId);
    if (status.runtimeStatus !== RuntimeStatus.Failed)
      throw new InstanceFinishedError(instanceId, status.runtimeStatus);
    status.runtimeStatus = RuntimeStatus.Running;
  }

  async reset(instanceId: string, target: ResetTarget, reason?: string): Promise<void> {
    this.record('reset', instanceId, target, reason);
    this.existing(instanceId).runtimeStatus = RuntimeStatus.Running;
  }

  async purge(instanceId: string): Promise<boolean> {
    this.record('purge', instanceId);
    return this.instances.delete(instanceId);
  }

  async purgeWhere(filter: PurgeFilter): Promise<number> {
    this.record('purgeWhere', filter);
    const doomed = [...this.instances.values()].filter(
      (status) =>
        isTerminalStatus(status.runtimeStatus) &&
        (filter.statuses?.includes(status.runtimeStatus) ?? true) &&
        (filter.createdFrom === undefined || Date.parse(status.createdAt) >= filter.createdFrom.getTime()),
    );
    for (const status of doomed) this.instances.delete(status.instanceId);
    return doomed.length;
  }

  async waitForCompletion(instanceId: string): Promise<InstanceStatus | undefined> {
    return this.getStatus(instanceId);
  }

  orchestrationNames(): readonly string[] {
    return ['Hello', 'Approval'];
  }

  // Computed from real histories: tested against the embedded platform (waiting-http.spec.ts).
  getWaiting(): Promise<undefined> {
    throw new Error('waiting is not part of this fake');
  }

  // Entities are tested over HTTP against the embedded platform (entities-http.spec.ts).
  signalEntity(): Promise<void> {
    throw new Error('entities are not part of this fake');
  }
  deleteEntity(): Promise<void> {
    throw new Error('entities are not part of this fake');
  }
  getEntity(): Promise<undefined> {
    throw new Error('entities are not part of this fake');
  }
  queryEntities(): Promise<EntityPage> {
    throw new Error('entities are not part of this fake');
  }
  cleanEntityStorage(): Promise<CleanEntityStorageResult> {
    throw new Error('entities are not part of this fake');
  }
}

function moduleWith(options: DurableHttpModuleOptions): new () => unknown {
  @Module({ imports: [DurableHttpModule.forRoot(options)] })
  class TestAppModule {}
  return TestAppModule;
}

function portOf(app: INestApplication): number {
  return (app.getHttpServer().address() as { port: number }).port;
}

const service = new MapInstanceService();
let app: INestApplication;
let origin: string;
let api: string;

beforeAll(async () => {
  const module = moduleWith({ instanceService: { useValue: service } });
  app = await bootstrapApp(module, { port: 0, host: '127.0.0.1', logger: false, bodyParser: false });
  origin = `http://127.0.0.1:${portOf(app)}`;
  api = `${origin}/runtime/webhooks/durabletask`;
});

afterAll(async () => {
  await app.close();
});

beforeEach(() => service.clear());

async function post(path: string, body?: string, headers?: Record<string, string>): Promise<Response> {
  return fetch(`${api}${path}`, {
    method: 'POST',
    ...(body !== undefined ? { body } : {}),
    ...(headers ? { headers } : {}),
  });
}

function checkStatusOf(instanceId: string, base = api): Record<string, string> {
  const instance = `${base}/instances/${encodeURIComponent(instanceId)}`;
  return {
    id: instanceId,
    statusQueryGetUri: instance,
    sendEventPostUri: `${instance}/raiseEvent/{eventName}`,
    terminatePostUri: `${instance}/terminate?reason={text}`,
    rewindPostUri: `${instance}/rewind?reason={text}`,
    purgeHistoryDeleteUri: instance,
    restartPostUri: `${instance}/restart`,
    suspendPostUri: `${instance}/suspend?reason={text}`,
    resumePostUri: `${instance}/resume?reason={text}`,
  };
}

/** POSTs `chunks` with chunked transfer encoding (no Content-Length). */
function postChunked(url: string, chunks: readonly string[]): Promise<{ status: number; body: unknown }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { method: 'POST' }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) as unknown }));
    });
    req.on('error', reject);
    for (const chunk of chunks) req.write(chunk);
    req.end();
  });
}

describe('POST /orchestrators/{name}', () => {
  it('starts the orchestration with the JSON body as input and answers 202 with the check-status payload', async () => {
    const response = await post('/orchestrators/Hello', '{"city":"Tokyo"}', {
      'content-type': 'application/json',
    });

    expect(response.status).toBe(202);
    expect(await response.json()).toEqual(checkStatusOf('generated-1'));
    expect(response.headers.get('location')).toBe(`${api}/instances/generated-1`);
    expect(response.headers.get('retry-after')).toBe('1');
    expect(service.callsTo('start')).toEqual([['Hello', { input: '{"city":"Tokyo"}' }]]);
  });

  it('starts under the instance id from the path and passes ?version on', async () => {
    const response = await post('/orchestrators/Hello/order-42?version=2', '7');

    expect(response.status).toBe(202);
    expect(await response.json()).toEqual(checkStatusOf('order-42'));
    expect(service.callsTo('start')).toEqual([
      ['Hello', { instanceId: 'order-42', input: '7', version: '2' }],
    ]);
  });

  it('starts without input when the body is empty', async () => {
    const response = await post('/orchestrators/Hello');

    expect(response.status).toBe(202);
    expect(service.callsTo('start')).toEqual([['Hello', {}]]);
  });

  it('accepts a body of any content type as long as it is JSON', async () => {
    const response = await post('/orchestrators/Hello', '"Seattle"', {
      'content-type': 'application/x-www-form-urlencoded',
    });

    expect(response.status).toBe(202);
    expect(service.callsTo('start')).toEqual([['Hello', { input: '"Seattle"' }]]);
  });

  it('percent-encodes the instance id in the URLs it hands out', async () => {
    const response = await post(`/orchestrators/Hello/${encodeURIComponent('order 7:a&b')}`);

    expect(response.status).toBe(202);
    expect(await response.json()).toEqual(checkStatusOf('order 7:a&b'));
    expect(response.headers.get('location')).toBe(`${api}/instances/order%207%3Aa%26b`);
  });

  it('builds the URLs from X-Forwarded-Proto and X-Forwarded-Host', async () => {
    const response = await post('/orchestrators/Hello/fwd', undefined, {
      'x-forwarded-proto': 'https',
      'x-forwarded-host': 'durable.example.com',
    });

    const expected = checkStatusOf('fwd', 'https://durable.example.com/runtime/webhooks/durabletask');
    expect(await response.json()).toEqual(expected);
    expect(response.headers.get('location')).toBe(expected['statusQueryGetUri']);
  });

  it('answers 400 InvalidArgumentError for a malformed JSON body and starts nothing', async () => {
    const response = await post('/orchestrators/Hello', '{"city":');

    expect(response.status).toBe(400);
    const body = (await response.json()) as { error: string; message: string };
    expect(body.error).toBe('InvalidArgumentError');
    expect(body.message).toMatch(/^request body is not valid JSON: /);
    expect(service.calls).toEqual([]);
  });

  it('answers 404 OrchestratorNotRegisteredError for an unknown orchestration', async () => {
    const response = await post('/orchestrators/NoSuchThing');

    expect(response.status).toBe(404);
    expect(await response.json()).toEqual({
      error: 'OrchestratorNotRegisteredError',
      message: "no orchestrator named 'NoSuchThing' is registered",
    });
  });

  it('answers 409 InstanceAlreadyExistsError when the instance id is already running', async () => {
    service.seed({ instanceId: 'busy', runtimeStatus: RuntimeStatus.Running });

    const response = await post('/orchestrators/Hello/busy');

    expect(response.status).toBe(409);
    expect(await response.json()).toEqual({
      error: 'InstanceAlreadyExistsError',
      message: "an orchestration instance with id 'busy' already exists",
    });
  });

  it('answers 400 for an invalid instance id in the path without calling the service', async () => {
    const response = await post(`/orchestrators/Hello/${encodeURIComponent('@counter@one')}`);

    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({
      error: 'InvalidArgumentError',
      message: "invalid instance id: it must not start with '@' (reserved for entity ids)",
    });
    expect(service.calls).toEqual([]);
  });

  it('answers 400 for an instance id with an encoded slash', async () => {
    const response = await post('/orchestrators/Hello/a%2Fb');

    expect(response.status).toBe(400);
    expect(((await response.json()) as { error: string }).error).toBe('InvalidArgumentError');
  });

  it('answers 413 PayloadTooLargeError for a body over the default 1 MiB limit without calling the service', async () => {
    const body = JSON.stringify('x'.repeat(1024 * 1024));

    const response = await post('/orchestrators/Hello', body);

    expect(response.status).toBe(413);
    expect(await response.json()).toEqual({
      error: 'PayloadTooLargeError',
      message: `payload of ${body.length} bytes exceeds the limit of 1048576 bytes`,
    });
    expect(service.calls).toEqual([]);
  });

  it('accepts a body of exactly the limit', async () => {
    const body = JSON.stringify('x'.repeat(1024 * 1024 - 2));

    const response = await post('/orchestrators/Hello', body);

    expect(response.status).toBe(202);
    expect(service.callsTo('start')).toHaveLength(1);
  });

  it('answers 413 as soon as a chunked body passes the limit, without calling the service', async () => {
    const chunk = 'x'.repeat(64 * 1024);

    const response = await postChunked(`${api}/orchestrators/Hello`, [
      '"',
      ...Array<string>(20).fill(chunk),
      '"',
    ]);

    expect(response).toEqual({
      status: 413,
      body: { error: 'PayloadTooLargeError', message: 'request body exceeds the limit of 1048576 bytes' },
    });
    expect(service.calls).toEqual([]);
  });

  it('keeps serving requests on the same connection after refusing a large body', async () => {
    await post('/orchestrators/Hello', JSON.stringify('x'.repeat(2 * 1024 * 1024)));

    const response = await post('/orchestrators/Hello', '1');

    expect(response.status).toBe(202);
  });
});

describe('GET /instances/{instanceId}', () => {
  const history: HistoryEvent[] = [
    newEvent('ExecutionStarted', '2024-01-01T00:00:00.000Z', {
      name: 'Hello',
      input: '"Tokyo"',
      orchestrationInstance: { instanceId: 'done', executionId: 'e1' },
    }),
    newEvent('OrchestratorStarted', '2024-01-01T00:00:00.000Z', {}),
    newEvent('TaskScheduled', '2024-01-01T00:00:00.000Z', { name: 'SayHello', input: '"Tokyo"' }, 0),
    newEvent('TaskCompleted', '2024-01-01T00:00:01.000Z', { taskScheduledId: 0, result: '"Hello Tokyo!"' }),
    newEvent('ExecutionCompleted', '2024-01-01T00:00:02.000Z', {
      orchestrationStatus: RuntimeStatus.Completed,
      result: '["Hello Tokyo!"]',
    }),
  ];

  it('answers 200 for a completed instance with input, output and custom status as JSON values', async () => {
    service.seed({
      instanceId: 'done',
      runtimeStatus: RuntimeStatus.Completed,
      input: '"Tokyo"',
      output: '["Hello Tokyo!"]',
      customStatus: '{"step":3}',
      createdAt: '2024-01-01T00:00:00.000Z',
      lastUpdatedAt: '2024-01-01T00:00:02.000Z',
    });

    const response = await fetch(`${api}/instances/done`);

    expect(response.status).toBe(200);
    expect(response.headers.get('location')).toBeNull();
    expect(await response.json()).toEqual({
      name: 'Hello',
      instanceId: 'done',
      runtimeStatus: 'Completed',
      input: 'Tokyo',
      customStatus: { step: 3 },
      output: ['Hello Tokyo!'],
      createdTime: '2024-01-01T00:00:00.000Z',
      lastUpdatedTime: '2024-01-01T00:00:02.000Z',
    });
    expect(service.callsTo('getStatus')).toEqual([
      ['done', { includeInput: true, includeOutput: true, includeHistory: false }],
    ]);
  });

  it('shows null for absent input, output and custom status', async () => {
    service.seed({ instanceId: 'bare', runtimeStatus: RuntimeStatus.Pending });

    const body = (await (await fetch(`${api}/instances/bare`)).json()) as Record<string, unknown>;

    expect(body).toMatchObject({ input: null, output: null, customStatus: null });
  });

  it.each([
    RuntimeStatus.Pending,
    RuntimeStatus.Running,
    RuntimeStatus.Suspended,
    RuntimeStatus.ContinuedAsNew,
  ])('answers 202 with Location and Retry-After while the instance is %s', async (runtimeStatus) => {
    service.seed({ instanceId: 'busy', runtimeStatus });

    const response = await fetch(`${api}/instances/busy?showInput=false`);

    expect(response.status).toBe(202);
    expect(response.headers.get('location')).toBe(`${api}/instances/busy`);
    expect(response.headers.get('retry-after')).toBe('1');
    expect(await response.json()).toMatchObject({ instanceId: 'busy', runtimeStatus });
  });

  it('answers 400 with the status body and failure details for a failed instance', async () => {
    const failureDetails = { errorType: 'Error', errorMessage: 'boom' };
    service.seed({ instanceId: 'broken', runtimeStatus: RuntimeStatus.Failed, failureDetails });

    const response = await fetch(`${api}/instances/broken`);

    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({
      instanceId: 'broken',
      runtimeStatus: 'Failed',
      failureDetails,
    });
  });

  it('answers 500 for a failed instance when asked with returnInternalServerErrorOnFailure=true', async () => {
    service.seed({ instanceId: 'broken', runtimeStatus: RuntimeStatus.Failed });

    const response = await fetch(`${api}/instances/broken?returnInternalServerErrorOnFailure=true`);

    expect(response.status).toBe(500);
    expect(await response.json()).toMatchObject({ instanceId: 'broken', runtimeStatus: 'Failed' });
  });

  it('answers 400 with the status body for a terminated instance', async () => {
    service.seed({ instanceId: 'stopped', runtimeStatus: RuntimeStatus.Terminated, output: '"enough"' });

    const response = await fetch(`${api}/instances/stopped`);

    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ runtimeStatus: 'Terminated', output: 'enough' });
  });

  it('leaves the input out with showInput=false', async () => {
    service.seed({ instanceId: 'done', runtimeStatus: RuntimeStatus.Completed, input: '"secret"' });

    const body = (await (await fetch(`${api}/instances/done?showInput=false`)).json()) as Record<
      string,
      unknown
    >;

    expect(body['input']).toBeNull();
    expect(service.callsTo('getStatus')[0]?.[1]).toEqual({
      includeInput: false,
      includeOutput: true,
      includeHistory: false,
    });
  });

  it('adds the history with showHistory=true, and its payloads only with showHistoryOutput=true', async () => {
    service.seed({ instanceId: 'done', runtimeStatus: RuntimeStatus.Completed, history });

    const without = (await (await fetch(`${api}/instances/done?showHistory=true`)).json()) as Record<
      string,
      unknown
    >;
    const withOutput = (await (
      await fetch(`${api}/instances/done?showHistory=true&showHistoryOutput=true`)
    ).json()) as Record<string, unknown>;

    expect(without['historyEvents']).toEqual([
      {
        EventType: 'ExecutionStarted',
        EventId: 0,
        Timestamp: '2024-01-01T00:00:00.000Z',
        FunctionName: 'Hello',
      },
      {
        EventType: 'TaskCompleted',
        EventId: 3,
        Timestamp: '2024-01-01T00:00:01.000Z',
        FunctionName: 'SayHello',
        ScheduledTime: '2024-01-01T00:00:00.000Z',
      },
      {
        EventType: 'ExecutionCompleted',
        EventId: 4,
        Timestamp: '2024-01-01T00:00:02.000Z',
        OrchestrationStatus: 'Completed',
      },
    ]);
    expect(withOutput['historyEvents']).toEqual([
      expect.objectContaining({ EventType: 'ExecutionStarted', Input: 'Tokyo' }),
      expect.objectContaining({ EventType: 'TaskCompleted', Result: 'Hello Tokyo!' }),
      expect.objectContaining({ EventType: 'ExecutionCompleted', Result: ['Hello Tokyo!'] }),
    ]);
    expect(service.callsTo('getStatus')[0]?.[1]).toEqual({
      includeInput: true,
      includeOutput: true,
      includeHistory: true,
    });
  });

  it('answers 404 InstanceNotFoundError for an unknown instance', async () => {
    const response = await fetch(`${api}/instances/nobody`);

    expect(response.status).toBe(404);
    expect(await response.json()).toEqual({
      error: 'InstanceNotFoundError',
      message: "no orchestration instance with id 'nobody'",
    });
  });

  it('answers 400 naming the flag when a flag is not true or false', async () => {
    const response = await fetch(`${api}/instances/done?showHistory=yes`);

    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({
      error: 'InvalidArgumentError',
      message: "invalid query parameter 'showHistory': it must be 'true' or 'false', got 'yes'",
    });
    expect(service.calls).toEqual([]);
  });

  it('answers 400 for an invalid instance id', async () => {
    const response = await fetch(`${api}/instances/${'x'.repeat(257)}`);

    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({
      error: 'InvalidArgumentError',
      message: 'invalid instance id: it must be at most 256 characters',
    });
  });
});

describe('GET /instances', () => {
  it('pages through instances, handing out and taking back x-ms-continuation-token', async () => {
    for (const id of ['a', 'b', 'c'])
      service.seed({ instanceId: id, runtimeStatus: RuntimeStatus.Running, input: '1' });

    const first = await fetch(`${api}/instances?top=2`);
    const token = first.headers.get('x-ms-continuation-token');
    const second = await fetch(`${api}/instances?top=2`, {
      headers: { 'x-ms-continuation-token': token ?? '' },
    });

    expect(first.status).toBe(200);
    expect(token).toBe('2');
    expect(((await first.json()) as Array<{ instanceId: string }>).map((s) => s.instanceId)).toEqual([
      'a',
      'b',
    ]);
    expect(second.status).toBe(200);
    expect(second.headers.get('x-ms-continuation-token')).toBeNull();
    expect(await second.json()).toEqual([
      {
        name: 'Hello',
        instanceId: 'c',
        runtimeStatus: 'Running',
        input: 1,
        customStatus: null,
        output: null,
        createdTime: expect.any(String),
        lastUpdatedTime: expect.any(String),
      },
    ]);
    expect(service.callsTo('list')).toEqual([
      [{ pageSize: 2, includeInput: true }],
      [{ pageSize: 2, continuationToken: '2', includeInput: true }],
    ]);
  });

  it('passes the filters on to the service', async () => {
    const response = await fetch(
      `${api}/instances?createdTimeFrom=2024-01-01T00:00:00Z&createdTimeTo=2024-02-01&runtimeStatus=running,Pending` +
        '&instanceIdPrefix=order-&showInput=false',
    );

    expect(response.status).toBe(200);
    expect(await response.json()).toEqual([]);
    expect(service.callsTo('list')).toEqual([
      [
        {
          createdFrom: new Date('2024-01-01T00:00:00Z'),
          createdTo: new Date('2024-02-01T00:00:00Z'),
          statuses: ['Running', 'Pending'],
          instanceIdPrefix: 'order-',
          includeInput: false,
        },
      ],
    ]);
  });

  it('passes name, id text and order on to the service', async () => {
    const response = await fetch(
      `${api}/instances?name=Hello&instanceIdContains=-eu&orderBy=lastUpdatedTime&descending=true`,
    );

    expect(response.status).toBe(200);
    expect(service.callsTo('list')).toEqual([
      [
        {
          name: 'Hello',
          instanceIdContains: '-eu',
          orderBy: { by: 'lastUpdatedTime', descending: true },
          includeInput: true,
        },
      ],
    ]);
  });

  it('counts instances per status with the list filters', async () => {
    const response = await fetch(`${api}/instance-counts?runtimeStatus=Running,Failed&instanceIdPrefix=a`);

    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ count: 0, byRuntimeStatus: { Running: 0, Failed: 0 } });
    expect(service.callsTo('count')).toEqual([[{ statuses: ['Running', 'Failed'], instanceIdPrefix: 'a' }]]);
  });

  it.each([
    ['orderBy=name', 'orderBy', 'it must be one of createdTime, lastUpdatedTime'],
    ['runtimeStatus=Running,Sleeping', 'runtimeStatus', "'Sleeping' is not a runtime status"],
    ['top=0', 'top', 'it must be an integer from 1 to 1000'],
    ['top=abc', 'top', 'it must be an integer from 1 to 1000'],
    ['createdTimeFrom=yesterday', 'createdTimeFrom', 'it must be an ISO-8601 date or date-time'],
    ['createdTimeTo=2024-02-30', 'createdTimeTo', 'it must be an ISO-8601 date or date-time'],
    ['showInput=maybe', 'showInput', "it must be 'true' or 'false'"],
  ])('answers 400 naming the parameter for %s', async (queryString, name, reason) => {
    const response = await fetch(`${api}/instances?${queryString}`);

    expect(response.status).toBe(400);
    const body = (await response.json()) as { error: string; message: string };
    expect(body.error).toBe('InvalidArgumentError');
    expect(body.message).toContain(`invalid query parameter '${name}': ${reason}`);
    expect(service.calls).toEqual([]);
  });
});

describe('POST /instances/{instanceId}/raiseEvent/{eventName}', () => {
  it('raises the event with the JSON body as data and answers 202', async () => {
    service.seed({ instanceId: 'waiting', runtimeStatus: RuntimeStatus.Running });

    const response = await post('/instances/waiting/raiseEvent/Approval', '{"approved":true}');

    expect(response.status).toBe(202);
    expect(await response.text()).toBe('');
    expect(service.callsTo('raiseEvent')).toEqual([['waiting', 'Approval', '{"approved":true}']]);
  });

  it('raises the event without data when the body is empty', async () => {
    service.seed({ instanceId: 'waiting', runtimeStatus: RuntimeStatus.Running });

    const response = await post('/instances/waiting/raiseEvent/Go');

    expect(response.status).toBe(202);
    expect(service.callsTo('raiseEvent')).toEqual([['waiting', 'Go', undefined]]);
  });

  it('answers 404 for an unknown instance', async () => {
    const response = await post('/instances/nobody/raiseEvent/Approval', 'true');

    expect(response.status).toBe(404);
    expect(((await response.json()) as { error: string }).error).toBe('InstanceNotFoundError');
  });

  it('answers 410 InstanceFinishedError for a finished instance', async () => {
    service.seed({ instanceId: 'done', runtimeStatus: RuntimeStatus.Completed });

    const response = await post('/instances/done/raiseEvent/Approval', 'true');

    expect(response.status).toBe(410);
    expect(await response.json()).toEqual({
      error: 'InstanceFinishedError',
      message: "orchestration instance 'done' has already finished (Completed)",
    });
  });

  it('answers 400 for malformed JSON event data without raising anything', async () => {
    service.seed({ instanceId: 'waiting', runtimeStatus: RuntimeStatus.Running });

    const response = await post('/instances/waiting/raiseEvent/Approval', "{'approved':true}");

    expect(response.status).toBe(400);
    expect(((await response.json()) as { message: string }).message).toMatch(
      /^request body is not valid JSON: /,
    );
    expect(service.callsTo('raiseEvent')).toEqual([]);
  });
});

describe('POST /instances/{instanceId}/terminate|suspend|resume|rewind', () => {
  it.each([
    ['terminate', RuntimeStatus.Running, RuntimeStatus.Terminated],
    ['suspend', RuntimeStatus.Running, RuntimeStatus.Suspended],
    ['resume', RuntimeStatus.Suspended, RuntimeStatus.Running],
    ['rewind', RuntimeStatus.Failed, RuntimeStatus.Running],
  ] as const)('%s answers 202 and passes the reason on', async (operation, before, after) => {
    service.seed({ instanceId: 'target', runtimeStatus: before });

    const response = await post(
      `/instances/target/${operation}?reason=${encodeURIComponent('ops: said so')}`,
    );

    expect(response.status).toBe(202);
    expect(service.callsTo(operation)[0]?.slice(0, 2)).toEqual(['target', 'ops: said so']);
    expect(service.instances.get('target')?.runtimeStatus).toBe(after);
  });

  it('terminate passes recursive=true on', async () => {
    service.seed({ instanceId: 'parent', runtimeStatus: RuntimeStatus.Running });

    const response = await post('/instances/parent/terminate?recursive=true');

    expect(response.status).toBe(202);
    expect(service.callsTo('terminate')).toEqual([['parent', undefined, { recursive: true }]]);
  });

  it.each(['terminate', 'suspend', 'resume', 'rewind'])(
    '%s answers 404 for an unknown instance',
    async (operation) => {
      const response = await post(`/instances/nobody/${operation}`);

      expect(response.status).toBe(404);
      expect(((await response.json()) as { error: string }).error).toBe('InstanceNotFoundError');
    },
  );

  it.each(['terminate', 'suspend', 'resume', 'rewind'])(
    '%s answers 410 for a completed instance',
    async (operation) => {
      service.seed({ instanceId: 'done', runtimeStatus: RuntimeStatus.Completed });

      const response = await post(`/instances/done/${operation}`);

      expect(response.status).toBe(410);
      expect(((await response.json()) as { error: string }).error).toBe('InstanceFinishedError');
    },
  );

  it('answers 400 for an invalid instance id', async () => {
    const response = await post(`/instances/${encodeURIComponent(' padded')}/terminate`);

    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({
      error: 'InvalidArgumentError',
      message: 'invalid instance id: it must not start or end with whitespace',
    });
  });
});

describe('POST /instances/{instanceId}/restart', () => {
  it('restarts under a new instance id by default and answers 202 with its check-status payload', async () => {
    service.seed({ instanceId: 'old', runtimeStatus: RuntimeStatus.Completed, input: '"again"' });

    const response = await post('/instances/old/restart');

    expect(response.status).toBe(202);
    const body = (await response.json()) as Record<string, string>;
    expect(body['id']).not.toBe('old');
    expect(body).toEqual(checkStatusOf(body['id'] ?? ''));
    expect(response.headers.get('location')).toBe(body['statusQueryGetUri']);
    expect(response.headers.get('retry-after')).toBe('1');
    expect(service.callsTo('restart')).toEqual([['old', { newInstanceId: true }]]);
  });

  it('restarts under the same id with restartWithNewInstanceId=false', async () => {
    service.seed({ instanceId: 'old', runtimeStatus: RuntimeStatus.Failed });

    const response = await post('/instances/old/restart?restartWithNewInstanceId=false');

    expect(response.status).toBe(202);
    expect(await response.json()).toEqual(checkStatusOf('old'));
    expect(service.callsTo('restart')).toEqual([['old', { newInstanceId: false }]]);
  });

  it('answers 404 for an unknown instance', async () => {
    const response = await post('/instances/nobody/restart');

    expect(response.status).toBe(404);
  });

  it('answers 409 when restarting a running instance under its own id', async () => {
    service.seed({ instanceId: 'busy', runtimeStatus: RuntimeStatus.Running });

    const response = await post('/instances/busy/restart?restartWithNewInstanceId=false');

    expect(response.status).toBe(409);
    expect(((await response.json()) as { error: string }).error).toBe('InstanceAlreadyExistsError');
  });
});

describe('DELETE /instances/{instanceId}', () => {
  it('purges the instance and answers 200 with instancesDeleted 1, then 404 the second time', async () => {
    service.seed({ instanceId: 'done', runtimeStatus: RuntimeStatus.Completed });

    const first = await fetch(`${api}/instances/done`, { method: 'DELETE' });
    const second = await fetch(`${api}/instances/done`, { method: 'DELETE' });

    expect(first.status).toBe(200);
    expect(await first.json()).toEqual({ instancesDeleted: 1 });
    expect(second.status).toBe(404);
    expect(await second.json()).toEqual({
      error: 'InstanceNotFoundError',
      message: "no orchestration instance with id 'done'",
    });
  });
});

describe('DELETE /instances', () => {
  it('purges the finished instances matching the filter and answers 200 with the count', async () => {
    service.seed({ instanceId: 'a', runtimeStatus: RuntimeStatus.Completed });
    service.seed({ instanceId: 'b', runtimeStatus: RuntimeStatus.Failed });
    service.seed({ instanceId: 'c', runtimeStatus: RuntimeStatus.Running });

    const response = await fetch(
      `${api}/instances?createdTimeFrom=2023-12-31T00:00:00Z&createdTimeTo=2025-01-01T00:00:00Z&runtimeStatus=Completed,Failed`,
      { method: 'DELETE' },
    );

    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ instancesDeleted: 2 });
    expect(service.callsTo('purgeWhere')).toEqual([
      [
        {
          createdFrom: new Date('2023-12-31T00:00:00Z'),
          createdTo: new Date('2025-01-01T00:00:00Z'),
          statuses: ['Completed', 'Failed'],
        },
      ],
    ]);
  });

  it('answers 404 when nothing matched', async () => {
    const response = await fetch(`${api}/instances?createdTimeFrom=2024-01-01`, { method: 'DELETE' });

    expect(response.status).toBe(404);
    expect(await response.json()).toEqual({
      error: 'InstanceNotFoundError',
      message: 'no finished instance matched the purge filter',
    });
  });

  it('answers 400 without createdTimeFrom', async () => {
    const response = await fetch(`${api}/instances?runtimeStatus=Completed`, { method: 'DELETE' });

    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({
      error: 'InvalidArgumentError',
      message: "invalid query parameter 'createdTimeFrom': it is required to purge by filter",
    });
    expect(service.calls).toEqual([]);
  });

  it('answers 400 when asked to purge live statuses', async () => {
    const response = await fetch(`${api}/instances?createdTimeFrom=2024-01-01&runtimeStatus=Running`, {
      method: 'DELETE',
    });

    expect(response.status).toBe(400);
    expect(((await response.json()) as { message: string }).message).toBe(
      "invalid query parameter 'runtimeStatus': only finished instances can be purged, not Running",
    );
  });
});

describe('errors', () => {
  it('answers 500 with a generic message for an unexpected failure, and logs it', async () => {
    const log = jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
    try {
      service.failNext = new Error('disk on fire');

      const response = await fetch(`${api}/instances/anyone`);

      expect(response.status).toBe(500);
      const body = (await response.json()) as { error: string; message: string };
      expect(body).toEqual({ error: 'InternalServerError', message: expect.any(String) });
      expect(body.message).not.toContain('disk on fire');
      expect(log).toHaveBeenCalledWith(
        'GET /runtime/webhooks/durabletask/instances/anyone failed',
        expect.stringContaining('disk on fire'),
      );
    } finally {
      log.mockRestore();
    }
  });

  it('answers an unknown route under the API as 404 JSON', async () => {
    const response = await fetch(`${api}/nothing-here`);

    expect(response.status).toBe(404);
    expect(await response.json()).toEqual({
      error: 'NotFound',
      message: 'Cannot GET /runtime/webhooks/durabletask/nothing-here',
    });
  });

  it('answers a malformed percent-encoding in the path as 400', async () => {
    const response = await fetch(`${api}/instances/%E0%A4%A`);

    expect(response.status).toBe(400);
    expect(((await response.json()) as { error: string }).error).toBe('InvalidArgumentError');
  });
});

describe('openapi.json', () => {
  it('is served beside the API and at the root, naming the server it came from', async () => {
    const beside = await fetch(`${api}/openapi.json`);
    const atRoot = await fetch(`${origin}/openapi.json`);

    expect(beside.status).toBe(200);
    expect(atRoot.status).toBe(200);
    const document = (await beside.json()) as { openapi: string; servers: unknown };
    expect(document.openapi).toBe('3.0.3');
    expect(document.servers).toEqual([{ url: origin }]);
    expect(await atRoot.json()).toEqual(document);
  });

  it('documents every route and method the app serves', async () => {
    const document = (await (await fetch(`${api}/openapi.json`)).json()) as {
      paths: Record<string, Record<string, unknown>>;
    };
    const router = (app.getHttpAdapter().getInstance() as { router: { stack: Layer[] } }).router;
    interface Layer {
      route?: { path: string; methods: Record<string, boolean> };
    }

    // Nest binds the body middleware to the same method and path as each route, so dedupe.
    const served = [
      ...new Set(
        router.stack.flatMap((layer) =>
          Object.keys(layer.route?.methods ?? {})
            .filter((method) => method !== '_all')
            .map(
              (method) => `${method} ${layer.route?.path.replace(/:(\w+)/g, '{$1}').replace(/(.)\/$/, '$1')}`,
            ),
        ),
      ),
    ].sort();
    const documented = Object.entries(document.paths)
      .flatMap(([path, operations]) => Object.keys(operations).map((method) => `${method} ${path}`))
      .sort();

    expect(served).toHaveLength(35);
    expect(documented).toEqual(served);
  });
});

describe('DurableHttpModule', () => {
  it('takes its body size limit from maxPayloadBytes', async () => {
    const small = new MapInstanceService();
    const module = moduleWith({ instanceService: { useValue: small }, maxPayloadBytes: 16 });
    const smallApp = await bootstrapApp(module, {
      port: 0,
      host: '127.0.0.1',
      logger: false,
      bodyParser: false,
    });
    try {
      const url = `http://127.0.0.1:${portOf(smallApp)}/runtime/webhooks/durabletask/orchestrators/Hello`;

      const fits = await fetch(url, { method: 'POST', body: '"0123456789abcd"' });
      const tooBig = await fetch(url, { method: 'POST', body: '"0123456789abcde"' });

      expect(fits.status).toBe(202);
      expect(tooBig.status).toBe(413);
      expect(await tooBig.json()).toEqual({
        error: 'PayloadTooLargeError',
        message: 'payload of 17 bytes exceeds the limit of 16 bytes',
      });
      expect(small.callsTo('start')).toHaveLength(1);
    } finally {
      await smallApp.close();
    }
  });

  it('takes a factory with injections from imported modules', async () => {
    const factoryService = new MapInstanceService();
    @Module({ providers: [{ provide: 'STORE', useValue: factoryService }], exports: ['STORE'] })
    class RuntimeModule {}
    const module = moduleWith({
      imports: [RuntimeModule],
      instanceService: { useFactory: (store: InstanceService) => store, inject: ['STORE'] },
    });
    const factoryApp = await bootstrapApp(module, {
      port: 0,
      host: '127.0.0.1',
      logger: false,
      bodyParser: false,
    });
    try {
      const response = await fetch(
        `http://127.0.0.1:${portOf(factoryApp)}/runtime/webhooks/durabletask/orchestrators/Hello`,
        { method: 'POST' },
      );

      expect(response.status).toBe(202);
      expect(factoryService.callsTo('start')).toHaveLength(1);
    } finally {
      await factoryApp.close();
    }
  });

  it("refuses to start while Nest's own body parser is on", async () => {
    const module = moduleWith({ instanceService: { useValue: new MapInstanceService() } });

    await expect(bootstrapApp(module, { port: 0, host: '127.0.0.1', logger: false })).rejects.toThrow(
      /bodyParser: false/,
    );
  });

  it('takes a body an express text parser already read, and turns its entity.too.large into the 413 JSON', async () => {
    const textService = new MapInstanceService();
    const module = moduleWith({ instanceService: { useValue: textService } });
    const textApp = await NestFactory.create<NestExpressApplication>(module, {
      bodyParser: false,
      logger: false,
    });
    textApp.useBodyParser('text', { type: () => true, limit: 32 });
    await textApp.listen(0, '127.0.0.1');
    try {
      const url = `http://127.0.0.1:${portOf(textApp)}/runtime/webhooks/durabletask/orchestrators/Hello`;

      const fits = await fetch(url, {
        method: 'POST',
        body: '{"a":1}',
        headers: { 'content-type': 'application/json' },
      });
      const tooBig = await fetch(url, { method: 'POST', body: JSON.stringify('y'.repeat(40)) });

      expect(fits.status).toBe(202);
      expect(textService.callsTo('start')).toEqual([['Hello', { input: '{"a":1}' }]]);
      expect(tooBig.status).toBe(413);
      expect(await tooBig.json()).toEqual({
        error: 'PayloadTooLargeError',
        message: 'request body of 42 bytes exceeds the limit of 32 bytes',
      });
      expect(textService.callsTo('start')).toHaveLength(1);
    } finally {
      await textApp.close();
    }
  });
});

describe('a method the document does not list', () => {
  it('answers 405 with the allowed methods on a documented path, and 404 on an unknown path', async () => {
    const put = await fetch(`${api}/instances/some-id`, { method: 'PUT' });
    expect(put.status).toBe(405);
    expect(put.headers.get('allow')).toBe('DELETE, GET, HEAD');
    expect(await put.json()).toEqual({
      error: 'MethodNotAllowed',
      message: `PUT is not allowed on ${new URL(api).pathname}/instances/some-id; allowed: DELETE, GET, HEAD`,
    });
    const clean = await fetch(`${api}/entities/clean`, { method: 'DELETE' });
    expect([clean.status, clean.headers.get('allow')]).toEqual([405, 'POST']);
    expect((await fetch(`${api}/no-such-thing`, { method: 'PUT' })).status).toBe(404);
  });
});
