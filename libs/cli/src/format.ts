import Table from 'cli-table3';
import { createColors } from 'picocolors';
import type { FailureDetails, HistoryEvent, InstanceStatus } from './client';

export type Colors = ReturnType<typeof createColors>;

/** `1.2 s`, `3 m 05 s`: short and exact enough for a terminal. */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '-';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;
  const totalSeconds = Math.floor(ms / 1000);
  const pad = (n: number): string => String(n).padStart(2, '0');
  if (totalSeconds < 3600) return `${Math.floor(totalSeconds / 60)} m ${pad(totalSeconds % 60)} s`;
  const totalMinutes = Math.floor(totalSeconds / 60);
  if (totalMinutes < 24 * 60) return `${Math.floor(totalMinutes / 60)} h ${pad(totalMinutes % 60)} m`;
  return `${Math.floor(totalMinutes / (24 * 60))} d ${Math.floor(totalMinutes / 60) % 24} h`;
}

/** Milliseconds from `from` to `to` (ISO strings); NaN when either is missing or malformed. */
export function between(from: unknown, to: unknown): number {
  if (typeof from !== 'string' || typeof to !== 'string') return NaN;
  return Date.parse(to) - Date.parse(from);
}

/** `2026-12-04 11:58:01.123` in UTC: sortable and the same on every machine. */
export function formatTime(iso: string): string {
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) return iso;
  return new Date(ms).toISOString().replace('T', ' ').replace('Z', '');
}

const terminal = new Set(['Completed', 'Failed', 'Terminated', 'Canceled']);

export function isTerminal(runtimeStatus: string): boolean {
  return terminal.has(runtimeStatus);
}

export function colorStatus(status: string, c: Colors): string {
  switch (status) {
    case 'Completed':
      return c.green(status);
    case 'Failed':
      return c.red(status);
    case 'Terminated':
    case 'Canceled':
      return c.magenta(status);
    case 'Suspended':
      return c.yellow(status);
    default:
      return c.cyan(status);
  }
}

/** A value as one line of JSON, cut to `max` characters. */
export function brief(value: unknown, max = 60): string {
  if (value === undefined || value === null) return '';
  const text = typeof value === 'string' ? JSON.stringify(value) : (JSON.stringify(value) ?? '');
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/** Aligned columns without borders, like `kubectl get`: easy to read and to `awk`. */
export function table(head: readonly string[], rows: readonly (readonly string[])[], c: Colors): string {
  const t = new Table({
    head: head.map((h) => c.bold(h)),
    chars: {
      top: '',
      'top-mid': '',
      'top-left': '',
      'top-right': '',
      bottom: '',
      'bottom-mid': '',
      'bottom-left': '',
      'bottom-right': '',
      left: '',
      'left-mid': '',
      mid: '',
      'mid-mid': '',
      right: '',
      'right-mid': '',
      middle: '  ',
    },
    style: { head: [], border: [], 'padding-left': 0, 'padding-right': 0 },
  });
  t.push(...rows.map((row) => [...row]));
  return t
    .toString()
    .split('\n')
    .map((line) => line.trimEnd())
    .join('\n');
}

export function instanceRows(instances: readonly InstanceStatus[], c: Colors): string[][] {
  return instances.map((i) => [
    i.instanceId,
    i.name,
    colorStatus(i.runtimeStatus, c),
    formatTime(i.createdTime),
    formatDuration(between(i.createdTime, i.lastUpdatedTime)),
    brief(i.output ?? i.customStatus, 40),
  ]);
}

export const instanceHead = ['INSTANCE', 'NAME', 'STATUS', 'CREATED (UTC)', 'RAN FOR', 'OUTPUT'];

function failureLine(failure: FailureDetails | undefined): string {
  if (failure === undefined) return '';
  const own = `${failure.errorType ?? 'Error'}: ${failure.errorMessage ?? ''}`.trim();
  return failure.innerFailure !== undefined ? `${own} (caused by ${failureLine(failure.innerFailure)})` : own;
}

/** The status as `key: value` lines. */
export function statusBlock(s: InstanceStatus, c: Colors): string {
  const lines: [string, string][] = [
    ['instance', s.instanceId],
    ['name', s.name],
    ['status', colorStatus(s.runtimeStatus, c)],
    ['created', `${formatTime(s.createdTime)} UTC`],
    ['updated', `${formatTime(s.lastUpdatedTime)} UTC`],
    ['ran for', formatDuration(between(s.createdTime, s.lastUpdatedTime))],
  ];
  if (s.input !== null && s.input !== undefined) lines.push(['input', brief(s.input, 200)]);
  if (s.customStatus !== null && s.customStatus !== undefined)
    lines.push(['custom status', brief(s.customStatus, 200)]);
  if (s.output !== null && s.output !== undefined) lines.push(['output', brief(s.output, 200)]);
  if (s.failureDetails !== undefined) lines.push(['failure', c.red(failureLine(s.failureDetails))]);
  const width = Math.max(...lines.map(([k]) => k.length));
  return lines.map(([k, v]) => `${c.dim(`${k}:`.padEnd(width + 1))} ${v}`).join('\n');
}

/** What a history event says, beyond its type: the function, how long it took, the payload. */
function eventDetail(e: HistoryEvent): { detail: string; took: number } {
  const name = typeof e['FunctionName'] === 'string' ? e['FunctionName'] : '';
  const child = typeof e['InstanceId'] === 'string' ? ` ${e['InstanceId']}` : '';
  const failure = failureLine(e['FailureDetails'] as FailureDetails | undefined);
  switch (e.EventType) {
    case 'ExecutionStarted':
      return { detail: `${name} ${brief(e['Input'])}`.trim(), took: NaN };
    case 'ExecutionCompleted':
      return {
        detail: `${String(e['OrchestrationStatus'] ?? '')} ${failure || brief(e['Result'])}`.trim(),
        took: NaN,
      };
    case 'TaskCompleted':
    case 'SubOrchestrationInstanceCompleted':
      return {
        detail: `${name}${child} → ${brief(e['Result'])}`,
        took: between(e['ScheduledTime'], e.Timestamp),
      };
    case 'TaskFailed':
    case 'SubOrchestrationInstanceFailed':
      return { detail: `${name}${child} ✗ ${failure}`, took: between(e['ScheduledTime'], e.Timestamp) };
    case 'TaskScheduled':
    case 'SubOrchestrationInstanceCreated':
      return { detail: `${name}${child} (not finished)`, took: NaN };
    case 'TimerCreated':
      return { detail: `fires at ${formatTime(String(e['FireAt']))}`, took: NaN };
    case 'TimerFired':
      return { detail: `timer ${String(e['TimerId'] ?? '')}`.trim(), took: NaN };
    case 'EventRaised':
      return { detail: `${String(e['Name'])} ${brief(e['Input'])}`.trim(), took: NaN };
    case 'EventSent':
      return {
        detail: `${String(e['Name'])} to ${String(e['InstanceId'])} ${brief(e['Input'])}`.trim(),
        took: NaN,
      };
    default:
      return { detail: brief(e['Input'] ?? e['Data']), took: NaN };
  }
}

/** The history as a timeline: offset from the start, event, what it was, and how long tasks took. */
export function timeline(events: readonly HistoryEvent[], c: Colors): string {
  const start = events[0]?.Timestamp;
  const rows = events.map((e) => {
    const { detail, took } = eventDetail(e);
    const failed = e.EventType.endsWith('Failed') || e['OrchestrationStatus'] === 'Failed';
    return [
      `+${formatDuration(between(start, e.Timestamp))}`,
      failed ? c.red(e.EventType) : e.EventType,
      Number.isNaN(took) ? '' : formatDuration(took),
      detail,
    ];
  });
  return table(['AT', 'EVENT', 'TOOK', 'DETAIL'], rows, c);
}
