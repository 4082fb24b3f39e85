// Types of the public REST API as the dashboard reads it, and pure derivations (no DOM, no fetch).

export const runtimeStatuses = [
  'Pending',
  'Running',
  'Suspended',
  'Completed',
  'Failed',
  'Terminated',
  'Canceled',
  'ContinuedAsNew',
] as const;
export type RuntimeStatus = (typeof runtimeStatuses)[number];

export const terminalStatuses: readonly RuntimeStatus[] = ['Completed', 'Failed', 'Terminated', 'Canceled'];

export interface FailureDetails {
  readonly errorType: string;
  readonly errorMessage: string;
  readonly stackTrace?: string;
  readonly innerFailure?: FailureDetails;
}

export type HistoryEventJson = Readonly<Record<string, unknown>> & {
  readonly EventType: string;
  readonly Timestamp: string;
};

export interface InstanceStatus {
  readonly name: string;
  readonly instanceId: string;
  readonly runtimeStatus: RuntimeStatus;
  readonly input: unknown;
  readonly customStatus: unknown;
  readonly output: unknown;
  readonly createdTime: string;
  readonly lastUpdatedTime: string;
  readonly completedTime?: string;
  readonly version?: string;
  readonly tags?: Readonly<Record<string, string>>;
  readonly parentInstanceId?: string;
  readonly failureDetails?: FailureDetails;
  readonly historyEvents?: readonly HistoryEventJson[];
}

export interface InstanceCounts {
  readonly count: number;
  readonly byRuntimeStatus: Readonly<Partial<Record<RuntimeStatus, number>>>;
}

export interface Waiting {
  readonly instanceId: string;
  readonly name: string;
  readonly runtimeStatus: RuntimeStatus;
  readonly partition: number;
  readonly partitionOwned: boolean | null;
  readonly activities: ReadonlyArray<{ taskId: number; name: string; scheduledAt: string; attempt: number }>;
  readonly timers: ReadonlyArray<{ timerId: number; createdAt: string; fireAt: string }>;
  readonly events: ReadonlyArray<{ name: string; since: string }> | null;
  readonly subOrchestrations: ReadonlyArray<{
    taskId: number;
    instanceId: string;
    name: string;
    since: string;
  }>;
  readonly entityCalls: ReadonlyArray<{
    requestId: string;
    entityId: string;
    operation: string;
    since: string;
  }>;
  readonly entityLocks: { held: readonly string[]; awaiting: readonly string[]; awaitingSince?: string };
  readonly notes: readonly string[];
}

export interface EntityJson {
  readonly entityId: { readonly name: string; readonly key: string };
  readonly lastOperationTime: string;
  readonly state?: unknown;
  readonly backlogQueueSize?: number;
  readonly lockedBy?: string;
}

/** The orders the list API offers: by creation or last update time, either way. */
export const listOrders = {
  'created-desc': 'newest created first',
  'created-asc': 'oldest created first',
  'updated-desc': 'last updated first',
  'updated-asc': 'least recently updated first',
} as const;
export type ListOrder = keyof typeof listOrders;

/** The instance list's filters, kept in the URL so a reload or a shared link shows the same view. */
export interface ListFilter {
  readonly statuses: readonly RuntimeStatus[];
  readonly name: string;
  readonly prefix: string;
  readonly from: string;
  readonly to: string;
  readonly text: string;
  readonly sort: ListOrder;
  readonly top: number;
}

export const defaultFilter: ListFilter = {
  statuses: [],
  name: '',
  prefix: '',
  from: '',
  to: '',
  text: '',
  sort: 'created-desc',
  top: 100,
};

function orderOf(value: string | null): ListOrder {
  // 'updated' is how links made before the orders had directions said it.
  if (value === 'updated') return 'updated-desc';
  return value !== null && value in listOrders ? (value as ListOrder) : defaultFilter.sort;
}

export function filterFromSearch(search: URLSearchParams): ListFilter {
  const statuses = (search.get('status') ?? '')
    .split(',')
    .filter((s): s is RuntimeStatus => (runtimeStatuses as readonly string[]).includes(s));
  const top = Number(search.get('top') ?? defaultFilter.top);
  return {
    statuses,
    name: search.get('name') ?? '',
    prefix: search.get('prefix') ?? '',
    from: search.get('from') ?? '',
    to: search.get('to') ?? '',
    text: search.get('q') ?? '',
    sort: orderOf(search.get('sort')),
    top: Number.isInteger(top) && top >= 1 && top <= 1000 ? top : defaultFilter.top,
  };
}

export function searchFromFilter(filter: ListFilter): URLSearchParams {
  const search = new URLSearchParams();
  if (filter.statuses.length > 0) search.set('status', filter.statuses.join(','));
  if (filter.name !== '') search.set('name', filter.name);
  if (filter.prefix !== '') search.set('prefix', filter.prefix);
  if (filter.from !== '') search.set('from', filter.from);
  if (filter.to !== '') search.set('to', filter.to);
  if (filter.text !== '') search.set('q', filter.text);
  if (filter.sort !== defaultFilter.sort) search.set('sort', filter.sort);
  if (filter.top !== defaultFilter.top) search.set('top', String(filter.top));
  return search;
}

/** The query of `GET /instances` for a filter: every filter and the order run on the server. */
export function listQuery(filter: ListFilter): URLSearchParams {
  const query = new URLSearchParams({ top: String(filter.top), showInput: 'false' });
  if (filter.statuses.length > 0) query.set('runtimeStatus', filter.statuses.join(','));
  if (filter.name !== '') query.set('name', filter.name);
  if (filter.prefix !== '') query.set('instanceIdPrefix', filter.prefix);
  if (filter.text !== '') query.set('instanceIdContains', filter.text);
  if (filter.from !== '') query.set('createdTimeFrom', new Date(filter.from).toISOString());
  if (filter.to !== '') query.set('createdTimeTo', new Date(filter.to).toISOString());
  const [by, direction] = filter.sort.split('-');
  query.set('orderBy', by === 'updated' ? 'lastUpdatedTime' : 'createdTime');
  query.set('descending', String(direction === 'desc'));
  return query;
}

export type BarKind = 'activity' | 'timer' | 'subOrchestration' | 'event' | 'entity';

/** One bar of the timeline: a step from when it began to when it ended (or now, when still open). */
export interface Bar {
  readonly kind: BarKind;
  readonly label: string;
  readonly startMs: number;
  readonly endMs: number;
  readonly open: boolean;
  readonly outcome: 'completed' | 'failed' | 'pending';
  /** The instance a sub-orchestration bar stands for. */
  readonly instanceId?: string;
}

const ms = (value: unknown): number => (typeof value === 'string' ? Date.parse(value) : Number.NaN);

/**
 * The timeline of one execution from its history (the API's shape: completions carry their
 * `ScheduledTime`; steps not answered appear as their scheduling event). Every attempt of a
 * retried activity is its own bar; gaps between bars are the orchestration waiting on nothing.
 */
export function timelineBars(
  history: readonly HistoryEventJson[],
  nowMs: number,
  waiting?: Pick<Waiting, 'events'>,
): Bar[] {
  const bars: Bar[] = [];
  const timers = new Map<string, HistoryEventJson>();
  const entityCalls = new Map<string, HistoryEventJson>();
  for (const event of history) {
    const at = ms(event.Timestamp);
    switch (event.EventType) {
      case 'TaskCompleted':
      case 'TaskFailed':
        bars.push({
          kind: 'activity',
          label: String(event.FunctionName ?? 'activity'),
          startMs: ms(event.ScheduledTime),
          endMs: at,
          open: false,
          outcome: event.EventType === 'TaskFailed' ? 'failed' : 'completed',
        });
        break;
      case 'TaskScheduled':
        bars.push({
          kind: 'activity',
          label: String(event.FunctionName ?? 'activity'),
          startMs: at,
          endMs: nowMs,
          open: true,
          outcome: 'pending',
        });
        break;
      case 'SubOrchestrationInstanceCompleted':
      case 'SubOrchestrationInstanceFailed':
      case 'SubOrchestrationInstanceCreated': {
        const open = event.EventType === 'SubOrchestrationInstanceCreated';
        bars.push({
          kind: 'subOrchestration',
          label: String(event.FunctionName ?? 'sub-orchestration'),
          startMs: open ? at : ms(event.ScheduledTime),
          endMs: open ? nowMs : at,
          open,
          outcome: open ? 'pending' : event.EventType.endsWith('Failed') ? 'failed' : 'completed',
          ...(typeof event.InstanceId === 'string' ? { instanceId: event.InstanceId } : {}),
        });
        break;
      }
      case 'TimerCreated':
        timers.set(String(event.FireAt), event);
        break;
      case 'TimerFired': {
        const created = timers.get(String(event.FireAt));
        timers.delete(String(event.FireAt));
        bars.push({
          kind: 'timer',
          label: `timer → ${String(event.FireAt)}`,
          startMs: created !== undefined ? ms(created.Timestamp) : ms(event.FireAt),
          endMs: at,
          open: false,
          outcome: 'completed',
        });
        break;
      }
      case 'EventRaised':
        bars.push({
          kind: 'event',
          label: `event ${String(event.Name)} raised`,
          startMs: at,
          endMs: at,
          open: false,
          outcome: 'completed',
        });
        break;
      case 'EntityOperationCalled':
        entityCalls.set(String(event.RequestId), event);
        break;
      case 'EntityOperationCompleted':
      case 'EntityOperationFailed': {
        const call = entityCalls.get(String(event.RequestId));
        if (call === undefined) break;
        entityCalls.delete(String(event.RequestId));
        bars.push({
          kind: 'entity',
          label: `${String(call.TargetInstanceId)} ${String(call.Operation)}`,
          startMs: ms(call.Timestamp),
          endMs: at,
          open: false,
          outcome: event.EventType === 'EntityOperationFailed' ? 'failed' : 'completed',
        });
        break;
      }
      default:
        break;
    }
  }
  for (const created of timers.values()) {
    bars.push({
      kind: 'timer',
      label: `timer due at ${String(created.FireAt)}`,
      startMs: ms(created.Timestamp),
      endMs: Math.max(nowMs, ms(created.FireAt)),
      open: true,
      outcome: 'pending',
    });
  }
  for (const call of entityCalls.values()) {
    bars.push({
      kind: 'entity',
      label: `${String(call.TargetInstanceId)} ${String(call.Operation)}`,
      startMs: ms(call.Timestamp),
      endMs: nowMs,
      open: true,
      outcome: 'pending',
    });
  }
  for (const wait of waiting?.events ?? []) {
    bars.push({
      kind: 'event',
      label: `waiting for event ${wait.name}`,
      startMs: ms(wait.since),
      endMs: nowMs,
      open: true,
      outcome: 'pending',
    });
  }
  return bars.sort((a, b) => a.startMs - b.startMs);
}

/** One arrow of the sequence diagram between the orchestration and a participant. */
export interface Message {
  readonly from: string;
  readonly to: string;
  readonly label: string;
  readonly atMs: number;
  readonly failed: boolean;
}

export const orchestrationLane = 'orchestration';

/** The conversation of the orchestration with its activities, sub-orchestrations and entities. */
export function sequenceMessages(history: readonly HistoryEventJson[]): {
  lanes: string[];
  messages: Message[];
} {
  const messages: Message[] = [];
  const entityCalls = new Map<string, string>();
  const push = (from: string, to: string, label: string, at: unknown, failed = false): void => {
    messages.push({ from, to, label, atMs: ms(at), failed });
  };
  const o = orchestrationLane;
  for (const event of history) {
    const fn = String(event.FunctionName ?? '');
    switch (event.EventType) {
      case 'TaskCompleted':
      case 'TaskFailed':
        push(o, `activity ${fn}`, 'call', event.ScheduledTime);
        push(
          `activity ${fn}`,
          o,
          event.EventType === 'TaskFailed' ? 'failed' : 'result',
          event.Timestamp,
          event.EventType === 'TaskFailed',
        );
        break;
      case 'TaskScheduled':
        push(o, `activity ${fn}`, 'call', event.Timestamp);
        break;
      case 'SubOrchestrationInstanceCompleted':
      case 'SubOrchestrationInstanceFailed': {
        const failed = event.EventType.endsWith('Failed');
        push(o, `sub ${fn}`, 'start', event.ScheduledTime);
        push(`sub ${fn}`, o, failed ? 'failed' : 'result', event.Timestamp, failed);
        break;
      }
      case 'SubOrchestrationInstanceCreated':
        push(o, `sub ${fn}`, 'start', event.Timestamp);
        break;
      case 'EventRaised':
        push('client', o, `event ${String(event.Name)}`, event.Timestamp);
        break;
      case 'EventSent':
        push(o, `instance ${String(event.InstanceId)}`, `event ${String(event.Name)}`, event.Timestamp);
        break;
      case 'EntityOperationSignaled':
        push(
          o,
          `entity ${String(event.TargetInstanceId)}`,
          `signal ${String(event.Operation)}`,
          event.Timestamp,
        );
        break;
      case 'EntityOperationCalled':
        entityCalls.set(String(event.RequestId), String(event.TargetInstanceId));
        push(
          o,
          `entity ${String(event.TargetInstanceId)}`,
          `call ${String(event.Operation)}`,
          event.Timestamp,
        );
        break;
      case 'EntityOperationCompleted':
      case 'EntityOperationFailed': {
        const target = entityCalls.get(String(event.RequestId));
        if (target === undefined) break;
        const failed = event.EventType === 'EntityOperationFailed';
        push(`entity ${target}`, o, failed ? 'failed' : 'result', event.Timestamp, failed);
        break;
      }
      case 'EntityLockRequested':
        for (const entity of (event.LockSet as string[] | undefined) ?? [])
          push(o, `entity ${entity}`, 'lock', event.Timestamp);
        break;
      case 'EntityUnlockSent':
        push(o, `entity ${String(event.TargetInstanceId)}`, 'unlock', event.Timestamp);
        break;
      default:
        break;
    }
  }
  messages.sort((a, b) => a.atMs - b.atMs);
  const lanes = [o];
  for (const m of messages) for (const lane of [m.from, m.to]) if (!lanes.includes(lane)) lanes.push(lane);
  return { lanes, messages };
}

/** Per-second counts of starts, completions and failures over the last `seconds`, from a page of instances. */
export function throughput(
  instances: readonly InstanceStatus[],
  nowMs: number,
  seconds: number,
): { t: number[]; started: number[]; completed: number[]; failed: number[] } {
  const first = Math.floor(nowMs / 1000) - seconds + 1;
  const t = Array.from({ length: seconds }, (_, i) => first + i);
  const started = new Array<number>(seconds).fill(0);
  const completed = new Array<number>(seconds).fill(0);
  const failed = new Array<number>(seconds).fill(0);
  const slot = (iso: string): number => Math.floor(Date.parse(iso) / 1000) - first;
  for (const i of instances) {
    const s = slot(i.createdTime);
    if (s >= 0 && s < seconds) started[s]! += 1;
    const end = slot(i.completedTime ?? i.lastUpdatedTime);
    if (end < 0 || end >= seconds) continue;
    if (i.runtimeStatus === 'Completed') completed[end]! += 1;
    else if (i.runtimeStatus === 'Failed') failed[end]! += 1;
  }
  return { t, started, completed, failed };
}

export function formatDuration(msTotal: number): string {
  if (!Number.isFinite(msTotal)) return '—';
  if (msTotal < 1000) return `${Math.round(msTotal)} ms`;
  const s = msTotal / 1000;
  if (s < 60) return `${s.toFixed(1)} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ${Math.round(s % 60)} s`;
  return `${Math.floor(m / 60)} h ${m % 60} min`;
}
