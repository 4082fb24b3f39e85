import type { ReactNode } from 'react';
import { listInstances } from './api';
import { ThroughputChart } from './chart';
import { StatusBadge, Time } from './components';
import { usePolling } from './hooks';
import {
  formatDuration,
  runtimeStatuses,
  throughput,
  type InstanceStatus,
  type RuntimeStatus,
} from './model';
import { href, instanceHref } from './router';

// Counting pages through the list API (there is no count endpoint), so counts stop at a cap.
const countCap = 10_000;
const windowSeconds = 300;

async function countOf(status: RuntimeStatus): Promise<number> {
  let count = 0;
  let token: string | undefined;
  do {
    const page = await listInstances(
      new URLSearchParams({ runtimeStatus: status, top: '1000', showInput: 'false' }),
      token,
    );
    count += page.instances.length;
    token = page.next;
  } while (token !== undefined && count < countCap);
  return count;
}

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
  const [counts, recent, running] = await Promise.all([
    Promise.all(runtimeStatuses.map(async (s) => [s, await countOf(s)] as const)),
    pageOf({ createdTimeFrom: since }, 20_000),
    // The list is ordered by creation time, so the first running ones are the longest running.
    listInstances(new URLSearchParams({ runtimeStatus: 'Running,Suspended', top: '10', showInput: 'false' })),
  ]);
  const failed = recent
    .filter((i) => i.runtimeStatus === 'Failed')
    .sort((a, b) => b.lastUpdatedTime.localeCompare(a.lastUpdatedTime))
    .slice(0, 10);
  return { now, counts, rates: throughput(recent, now, windowSeconds), running: running.instances, failed };
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
              {count === undefined ? '…' : count >= countCap ? `${countCap}+` : count}
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
