// The one table of who may do what, on HTTP and gRPC alike. Roles follow the Durable Task Scheduler's:
// Data Reader, Data Contributor, Worker, plus admin. A route or RPC missing here is refused (fail
// closed), and the specs walk the OpenAPI document and the gRPC service definitions against it.

export const roles = ['reader', 'contributor', 'worker', 'admin'] as const;
export type Role = (typeof roles)[number];

export function isRole(value: string): value is Role {
  return (roles as readonly string[]).includes(value);
}

/** `public`: no credentials needed; otherwise any one of the roles (admin always passes). */
export type Access = 'public' | readonly Role[];

const reader: Access = ['reader', 'contributor'];
const contributor: Access = ['contributor'];
const worker: Access = ['worker'];
const admin: Access = ['admin'];
const anyRole: Access = ['reader', 'contributor', 'worker'];

const base = '/runtime/webhooks/durabletask';

/**
 * HTTP rules by `METHOD path`, the path as an OpenAPI template; `{*rest}` matches the rest of the path.
 * A contributor can also read: a client that starts an instance polls its status.
 */
export const httpAccess: Readonly<Record<string, Access>> = {
  [`POST ${base}/orchestrators/{name}`]: contributor,
  [`POST ${base}/orchestrators/{name}/{instanceId}`]: contributor,
  [`POST ${base}/orchestrators/{name}/{instanceId}/raiseEvent/{eventName}`]: contributor,
  [`GET ${base}/orchestrators`]: reader,
  [`GET ${base}/instances`]: reader,
  [`DELETE ${base}/instances`]: contributor,
  [`GET ${base}/instances/{instanceId}`]: reader,
  [`DELETE ${base}/instances/{instanceId}`]: contributor,
  [`GET ${base}/instances/{instanceId}/waiting`]: reader,
  [`GET ${base}/instance-counts`]: reader,
  [`POST ${base}/instances/{instanceId}/raiseEvent/{eventName}`]: contributor,
  [`POST ${base}/instances/{instanceId}/terminate`]: contributor,
  [`POST ${base}/instances/{instanceId}/suspend`]: contributor,
  [`POST ${base}/instances/{instanceId}/resume`]: contributor,
  [`POST ${base}/instances/{instanceId}/rewind`]: contributor,
  [`POST ${base}/instances/{instanceId}/reset`]: contributor,
  [`POST ${base}/instances/{instanceId}/restart`]: contributor,
  [`GET ${base}/entities`]: reader,
  [`POST ${base}/entities/clean`]: contributor,
  [`GET ${base}/retention`]: reader,
  // A sweep deletes what the policy says is due, as a purge by filter would.
  [`POST ${base}/retention/sweep`]: contributor,
  [`GET ${base}/entities/{entityName}`]: reader,
  [`GET ${base}/entities/{entityName}/{entityKey}`]: reader,
  [`POST ${base}/entities/{entityName}/{entityKey}`]: contributor,
  [`DELETE ${base}/entities/{entityName}/{entityKey}`]: contributor,
  [`GET ${base}/schedules`]: reader,
  [`GET ${base}/schedules/{scheduleId}`]: reader,
  [`POST ${base}/schedules/{scheduleId}`]: contributor,
  [`DELETE ${base}/schedules/{scheduleId}`]: contributor,
  [`POST ${base}/schedules/{scheduleId}/update`]: contributor,
  [`POST ${base}/schedules/{scheduleId}/pause`]: contributor,
  [`POST ${base}/schedules/{scheduleId}/resume`]: contributor,
  // Answers who the caller is; it still rejects a bad token, so the dashboard learns it is bad.
  [`GET ${base}/auth/whoami`]: 'public',
  // The API's description and the dashboard's static files carry no data.
  [`GET ${base}/openapi.json`]: 'public',
  'GET /openapi.json': 'public',
  'GET /dashboard': 'public',
  'GET /dashboard/{*rest}': 'public',
  // Probes of the orchestrator (Container Apps, Kubernetes) carry no credentials.
  'GET /health': 'public',
  'GET /health/ready': 'public',
  'GET /metrics': reader,
};

/** gRPC rules by `Service/Method`, as in the method's path. */
export const grpcAccess: Readonly<Record<string, Access>> = {
  'TaskHubSidecarService/Hello': anyRole,
  'TaskHubSidecarService/StartInstance': contributor,
  'TaskHubSidecarService/GetInstance': reader,
  'TaskHubSidecarService/RewindInstance': contributor,
  'TaskHubSidecarService/RestartInstance': contributor,
  'TaskHubSidecarService/WaitForInstanceStart': reader,
  'TaskHubSidecarService/WaitForInstanceCompletion': reader,
  'TaskHubSidecarService/RaiseEvent': contributor,
  'TaskHubSidecarService/TerminateInstance': contributor,
  'TaskHubSidecarService/SuspendInstance': contributor,
  'TaskHubSidecarService/ResumeInstance': contributor,
  'TaskHubSidecarService/QueryInstances': reader,
  'TaskHubSidecarService/ListInstanceIds': reader,
  'TaskHubSidecarService/PurgeInstances': contributor,
  'TaskHubSidecarService/GetWorkItems': worker,
  'TaskHubSidecarService/CompleteActivityTask': worker,
  'TaskHubSidecarService/CompleteOrchestratorTask': worker,
  'TaskHubSidecarService/CompleteEntityTask': worker,
  // Workers fetch long histories with it; clients read them.
  'TaskHubSidecarService/StreamInstanceHistory': ['reader', 'contributor', 'worker'],
  'TaskHubSidecarService/CreateTaskHub': admin,
  'TaskHubSidecarService/DeleteTaskHub': admin,
  'TaskHubSidecarService/SignalEntity': contributor,
  'TaskHubSidecarService/GetEntity': reader,
  'TaskHubSidecarService/QueryEntities': reader,
  'TaskHubSidecarService/CleanEntityStorage': contributor,
  'TaskHubSidecarService/AbandonTaskActivityWorkItem': worker,
  'TaskHubSidecarService/AbandonTaskOrchestratorWorkItem': worker,
  'TaskHubSidecarService/AbandonTaskEntityWorkItem': worker,
  'TaskHubSidecarService/SkipGracefulOrchestrationTerminations': contributor,
  // The distributed workers hand remote work items to the frontend's hub.
  'durable.internal.RemoteWork/RunOrchestrator': worker,
  'durable.internal.RemoteWork/RunActivity': worker,
  'durable.internal.RemoteWork/RunEntity': worker,
};

/** True when one of the granted roles passes the rule. */
export function allows(access: Access, granted: readonly Role[]): boolean {
  if (access === 'public') return true;
  return granted.includes('admin') || access.some((role) => granted.includes(role));
}

interface CompiledRoute {
  readonly method: string;
  readonly pattern: RegExp;
  readonly literals: number;
  readonly access: Access;
  readonly key: string;
}

function compile(key: string, access: Access): CompiledRoute {
  const [method, path] = key.split(' ') as [string, string];
  const segments = path.split('/').filter((s) => s !== '');
  let literals = 0;
  const parts = segments.map((segment) => {
    if (segment.startsWith('{*')) return '(?:/.*)?';
    if (segment.startsWith('{')) return '/[^/]+';
    literals++;
    return `/${segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`;
  });
  // Express matches case-insensitively and takes a trailing slash, so the table must too.
  return { method, pattern: new RegExp(`^${parts.join('')}/?$`, 'i'), literals, access, key };
}

/** Looks up the rule of a request; undefined when no rule names it (callers then require admin). */
export class HttpAccessTable {
  private readonly routes: readonly CompiledRoute[];

  constructor(table: Readonly<Record<string, Access>> = httpAccess) {
    // The most literal template wins: `/entities/clean` over `/entities/{entityName}`.
    this.routes = Object.entries(table)
      .map(([key, access]) => compile(key, access))
      .sort((a, b) => b.literals - a.literals);
  }

  lookup(method: string, url: string): { key: string; access: Access } | undefined {
    const verb = method.toUpperCase() === 'HEAD' ? 'GET' : method.toUpperCase();
    const path = url.split('?', 1)[0] ?? '';
    const route = this.routes.find((r) => r.method === verb && r.pattern.test(path));
    return route === undefined ? undefined : { key: route.key, access: route.access };
  }
}

/** The rule of a gRPC method path (`/Service/Method`); undefined when none. */
export function grpcAccessOf(path: string): Access | undefined {
  return grpcAccess[path.replace(/^\//, '')];
}
