import { CliError, ExitCode, exitCodeForStatus } from './exit-codes';

export const defaultUrl = 'http://127.0.0.1:7071';
export const apiPath = '/runtime/webhooks/durabletask';
const continuationHeader = 'x-ms-continuation-token';

export interface ClientOptions {
  /** The server's root (`http://host:port`); the API path is added unless the URL already has it. */
  readonly url: string;
  readonly token?: string;
  /** The task hub every request is for (the `taskHub` query parameter); the server's default when absent. */
  readonly taskHub?: string;
}

/** An instance as the status and list endpoints answer it. */
export interface InstanceStatus {
  readonly name: string;
  readonly instanceId: string;
  readonly runtimeStatus: string;
  readonly input: unknown;
  readonly customStatus: unknown;
  readonly output: unknown;
  readonly createdTime: string;
  readonly lastUpdatedTime: string;
  readonly historyEvents?: readonly HistoryEvent[];
  readonly failureDetails?: FailureDetails;
}

export interface FailureDetails {
  readonly errorType?: string;
  readonly errorMessage?: string;
  readonly stackTrace?: string;
  readonly innerFailure?: FailureDetails;
}

/** A history event in the Durable Functions shape (`showHistory=true`): PascalCase fields. */
export type HistoryEvent = Readonly<Record<string, unknown>> & {
  readonly EventType: string;
  readonly Timestamp: string;
};

export interface EntityMetadata {
  readonly entityId: { readonly name: string; readonly key: string };
  readonly lastOperationTime: string;
  readonly state?: unknown;
  readonly lockedBy?: string;
  readonly backlogQueueSize: number;
}

/** A schedule: `GET /schedules/{id}`. */
export interface Schedule {
  readonly scheduleId: string;
  readonly orchestrationName: string;
  readonly status: string;
  readonly interval?: number;
  readonly cron?: string;
  readonly timeZone?: string;
  readonly nextRunAt?: string;
  readonly lastRunAt?: string;
  readonly runs: number;
}

/** What a live instance waits on: `GET /instances/{id}/waiting`. */
export interface InstanceWaiting {
  readonly instanceId: string;
  readonly name: string;
  readonly runtimeStatus: string;
  readonly partition: number;
  /** Whether an orchestration worker holds the partition now; null when unknown. */
  readonly partitionOwned?: boolean | null;
  readonly activities: readonly { taskId: number; name: string; scheduledAt: string; attempt: number }[];
  readonly timers: readonly { timerId: number; createdAt: string; fireAt: string }[];
  /** As the orchestration worker recorded them; null when unknown (a remote gRPC worker runs it). */
  readonly events: readonly { name: string; since: string }[] | null;
  readonly subOrchestrations: readonly { taskId: number; instanceId: string; name: string; since: string }[];
  readonly entityCalls: readonly { requestId: string; entityId: string; operation: string; since: string }[];
  readonly entityLocks: { held: readonly string[]; awaiting: readonly string[]; awaitingSince?: string };
  readonly notes: readonly string[];
}

/** One retention sweep: `POST /retention/sweep`. */
export interface SweepResult {
  readonly startedAt: string;
  readonly finishedAt: string;
  readonly purged: Readonly<Record<string, number>>;
  readonly total: number;
  readonly limited: boolean;
}

/** The server's automatic purge: `GET /retention`. */
export interface RetentionState {
  readonly enabled: boolean;
  readonly policy: Readonly<Record<string, string>>;
  readonly interval?: string;
  readonly maxPurgesPerSweep?: number;
  readonly lastSweep?: SweepResult;
  readonly purgedSinceStart: number;
}

export interface Page<T> {
  readonly items: T[];
  readonly continuationToken?: string;
}

export interface ListQuery {
  readonly runtimeStatus?: readonly string[];
  readonly instanceIdPrefix?: string;
  readonly createdTimeFrom?: string;
  readonly createdTimeTo?: string;
  readonly top?: number;
  readonly showInput?: boolean;
}

export interface EntityQuery {
  readonly name?: string;
  readonly namePrefix?: string;
  readonly keyPrefix?: string;
  readonly lastOperationTimeFrom?: string;
  readonly lastOperationTimeTo?: string;
  readonly fetchState?: boolean;
  readonly top?: number;
}

type Query = Readonly<Record<string, string | number | boolean | undefined>>;

interface Answer {
  readonly status: number;
  readonly headers: Headers;
  readonly body: unknown;
}

/** The Durable Functions HTTP management API, as a typed client; every failure is a CliError. */
export class DurableClient {
  readonly base: string;

  constructor(private readonly options: ClientOptions) {
    let url: URL;
    try {
      url = new URL(options.url);
    } catch {
      throw new CliError(`--url must be an http(s) URL, got '${options.url}'`, ExitCode.Usage);
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:')
      throw new CliError(`--url must be an http(s) URL, got '${options.url}'`, ExitCode.Usage);
    const root = url.href.replace(/\/+$/, '');
    this.base = root.endsWith(apiPath) ? root : `${root}${apiPath}`;
  }

  async start(name: string, input: string | undefined, instanceId?: string): Promise<string> {
    const path = `/orchestrators/${enc(name)}${instanceId !== undefined ? `/${enc(instanceId)}` : ''}`;
    const answer = await this.request('POST', path, {}, input);
    const id = (answer.body as { id?: unknown } | undefined)?.id;
    if (typeof id !== 'string') throw unexpected('a start answer without an id');
    return id;
  }

  /** The instance's status; 202 (running) and 400 (failed, terminated) are statuses too, not errors. */
  async status(instanceId: string, history = false): Promise<InstanceStatus> {
    const query = history ? { showHistory: true, showHistoryOutput: true } : {};
    const answer = await this.request(
      'GET',
      `/instances/${enc(instanceId)}`,
      query,
      undefined,
      [200, 202, 400, 500],
    );
    const body = answer.body as InstanceStatus | undefined;
    if (body?.runtimeStatus === undefined) throw errorFrom(answer);
    return body;
  }

  async waiting(instanceId: string): Promise<InstanceWaiting> {
    const answer = await this.request('GET', `/instances/${enc(instanceId)}/waiting`, {}, undefined, [200]);
    const body = answer.body as InstanceWaiting | undefined;
    if (!Array.isArray(body?.notes)) throw unexpected('a waiting answer without notes');
    return body;
  }

  async list(query: ListQuery, continuationToken?: string): Promise<Page<InstanceStatus>> {
    const answer = await this.request(
      'GET',
      '/instances',
      { ...query, runtimeStatus: query.runtimeStatus?.join(',') },
      undefined,
      [200],
      continuationToken,
    );
    return page(answer);
  }

  async raise(instanceId: string, eventName: string, data: string | undefined): Promise<void> {
    await this.request('POST', `/instances/${enc(instanceId)}/raiseEvent/${enc(eventName)}`, {}, data);
  }

  async control(
    instanceId: string,
    operation: 'terminate' | 'suspend' | 'resume' | 'rewind',
    query: Query,
  ): Promise<void> {
    await this.request('POST', `/instances/${enc(instanceId)}/${operation}`, query);
  }

  async restart(instanceId: string, newInstanceId: boolean): Promise<string> {
    const answer = await this.request('POST', `/instances/${enc(instanceId)}/restart`, {
      restartWithNewInstanceId: newInstanceId,
    });
    const id = (answer.body as { id?: unknown } | undefined)?.id;
    if (typeof id !== 'string') throw unexpected('a restart answer without an id');
    return id;
  }

  async purge(instanceId: string): Promise<void> {
    await this.request('DELETE', `/instances/${enc(instanceId)}`);
  }

  async retention(): Promise<RetentionState> {
    const body = (await this.request('GET', '/retention', {}, undefined, [200])).body as
      RetentionState | undefined;
    if (typeof body?.enabled !== 'boolean') throw unexpected('a retention answer without enabled');
    return body;
  }

  async sweepRetention(): Promise<SweepResult> {
    const body = (await this.request('POST', '/retention/sweep', {}, undefined, [200])).body as
      SweepResult | undefined;
    if (typeof body?.total !== 'number') throw unexpected('a sweep answer without a total');
    return body;
  }

  async entities(query: EntityQuery, continuationToken?: string): Promise<Page<EntityMetadata>> {
    const { name, ...rest } = query;
    const path = name === undefined ? '/entities' : `/entities/${enc(name)}`;
    return page(await this.request('GET', path, rest, undefined, [200], continuationToken));
  }

  async entityState(name: string, key: string): Promise<unknown> {
    return (await this.request('GET', `/entities/${enc(name)}/${enc(key)}`)).body;
  }

  async signal(
    name: string,
    key: string,
    operation: string,
    input: string | undefined,
    scheduledTime?: string,
  ): Promise<void> {
    await this.request('POST', `/entities/${enc(name)}/${enc(key)}`, { op: operation, scheduledTime }, input);
  }

  async deleteEntity(name: string, key: string): Promise<void> {
    await this.request('DELETE', `/entities/${enc(name)}/${enc(key)}`);
  }

  async cleanEntities(
    query: Query,
  ): Promise<{ emptyEntitiesRemoved: number; orphanedLocksReleased: number }> {
    const answer = await this.request('POST', '/entities/clean', query, undefined, [200, 201]);
    return answer.body as { emptyEntitiesRemoved: number; orphanedLocksReleased: number };
  }

  async schedules(
    idPrefix: string | undefined,
    top: number,
    continuationToken?: string,
  ): Promise<Page<Schedule>> {
    return page(
      await this.request('GET', '/schedules', { idPrefix, top }, undefined, [200], continuationToken),
    );
  }

  async schedule(scheduleId: string): Promise<Schedule> {
    return (await this.request('GET', `/schedules/${enc(scheduleId)}`, {}, undefined, [200]))
      .body as Schedule;
  }

  /** `spec` and `changes` are JSON objects as text: the server checks them. */
  async createSchedule(scheduleId: string, spec: string): Promise<void> {
    await this.request('POST', `/schedules/${enc(scheduleId)}`, {}, spec);
  }

  async updateSchedule(scheduleId: string, changes: string): Promise<void> {
    await this.request('POST', `/schedules/${enc(scheduleId)}/update`, {}, changes);
  }

  async scheduleAction(scheduleId: string, action: 'pause' | 'resume'): Promise<void> {
    await this.request('POST', `/schedules/${enc(scheduleId)}/${action}`);
  }

  async deleteSchedule(scheduleId: string): Promise<void> {
    await this.request('DELETE', `/schedules/${enc(scheduleId)}`);
  }

  private async request(
    method: string,
    path: string,
    query: Query = {},
    body?: string,
    accept: readonly number[] = [200, 202],
    continuationToken?: string,
  ): Promise<Answer> {
    const url = new URL(`${this.base}${path}`);
    for (const [name, value] of Object.entries(query))
      if (value !== undefined) url.searchParams.set(name, String(value));
    if (this.options.taskHub !== undefined) url.searchParams.set('taskHub', this.options.taskHub);
    const headers: Record<string, string> = {};
    if (this.options.token !== undefined) headers['authorization'] = `Bearer ${this.options.token}`;
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (continuationToken !== undefined) headers[continuationHeader] = continuationToken;
    let response: Response;
    try {
      response = await fetch(url, { method, headers, ...(body !== undefined ? { body } : {}) });
    } catch (error) {
      const cause = (error as { cause?: { code?: string; message?: string } }).cause;
      throw new CliError(
        `cannot reach ${url.origin}: ${cause?.code ?? cause?.message ?? String(error)} (set --url or DURABLE_URL)`,
        ExitCode.Server,
      );
    }
    const text = await response.text();
    let parsed: unknown = undefined;
    if (text !== '') {
      try {
        parsed = JSON.parse(text);
      } catch {
        parsed = text;
      }
    }
    const answer = { status: response.status, headers: response.headers, body: parsed };
    if (!accept.includes(response.status)) throw errorFrom(answer);
    return answer;
  }
}

function enc(segment: string): string {
  return encodeURIComponent(segment);
}

function page<T>(answer: Answer): Page<T> {
  if (!Array.isArray(answer.body)) throw unexpected('a list answer that is not an array');
  const token = answer.headers.get(continuationHeader);
  return {
    items: answer.body as T[],
    ...(token !== null && token !== '' ? { continuationToken: token } : {}),
  };
}

function unexpected(what: string): CliError {
  return new CliError(`the server answered ${what}`, ExitCode.Server);
}

/** The API's `{ error, message }` body as a CliError with the exit code for its status. */
function errorFrom(answer: Answer): CliError {
  const body = answer.body as { error?: unknown; message?: unknown } | string | undefined;
  const name = typeof body === 'object' && typeof body.error === 'string' ? body.error : undefined;
  const message =
    typeof body === 'object' && typeof body.message === 'string'
      ? body.message
      : typeof body === 'string' && body !== ''
        ? body.slice(0, 200)
        : `HTTP ${answer.status}`;
  return new CliError(
    `${name ?? `HTTP ${answer.status}`}: ${message}`,
    exitCodeForStatus(answer.status),
    name,
  );
}
