import type { ReactNode } from 'react';
import { countInstances, listInstances } from './api';
import { ThroughputChart } from './chart';
import { StatusBadge, Time } from './components';
import { usePolling } from './hooks';
import { formatDuration, runtimeStatuses, throughput, type InstanceStatus } from './model';
import { href, instanceHref } from './router';

const windowSeconds = 300;

async function pageOf(query: Record<string, string>, limit: number): Promise<InstanceStatus[]> {
  const all: InstanceStatus[] = [];
  let token: string | undefined;
  do {
    const page = await listInstances(
      new URLSearchParams({ top: '1000', showInput: 'false', ...query }),
      token,
    );
    all.push(...page.instances);
    token = page.next;
  } while (token !== undefined && all.length < limit);
  return all;
}

async function loadOverview() {
  const now = Date.now();
  const since = new Date(now - windowSeconds * 1000).toISOString();
  const list = (query: Record<string, string>) =>
    listInstances(new URLSearchParams({ top: '10', showInput: 'false', ...query }));
  const [counts, recent, running, failed] = await Promise.all([
    countInstances(),
    pageOf({ createdTimeFrom: since }, 20_000),
    list({ runtimeStatus: 'Running,Suspended', orderBy: 'createdTime' }),
    list({ runtimeStatus: 'Failed', orderBy: 'lastUpdatedTime', descending: 'true' }),
  ]);
  return {
    now,
    counts: runtimeStatuses.map((s) => [s, counts.byRuntimeStatus[s] ?? 0] as const),
    rates: throughput(recent, now, windowSeconds),
    running: running.instances,
    failed: failed.instances,
  };
}

export function OverviewPage(): ReactNode {
  const { data, error } = usePolling(loadOverview, 3000, []);
  return (
    <div>
      <h2>Overview</h2>
      {error !== undefined ? <p className="error">{error}</p> : null}
      <div className="cards" data-testid="status-counts">
        {(data?.counts ?? runtimeStatuses.map((s) => [s, undefined] as const)).map(([status, count]) => (
          <a key={status} className="card" href={href('/instances', new URLSearchParams({ status }))}>
            <StatusBadge status={status} />
            <span className="count" data-testid={`count-${status}`}>
              {count === undefined ? '…' : count}
            </span>
          </a>
        ))}
      </div>
      <h3>Throughput, last {windowSeconds / 60} minutes</h3>
      <p className="muted">Of the instances created in the window.</p>
      {data !== undefined ? <ThroughputChart {...data.rates} /> : <p>Loading…</p>}
      <div className="columns">
        <section>
          <h3>Longest running</h3>
          <InstanceTable instances={data?.running ?? []} now={data?.now ?? Date.now()} />
        </section>
        <section>
          <h3>Most recently failed</h3>
          <InstanceTable instances={data?.failed ?? []} now={data?.now ?? Date.now()} />
        </section>
      </div>
    </div>
  );
}

function InstanceTable({ instances, now }: { instances: InstanceStatus[]; now: number }): ReactNode {
  if (instances.length === 0) return <p className="muted">None.</p>;
  return (
    <table>
      <tbody>
        {instances.map((i) => (
          <tr key={i.instanceId}>
            <td>
              <a href={instanceHref(i.instanceId)}>{i.instanceId}</a>
            </td>
            <td>{i.name}</td>
            <td>
              <StatusBadge status={i.runtimeStatus} />
            </td>
            <td>
              {i.runtimeStatus === 'Failed' ? (
                <Time iso={i.lastUpdatedTime} />
              ) : (
                formatDuration(now - Date.parse(i.createdTime))
              )}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
