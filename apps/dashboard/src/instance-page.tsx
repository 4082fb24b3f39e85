import { useVirtualizer } from '@tanstack/react-virtual';
import { useRef, useState, type ReactNode } from 'react';
import { actions, getInstance, getWaiting, type ApiAnswer } from './api';
import { useAccess } from './auth';
import { ActionDialog, Json, JsonEditor, jsonProblem, StatusBadge, Time } from './components';
import { usePolling } from './hooks';
import {
  formatDuration,
  sequenceMessages,
  terminalStatuses,
  timelineBars,
  type FailureDetails,
  type HistoryEventJson,
  type InstanceStatus,
  type Waiting,
} from './model';
import { href, instanceHref, navigate } from './router';

const tabs = ['history', 'timeline', 'sequence', 'waiting'] as const;
type Tab = (typeof tabs)[number];

export function InstancePage({
  instanceId,
  search,
}: {
  instanceId: string;
  search: URLSearchParams;
}): ReactNode {
  const tab: Tab = (tabs as readonly string[]).includes(search.get('tab') ?? '')
    ? (search.get('tab') as Tab)
    : 'history';
  const { data, error, reload } = usePolling(
    async () => {
      const status = await getInstance(instanceId, true);
      const waiting =
        status !== undefined && !terminalStatuses.includes(status.runtimeStatus)
          ? await getWaiting(instanceId)
          : undefined;
      return { status, waiting, now: Date.now() };
    },
    // A finished instance changes only by an action (which reloads) or a restart elsewhere: a long
    // history need not be fetched every two seconds.
    (last) =>
      last?.status !== undefined && terminalStatuses.includes(last.status.runtimeStatus) ? 10_000 : 2000,
    [instanceId],
  );
  if (error !== undefined && data === undefined) return <p className="error">{error}</p>;
  if (data === undefined) return <p>Loading…</p>;
  const { status, waiting, now } = data;
  if (status === undefined) return <p data-testid="not-found">No instance with id {instanceId}.</p>;
  return (
    <div>
      <h2>
        {status.name} <StatusBadge status={status.runtimeStatus} />
      </h2>
      <Details status={status} now={now} />
      <Actions status={status} onChanged={reload} />
      <nav className="tabs">
        {tabs.map((t) => (
          <a
            key={t}
            className={t === tab ? 'active' : ''}
            data-testid={`tab-${t}`}
            href={instanceHref(instanceId, t)}
          >
            {t === 'waiting' ? 'Why is it waiting?' : t}
          </a>
        ))}
      </nav>
      {tab === 'history' ? <HistoryTable events={status.historyEvents ?? []} /> : null}
      {tab === 'timeline' ? (
        <Timeline events={status.historyEvents ?? []} now={now} waiting={waiting} />
      ) : null}
      {tab === 'sequence' ? <Sequence events={status.historyEvents ?? []} /> : null}
      {tab === 'waiting' ? <WaitingView status={status} waiting={waiting} /> : null}
    </div>
  );
}

function Details({ status, now }: { status: InstanceStatus; now: number }): ReactNode {
  const end =
    status.completedTime ??
    (terminalStatuses.includes(status.runtimeStatus) ? status.lastUpdatedTime : undefined);
  const subs = (status.historyEvents ?? []).filter(
    (e) => typeof e.InstanceId === 'string' && e.EventType.startsWith('SubOrchestration'),
  );
  return (
    <dl className="details" data-testid="details">
      <dt>Instance id</dt>
      <dd data-testid="instance-id">{status.instanceId}</dd>
      <dt>Version</dt>
      <dd>{status.version ?? <span className="muted">none</span>}</dd>
      <dt>Tags</dt>
      <dd>
        {status.tags !== undefined ? <Json value={status.tags} /> : <span className="muted">none</span>}
      </dd>
      <dt>Created</dt>
      <dd>
        <Time iso={status.createdTime} />
      </dd>
      <dt>Last updated</dt>
      <dd>
        <Time iso={status.lastUpdatedTime} />
      </dd>
      <dt>Duration</dt>
      <dd>{formatDuration((end !== undefined ? Date.parse(end) : now) - Date.parse(status.createdTime))}</dd>
      {status.parentInstanceId !== undefined ? (
        <>
          <dt>Parent</dt>
          <dd>
            <a href={instanceHref(status.parentInstanceId)}>{status.parentInstanceId}</a>
          </dd>
        </>
      ) : null}
      {subs.length > 0 ? (
        <>
          <dt>Sub-orchestrations</dt>
          <dd>
            {[...new Set(subs.map((e) => String(e.InstanceId)))].map((id) => (
              <div key={id}>
                <a href={instanceHref(id)}>{id}</a>
              </div>
            ))}
          </dd>
        </>
      ) : null}
      <dt>Input</dt>
      <dd>
        <Json value={status.input} />
      </dd>
      <dt>Output</dt>
      <dd data-testid="output">
        <Json value={status.output} />
      </dd>
      <dt>Custom status</dt>
      <dd>
        <Json value={status.customStatus} />
      </dd>
      {status.failureDetails !== undefined ? (
        <>
          <dt>Failure</dt>
          <dd>
            <Failure details={status.failureDetails} />
          </dd>
        </>
      ) : null}
    </dl>
  );
}

function Failure({ details }: { details: FailureDetails }): ReactNode {
  return (
    <div className="failure" data-testid="failure">
      <strong>{details.errorType}</strong>: {details.errorMessage}
      {details.stackTrace !== undefined ? <pre>{details.stackTrace}</pre> : null}
      {details.innerFailure !== undefined ? <Failure details={details.innerFailure} /> : null}
    </div>
  );
}

type ActionName = 'raise' | 'suspend' | 'resume' | 'terminate' | 'restart' | 'rewind' | 'purge';

function Actions({ status, onChanged }: { status: InstanceStatus; onChanged: () => void }): ReactNode {
  const { writable } = useAccess();
  const [open, setOpen] = useState<ActionName>();
  const [reason, setReason] = useState('');
  const [eventName, setEventName] = useState('');
  const [eventData, setEventData] = useState('');
  const [recursive, setRecursive] = useState(false);
  const [newId, setNewId] = useState(true);
  if (!writable) return <p className="muted">Read-only: actions need the contributor or admin role.</p>;
  const live = !terminalStatuses.includes(status.runtimeStatus);
  const id = status.instanceId;
  const available: Array<[ActionName, string, boolean]> = [
    ['raise', 'Raise event…', live],
    ['suspend', 'Suspend', live && status.runtimeStatus !== 'Suspended'],
    ['resume', 'Resume', status.runtimeStatus === 'Suspended'],
    ['terminate', 'Terminate…', live],
    ['restart', 'Restart…', true],
    ['rewind', 'Rewind', status.runtimeStatus === 'Failed'],
    ['purge', 'Purge', !live],
  ];
  const reasonField = (
    <label className="field">
      Reason (optional)
      <input value={reason} onChange={(e) => setReason(e.target.value)} />
    </label>
  );
  const perform: Record<ActionName, () => Promise<ApiAnswer>> = {
    raise: () => actions.raiseEvent(id, eventName, eventData),
    suspend: () => actions.suspend(id, reason),
    resume: () => actions.resume(id, reason),
    terminate: () => actions.terminate(id, reason, recursive),
    restart: () => actions.restart(id, newId),
    rewind: () => actions.rewind(id, reason),
    purge: () => actions.purge(id),
  };
  return (
    <div className="toolbar" data-testid="actions">
      {available.map(([name, label, enabled]) => (
        <button key={name} data-testid={`action-${name}`} disabled={!enabled} onClick={() => setOpen(name)}>
          {label}
        </button>
      ))}
      {open !== undefined ? (
        <ActionDialog
          title={`${available.find(([n]) => n === open)?.[1].replace('…', '') ?? open} ${id}`}
          confirmLabel="Confirm"
          disabled={open === 'raise' && (eventName.trim() === '' || jsonProblem(eventData) !== undefined)}
          perform={perform[open]}
          onClose={(changed) => {
            setOpen(undefined);
            if (changed && open === 'purge') navigate('/instances');
            else if (changed) onChanged();
          }}
        >
          {open === 'raise' ? (
            <>
              <label className="field">
                Event name
                <input
                  data-testid="event-name"
                  value={eventName}
                  onChange={(e) => setEventName(e.target.value)}
                />
              </label>
              <JsonEditor
                label="Event data (JSON)"
                value={eventData}
                onChange={setEventData}
                testId="event-data"
              />
            </>
          ) : null}
          {open === 'terminate' ? (
            <>
              {reasonField}
              <label>
                <input type="checkbox" checked={recursive} onChange={(e) => setRecursive(e.target.checked)} />{' '}
                also its sub-orchestrations
              </label>
            </>
          ) : null}
          {open === 'restart' ? (
            <label>
              <input type="checkbox" checked={newId} onChange={(e) => setNewId(e.target.checked)} /> under a
              new instance id
            </label>
          ) : null}
          {open === 'suspend' || open === 'resume' || open === 'rewind' ? reasonField : null}
          {open === 'purge' ? <p>Deletes the instance and its history.</p> : null}
        </ActionDialog>
      ) : null}
    </div>
  );
}

const payloadKeys = ['Input', 'Result', 'FailureDetails', 'Data'];

/** The history as a virtualised table: thousands of events scroll smoothly; rows expand to payloads. */
function HistoryTable({ events }: { events: readonly HistoryEventJson[] }): ReactNode {
  const scroller = useRef<HTMLDivElement>(null);
  const [expanded, setExpanded] = useState<Set<number>>(new Set());
  const virtualizer = useVirtualizer({
    count: events.length,
    getScrollElement: () => scroller.current,
    estimateSize: () => 30,
    overscan: 15,
  });
  return (
    <div>
      <p className="muted" data-testid="history-count">
        {events.length} events
      </p>
      <div ref={scroller} className="scroller tall" data-testid="history">
        <div style={{ height: virtualizer.getTotalSize(), position: 'relative' }}>
          {virtualizer.getVirtualItems().map((item) => {
            const event = events[item.index]!;
            const { EventType, Timestamp, ...rest } = event;
            const payload = Object.fromEntries(Object.entries(rest).filter(([k]) => payloadKeys.includes(k)));
            const fields = Object.entries(rest).filter(([k]) => !payloadKeys.includes(k));
            const isOpen = expanded.has(item.index);
            return (
              <div
                key={item.key}
                data-index={item.index}
                ref={virtualizer.measureElement}
                className="history-row"
                data-testid="history-row"
                style={{
                  position: 'absolute',
                  top: 0,
                  width: '100%',
                  transform: `translateY(${item.start}px)`,
                }}
              >
                <div
                  className="history-line"
                  onClick={() =>
                    setExpanded((s) => {
                      const next = new Set(s);
                      if (next.has(item.index)) next.delete(item.index);
                      else next.add(item.index);
                      return next;
                    })
                  }
                >
                  <span className="muted">{item.index + 1}</span>
                  <Time iso={Timestamp} />
                  <strong>{EventType}</strong>
                  <span>
                    {fields
                      .map(([k, v]) => `${k}: ${typeof v === 'string' ? v : JSON.stringify(v)}`)
                      .join(' · ')}
                  </span>
                  {Object.keys(payload).length > 0 ? (
                    <span className="muted">{isOpen ? '▾' : '▸'} payload</span>
                  ) : null}
                </div>
                {isOpen ? <Json value={payload} /> : null}
              </div>
            );
          })}
        </div>
      </div>
    </div>
  );
}

const barHeight = 26;

/** A Gantt chart: a bar per activity attempt, timer, sub-orchestration, entity call and event wait. */
function Timeline({
  events,
  now,
  waiting,
}: {
  events: readonly HistoryEventJson[];
  now: number;
  waiting: Waiting | undefined;
}): ReactNode {
  const bars = timelineBars(events, now, waiting);
  const scroller = useRef<HTMLDivElement>(null);
  const virtualizer = useVirtualizer({
    count: bars.length,
    getScrollElement: () => scroller.current,
    estimateSize: () => barHeight,
    overscan: 20,
  });
  const start = Date.parse(events[0]?.Timestamp ?? new Date(now).toISOString());
  const end = Math.max(start + 1, ...bars.map((b) => b.endMs), ...events.map((e) => Date.parse(e.Timestamp)));
  const span = end - start;
  const pct = (t: number): string => `${(((t - start) / span) * 100).toFixed(3)}%`;
  if (bars.length === 0) return <p className="muted">No steps yet.</p>;
  return (
    <div>
      <p className="muted">
        {bars.length} bars over {formatDuration(span)} · blue activity, amber timer, purple sub-orchestration,
        teal entity, grey event; striped still open; red failed
      </p>
      <div ref={scroller} className="scroller tall" data-testid="timeline">
        <div style={{ height: virtualizer.getTotalSize(), position: 'relative' }}>
          {virtualizer.getVirtualItems().map((item) => {
            const bar = bars[item.index]!;
            return (
              <div
                key={item.key}
                className="gantt-row"
                style={{
                  position: 'absolute',
                  top: 0,
                  width: '100%',
                  height: barHeight,
                  transform: `translateY(${item.start}px)`,
                }}
              >
                <span className="gantt-label" title={bar.label}>
                  {bar.instanceId !== undefined ? (
                    <a href={instanceHref(bar.instanceId)}>{bar.label}</a>
                  ) : (
                    bar.label
                  )}
                </span>
                <span className="gantt-track">
                  <span
                    data-testid={`bar-${bar.kind}`}
                    className={`bar bar-${bar.kind} ${bar.open ? 'open' : ''} ${bar.outcome === 'failed' ? 'failed' : ''}`}
                    title={`${bar.label}: ${formatDuration(bar.endMs - bar.startMs)}`}
                    style={{
                      left: pct(bar.startMs),
                      width: `max(3px, calc(${pct(bar.endMs)} - ${pct(bar.startMs)}))`,
                    }}
                  />
                </span>
              </div>
            );
          })}
        </div>
      </div>
    </div>
  );
}

const laneWidth = 170;
const stepHeight = 28;

/** A sequence diagram of the orchestration's messages, drawn as SVG (only the visible part). */
function Sequence({ events }: { events: readonly HistoryEventJson[] }): ReactNode {
  const { lanes, messages } = sequenceMessages(events);
  const scroller = useRef<HTMLDivElement>(null);
  const virtualizer = useVirtualizer({
    count: messages.length,
    getScrollElement: () => scroller.current,
    estimateSize: () => stepHeight,
    overscan: 20,
  });
  const x = (lane: string): number => lanes.indexOf(lane) * laneWidth + laneWidth / 2;
  const width = lanes.length * laneWidth;
  const items = virtualizer.getVirtualItems();
  return (
    <div data-testid="sequence">
      <svg width={width} height={30} className="lanes-head">
        {lanes.map((lane) => (
          <text key={lane} x={x(lane)} y={20} textAnchor="middle">
            {lane.length > 24 ? `${lane.slice(0, 23)}…` : lane}
          </text>
        ))}
      </svg>
      <div ref={scroller} className="scroller tall">
        <svg width={width} height={virtualizer.getTotalSize() + stepHeight}>
          <defs>
            <marker id="arrow" markerWidth="8" markerHeight="8" refX="8" refY="4" orient="auto">
              <path d="M0,0 L8,4 L0,8 z" fill="#334155" />
            </marker>
          </defs>
          {lanes.map((lane) => (
            <line
              key={lane}
              x1={x(lane)}
              x2={x(lane)}
              y1={0}
              y2={virtualizer.getTotalSize() + stepHeight}
              className="lifeline"
            />
          ))}
          {items.map((item) => {
            const m = messages[item.index]!;
            const y = item.start + stepHeight / 2 + 6;
            return (
              <g key={item.key} data-testid="sequence-message" className={m.failed ? 'failed' : ''}>
                <line x1={x(m.from)} x2={x(m.to)} y1={y} y2={y} markerEnd="url(#arrow)" className="message" />
                <text x={(x(m.from) + x(m.to)) / 2} y={y - 4} textAnchor="middle">
                  {m.label}
                </text>
              </g>
            );
          })}
        </svg>
      </div>
    </div>
  );
}

function WaitingView({
  status,
  waiting,
}: {
  status: InstanceStatus;
  waiting: Waiting | undefined;
}): ReactNode {
  if (waiting === undefined)
    return <p data-testid="waiting">{status.runtimeStatus}: a finished instance waits on nothing.</p>;
  const lines: ReactNode[] = [];
  for (const a of waiting.activities)
    lines.push(
      <li key={`a${a.taskId}`}>
        activity <strong>{a.name}</strong> (task {a.taskId}, attempt {a.attempt}) scheduled at{' '}
        <Time iso={a.scheduledAt} />, not completed
      </li>,
    );
  for (const t of waiting.timers)
    lines.push(
      <li key={`t${t.timerId}`}>
        timer due at {t.fireAt} (<Time iso={t.fireAt} />)
      </li>,
    );
  for (const e of waiting.events ?? [])
    lines.push(
      <li key={`e${e.name}${e.since}`}>
        waiting for event {e.name} since <Time iso={e.since} />
      </li>,
    );
  for (const s of waiting.subOrchestrations)
    lines.push(
      <li key={`s${s.taskId}`}>
        sub-orchestration <strong>{s.name}</strong> <a href={instanceHref(s.instanceId)}>{s.instanceId}</a>{' '}
        since <Time iso={s.since} />
      </li>,
    );
  for (const c of waiting.entityCalls)
    lines.push(
      <li key={`c${c.requestId}`}>
        entity {c.entityId} operation {c.operation} since <Time iso={c.since} />
      </li>,
    );
  if (waiting.entityLocks.held.length > 0)
    lines.push(<li key="held">holds the locks of {waiting.entityLocks.held.join(', ')}</li>);
  if (waiting.entityLocks.awaiting.length > 0)
    lines.push(<li key="awaiting">awaits the locks of {waiting.entityLocks.awaiting.join(', ')}</li>);
  return (
    <div data-testid="waiting">
      <p>
        Partition {waiting.partition}
        {waiting.partitionOwned === true ? ', owned by an orchestration worker' : ''}
        {waiting.partitionOwned === false ? <strong data-testid="no-owner">, which has no owner</strong> : ''}
        .{' '}
        <a href={`/runtime/webhooks/durabletask/instances/${encodeURIComponent(status.instanceId)}/waiting`}>
          JSON
        </a>
      </p>
      {waiting.events === null ? (
        <p className="muted">
          Events awaited are unknown: a remote worker runs this orchestration and does not say.
        </p>
      ) : null}
      <ul>{lines.length > 0 ? lines : <li className="muted">nothing pending</li>}</ul>
      {waiting.notes.length > 0 ? (
        <ul className="notes">
          {waiting.notes.map((n) => (
            <li key={n}>{n}</li>
          ))}
        </ul>
      ) : null}
      <p className="muted">
        <a href={href('/instances')}>all instances</a>
      </p>
    </div>
  );
}
