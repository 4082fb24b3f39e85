// The one fetch wrapper: every request of the dashboard goes through `request`, which sends the
// stored token and turns a 401 into a sign-in prompt (the contract with the auth layer).
import type { EntityJson, InstanceCounts, InstanceStatus, Waiting } from './model';

export const apiBase = '/runtime/webhooks/durabletask';
const tokenKey = 'durable.token';

export function storedToken(): string | null {
  return sessionStorage.getItem(tokenKey);
}

export function storeToken(token: string | null): void {
  if (token === null || token === '') sessionStorage.removeItem(tokenKey);
  else sessionStorage.setItem(tokenKey, token);
}

type Listener = () => void;
const unauthorizedListeners = new Set<Listener>();

/** Called on every 401, so the app can show its sign-in box. */
export function onUnauthorized(listener: Listener): () => void {
  unauthorizedListeners.add(listener);
  return () => unauthorizedListeners.delete(listener);
}

/** An answer of the API, kept whole so the UI can show what it said. */
export interface ApiAnswer<T = unknown> {
  readonly ok: boolean;
  readonly status: number;
  readonly body: T;
  readonly headers: Headers;
}

export class ApiError extends Error {
  constructor(readonly answer: ApiAnswer) {
    const body = answer.body as { error?: string; message?: string } | undefined;
    super(`${answer.status} ${body?.error ?? ''}: ${body?.message ?? JSON.stringify(answer.body)}`);
  }
}

export async function request<T = unknown>(
  path: string,
  init: { method?: string; body?: string; headers?: Record<string, string> } = {},
): Promise<ApiAnswer<T>> {
  const headers: Record<string, string> = { ...init.headers };
  const token = storedToken();
  if (token !== null) headers['authorization'] = `Bearer ${token}`;
  if (init.body !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(path.startsWith('/') ? path : `${apiBase}/${path}`, {
    method: init.method ?? 'GET',
    headers,
    ...(init.body !== undefined ? { body: init.body } : {}),
  });
  if (response.status === 401) {
    // The token is expired or bad: forget it (unless another one was stored meanwhile), ask again.
    if (token !== null && storedToken() === token) storeToken(null);
    for (const listener of unauthorizedListeners) listener();
  }
  const text = await response.text();
  let body: unknown = text;
  try {
    body = text === '' ? null : JSON.parse(text);
  } catch {
    // Not JSON: keep the text.
  }
  return { ok: response.ok, status: response.status, body: body as T, headers: response.headers };
}

/** Like `request`, but a non-2xx answer throws (status queries of finished instances answer 400). */
async function get<T>(
  path: string,
  accept: (status: number) => boolean = (s) => s < 300,
): Promise<ApiAnswer<T>> {
  const answer = await request<T>(path);
  if (!accept(answer.status)) throw new ApiError(answer);
  return answer;
}

export interface Whoami {
  readonly authenticated: boolean;
  readonly roles: readonly string[];
  /** False when the server has no auth at all (whoami answered 404): everything is allowed. */
  readonly authEnabled: boolean;
}

export async function whoami(): Promise<Whoami> {
  const answer = await request<{ authenticated: boolean; roles: string[] }>('auth/whoami');
  if (answer.status === 404) return { authenticated: false, roles: [], authEnabled: false };
  if (!answer.ok) return { authenticated: false, roles: [], authEnabled: true };
  return { ...answer.body, authEnabled: true };
}

export function canWrite(who: Whoami): boolean {
  return !who.authEnabled || who.roles.includes('contributor') || who.roles.includes('admin');
}

const statusAnswer = (status: number): boolean =>
  status === 200 || status === 202 || status === 400 || status === 500;

export async function listInstances(
  query: URLSearchParams,
  continuationToken?: string,
): Promise<{ instances: InstanceStatus[]; next: string | undefined }> {
  const answer = await request<InstanceStatus[]>(`instances?${query.toString()}`, {
    ...(continuationToken !== undefined ? { headers: { 'x-ms-continuation-token': continuationToken } } : {}),
  });
  if (!answer.ok) throw new ApiError(answer);
  return { instances: answer.body, next: answer.headers.get('x-ms-continuation-token') ?? undefined };
}

/** Instances per runtime status, counted by the server (`GET /instance-counts`). */
export async function countInstances(): Promise<InstanceCounts> {
  return (await get<InstanceCounts>('instance-counts')).body;
}

export async function getInstance(instanceId: string, history: boolean): Promise<InstanceStatus | undefined> {
  const query = history ? '?showHistory=true&showHistoryOutput=true' : '';
  const answer = await request<InstanceStatus>(`instances/${encodeURIComponent(instanceId)}${query}`);
  if (answer.status === 404) return undefined;
  if (!statusAnswer(answer.status)) throw new ApiError(answer);
  return answer.body;
}

export async function getWaiting(instanceId: string): Promise<Waiting> {
  return (await get<Waiting>(`instances/${encodeURIComponent(instanceId)}/waiting`)).body;
}

export async function orchestratorNames(): Promise<string[]> {
  const answer = await get<{ orchestrators: Array<{ name: string }> }>('orchestrators');
  return answer.body.orchestrators.map((o) => o.name);
}

export async function listEntities(
  query: URLSearchParams,
  continuationToken?: string,
): Promise<{ entities: EntityJson[]; next: string | undefined }> {
  const answer = await request<EntityJson[]>(`entities?${query.toString()}`, {
    ...(continuationToken !== undefined ? { headers: { 'x-ms-continuation-token': continuationToken } } : {}),
  });
  if (!answer.ok) throw new ApiError(answer);
  return { entities: answer.body, next: answer.headers.get('x-ms-continuation-token') ?? undefined };
}

const id = encodeURIComponent;

/** The write operations, each answering the API's reply so the UI can show it. */
export const actions = {
  start: (name: string, input: string, instanceId?: string) =>
    request(`orchestrators/${id(name)}${instanceId ? `/${id(instanceId)}` : ''}`, {
      method: 'POST',
      ...(input.trim() !== '' ? { body: input } : {}),
    }),
  raiseEvent: (instanceId: string, name: string, data: string) =>
    request(`instances/${id(instanceId)}/raiseEvent/${id(name)}`, {
      method: 'POST',
      ...(data.trim() !== '' ? { body: data } : {}),
    }),
  suspend: (instanceId: string, reason: string) =>
    request(`instances/${id(instanceId)}/suspend?reason=${id(reason)}`, { method: 'POST' }),
  resume: (instanceId: string, reason: string) =>
    request(`instances/${id(instanceId)}/resume?reason=${id(reason)}`, { method: 'POST' }),
  terminate: (instanceId: string, reason: string, recursive: boolean) =>
    request(
      `instances/${id(instanceId)}/terminate?reason=${id(reason)}${recursive ? '&recursive=true' : ''}`,
      {
        method: 'POST',
      },
    ),
  restart: (instanceId: string, newInstanceId: boolean) =>
    request(`instances/${id(instanceId)}/restart?restartWithNewInstanceId=${String(newInstanceId)}`, {
      method: 'POST',
    }),
  rewind: (instanceId: string, reason: string) =>
    request(`instances/${id(instanceId)}/rewind?reason=${id(reason)}`, { method: 'POST' }),
  purge: (instanceId: string) => request(`instances/${id(instanceId)}`, { method: 'DELETE' }),
  signalEntity: (name: string, key: string, operation: string, input: string) =>
    request(`entities/${id(name)}/${id(key)}?op=${id(operation)}`, {
      method: 'POST',
      ...(input.trim() !== '' ? { body: input } : {}),
    }),
  deleteEntity: (name: string, key: string) =>
    request(`entities/${id(name)}/${id(key)}`, { method: 'DELETE' }),
  cleanEntityStorage: () =>
    request('entities/clean?removeEmptyEntities=true&releaseOrphanedLocks=true', { method: 'POST' }),
};

/** The entity's state (the API answers the state itself), undefined when it has none. */
export async function getEntityState(name: string, key: string): Promise<unknown> {
  const answer = await request(`entities/${id(name)}/${id(key)}`);
  if (answer.status === 404) return undefined;
  if (!answer.ok) throw new ApiError(answer);
  return answer.body;
}
