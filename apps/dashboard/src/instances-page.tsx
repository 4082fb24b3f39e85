import { useVirtualizer } from '@tanstack/react-virtual';
import { useEffect, useRef, useState, type ReactNode } from 'react';
import { actions, listInstances } from './api';
import { useAccess } from './auth';
import { ActionDialog, StatusBadge, Time } from './components';
import { usePolling } from './hooks';
import {
  filterFromSearch,
  listOrders,
  listQuery,
  runtimeStatuses,
  searchFromFilter,
  terminalStatuses,
  type ListFilter,
} from './model';
import { instanceHref, navigate } from './router';
import { StartDialog } from './start-dialog';

const rowHeight = 34;

export function InstancesPage({ search }: { search: URLSearchParams }): ReactNode {
  const filter = filterFromSearch(search);
  const requested = Number(search.get('page') ?? '0');
  // Continuation tokens of the pages seen so far: token[i] reads page i (page 0 needs none).
  const [tokens, setTokens] = useState<Array<string | undefined>>([undefined]);
  // After a reload the tokens are gone, so a page link starts over at the first page.
  const page =
    Number.isInteger(requested) && requested > 0 && tokens[requested] !== undefined ? requested : 0;
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [dialog, setDialog] = useState<'start' | 'terminate' | 'purge'>();
  const [live, setLive] = useState(true);
  const { writable } = useAccess();
  const key = searchFromFilter(filter).toString();
  const { data, error, reload } = usePolling(
    () => listInstances(listQuery(filter), tokens[page]),
    live ? 2000 : 0,
    [key, page, tokens[page]],
  );
  const rows = data?.instances ?? [];
  const setFilter = (next: ListFilter): void => {
    setTokens([undefined]);
    navigate('/instances', searchFromFilter(next), true);
  };
  const goTo = (target: number): void => {
    const next = searchFromFilter(filter);
    if (target > 0) next.set('page', String(target));
    navigate('/instances', next, true);
  };
  const scroller = useRef<HTMLDivElement>(null);
  const virtualizer = useVirtualizer({
    count: rows.length,
    getScrollElement: () => scroller.current,
    estimateSize: () => rowHeight,
    overscan: 10,
  });
  // Another page or filter starts at its top, not at the scroll position of the last one.
  useEffect(() => {
    if (scroller.current !== null) scroller.current.scrollTop = 0;
  }, [key, page]);
  const toggle = (id: string): void =>
    setSelected((current) => {
      const next = new Set(current);
      if (next.has(id)) next.delete(id);
      else next.add(id);
      return next;
    });
  const closeDialog = (changed: boolean): void => {
    setDialog(undefined);
    if (changed) {
      setSelected(new Set());
      reload();
    }
  };
  return (
    <div>
      <h2>Instances</h2>
      <div className="filters" data-testid="filters">
        <fieldset className="statuses">
          {runtimeStatuses.map((status) => (
            <label key={status}>
              <input
                type="checkbox"
                data-testid={`filter-${status}`}
                checked={filter.statuses.includes(status)}
                onChange={(e) =>
                  setFilter({
                    ...filter,
                    statuses: e.target.checked
                      ? [...filter.statuses, status]
                      : filter.statuses.filter((s) => s !== status),
                  })
                }
              />
              {status}
            </label>
          ))}
        </fieldset>
        <input
          placeholder="name"
          data-testid="filter-name"
          value={filter.name}
          onChange={(e) => setFilter({ ...filter, name: e.target.value })}
        />
        <input
          placeholder="id prefix"
          data-testid="filter-prefix"
          value={filter.prefix}
          onChange={(e) => setFilter({ ...filter, prefix: e.target.value })}
        />
        <input
          placeholder="id contains"
          data-testid="filter-text"
          value={filter.text}
          onChange={(e) => setFilter({ ...filter, text: e.target.value })}
        />
        <label>
          from{' '}
          <input
            type="datetime-local"
            value={filter.from}
            onChange={(e) => setFilter({ ...filter, from: e.target.value })}
          />
        </label>
        <label>
          to{' '}
          <input
            type="datetime-local"
            value={filter.to}
            onChange={(e) => setFilter({ ...filter, to: e.target.value })}
          />
        </label>
        <select
          value={filter.sort}
          data-testid="sort"
          onChange={(e) => setFilter({ ...filter, sort: e.target.value as ListFilter['sort'] })}
        >
          {Object.entries(listOrders).map(([value, label]) => (
            <option key={value} value={value}>
              {label}
            </option>
          ))}
        </select>
        <select value={filter.top} onChange={(e) => setFilter({ ...filter, top: Number(e.target.value) })}>
          {[25, 50, 100, 250, 1000].map((n) => (
            <option key={n} value={n}>
              {n} per page
            </option>
          ))}
        </select>
        <label>
          <input type="checkbox" checked={live} onChange={(e) => setLive(e.target.checked)} /> live
        </label>
      </div>
      <div className="toolbar">
        {writable ? (
          <>
            <button className="primary" data-testid="start" onClick={() => setDialog('start')}>
              Start…
            </button>
            <button
              disabled={selected.size === 0}
              data-testid="bulk-terminate"
              onClick={() => setDialog('terminate')}
            >
              Terminate selected ({selected.size})
            </button>
            <button
              disabled={selected.size === 0}
              data-testid="bulk-purge"
              onClick={() => setDialog('purge')}
            >
              Purge selected ({selected.size})
            </button>
          </>
        ) : (
          <span className="muted">read-only</span>
        )}
        <span className="pager">
          <button disabled={page === 0} data-testid="prev-page" onClick={() => goTo(page - 1)}>
            ‹ Previous
          </button>
          <span data-testid="page-number">page {page + 1}</span>
          <button
            disabled={data?.next === undefined}
            data-testid="next-page"
            onClick={() => {
              setTokens((t) => {
                const next = [...t];
                next[page + 1] = data?.next;
                return next;
              });
              goTo(page + 1);
            }}
          >
            Next ›
          </button>
        </span>
      </div>
      {error !== undefined ? <p className="error">{error}</p> : null}
      <div className="table-head row">
        <span className="check" />
        <span>instance id</span>
        <span>name</span>
        <span>status</span>
        <span>created</span>
        <span>updated</span>
      </div>
      <div ref={scroller} className="scroller" data-testid="instance-rows">
        <div style={{ height: virtualizer.getTotalSize(), position: 'relative' }}>
          {virtualizer.getVirtualItems().map((item) => {
            const i = rows[item.index]!;
            return (
              <div
                key={i.instanceId}
                className="row"
                data-testid="instance-row"
                style={{
                  position: 'absolute',
                  top: 0,
                  transform: `translateY(${item.start}px)`,
                  height: rowHeight,
                }}
              >
                <span className="check">
                  {writable ? (
                    <input
                      type="checkbox"
                      checked={selected.has(i.instanceId)}
                      onChange={() => toggle(i.instanceId)}
                    />
                  ) : null}
                </span>
                <a href={instanceHref(i.instanceId)}>{i.instanceId}</a>
                <span>{i.name}</span>
                <span>
                  <StatusBadge status={i.runtimeStatus} />
                </span>
                <Time iso={i.createdTime} />
                <Time iso={i.lastUpdatedTime} />
              </div>
            );
          })}
        </div>
      </div>
      <p className="muted" data-testid="row-count">
        {rows.length} on this page
      </p>
      {dialog === 'start' ? <StartDialog onClose={closeDialog} /> : null}
      {dialog === 'terminate' ? (
        <ActionDialog
          title={`Terminate ${selected.size} instances`}
          confirmLabel="Terminate"
          perform={() =>
            Promise.all(
              [...selected].map((id) => actions.terminate(id, 'terminated from the dashboard', false)),
            )
          }
          onClose={closeDialog}
        />
      ) : null}
      {dialog === 'purge' ? (
        <ActionDialog
          title={`Purge ${selected.size} instances (finished ones only: ${terminalStatuses.join(', ')})`}
          confirmLabel="Purge"
          perform={() => Promise.all([...selected].map((id) => actions.purge(id)))}
          onClose={closeDialog}
        />
      ) : null}
    </div>
  );
}
