import { metrics } from '@opentelemetry/api';
import { InvalidArgumentError, type Clock } from '@durable/core';
import type { StateStore } from '@durable/storage';
import { instrumentationScope, Metric, MetricAttr } from '@durable/telemetry';
import {
  formatSpan,
  retainedStatuses,
  type RetainedStatus,
  type RetentionSettings,
} from './retention-settings';

/** What one sweep did. */
export interface SweepResult {
  /** ISO-8601 UTC. */
  readonly startedAt: string;
  readonly finishedAt: string;
  readonly purged: Readonly<Partial<Record<RetainedStatus, number>>>;
  readonly total: number;
  /** True when the sweep stopped at `maxPurgesPerSweep`: more are due, the next sweeps take them. */
  readonly limited: boolean;
}

/** Retention as the API shows it. */
export interface RetentionState {
  readonly enabled: boolean;
  /** Per status, as a span like `7d`. */
  readonly policy: Readonly<Partial<Record<RetainedStatus, string>>>;
  readonly interval?: string;
  readonly maxPurgesPerSweep?: number;
  readonly lastSweep?: SweepResult;
  /** Everything purged since this process started. */
  readonly purgedSinceStart: number;
}

/** What the HTTP API needs of retention: its state, and a sweep on demand. */
export interface RetentionControl {
  state(): RetentionState;
  /** Runs a sweep now (after the one in progress, if any). */
  sweep(): Promise<SweepResult>;
}

const pageSize = 100;

/**
 * Purges finished instances older than the policy says, over the StateStore port: each candidate
 * is read again and deleted only if its document is unchanged, so an instance restarted or
 * rewound meanwhile is kept. One delete at a time and at most `maxPurgesPerSweep` per sweep.
 * Age counts from when the instance finished (`completedAt`, else its last update).
 */
export class RetentionSweeper implements RetentionControl {
  private last: SweepResult | undefined;
  private running: Promise<SweepResult> | undefined;
  private purgedTotal = 0;
  private readonly counter = metrics.getMeter(instrumentationScope).createCounter(Metric.RetentionPurged, {
    description: 'Finished instances purged by retention, by status',
  });

  constructor(
    private readonly store: StateStore,
    private readonly clock: Clock,
    readonly settings: RetentionSettings,
  ) {}

  state(): RetentionState {
    const policy: Partial<Record<RetainedStatus, string>> = {};
    for (const status of retainedStatuses) {
      const ms = this.settings.policy[status];
      if (ms !== undefined) policy[status] = formatSpan(ms);
    }
    return {
      enabled: true,
      policy,
      interval: formatSpan(this.settings.intervalMs),
      maxPurgesPerSweep: this.settings.maxPurgesPerSweep,
      ...(this.last !== undefined ? { lastSweep: this.last } : {}),
      purgedSinceStart: this.purgedTotal,
    };
  }

  /** Sweeps never overlap: a call during one waits for it and runs another. */
  async sweep(): Promise<SweepResult> {
    const previous = this.running;
    const next = (async () => {
      await previous?.catch(() => undefined);
      return this.sweepOnce();
    })();
    this.running = next;
    try {
      return await next;
    } finally {
      if (this.running === next) this.running = undefined;
    }
  }

  private async sweepOnce(): Promise<SweepResult> {
    const startedAt = this.clock.now();
    const purged: Partial<Record<RetainedStatus, number>> = {};
    let budget = this.settings.maxPurgesPerSweep;
    let limited = false;
    for (const status of retainedStatuses) {
      const retention = this.settings.policy[status];
      if (retention === undefined) continue;
      const cutoff = startedAt - retention;
      let token: string | undefined;
      do {
        if (budget === 0) {
          limited = true;
          break;
        }
        const page = await this.store.listInstances({
          kind: 'orchestration',
          statuses: [status],
          updatedTo: cutoff,
          pageSize: Math.min(pageSize, budget),
          ...(token !== undefined ? { continuationToken: token } : {}),
        });
        for (const candidate of page.records) {
          if (budget === 0) {
            limited = true;
            break;
          }
          if (await this.purgeIfDue(candidate.instanceId, status, cutoff)) {
            purged[status] = (purged[status] ?? 0) + 1;
            budget -= 1;
            this.counter.add(1, { [MetricAttr.Status]: status });
          }
        }
        token = page.continuationToken;
      } while (token !== undefined && !limited);
      if (limited) break;
    }
    const total = Object.values(purged).reduce((sum, n) => sum + n, 0);
    this.purgedTotal += total;
    this.last = {
      startedAt: new Date(startedAt).toISOString(),
      finishedAt: new Date(this.clock.now()).toISOString(),
      purged,
      total,
      limited,
    };
    return this.last;
  }

  private async purgeIfDue(instanceId: string, status: RetainedStatus, cutoff: number): Promise<boolean> {
    const stored = await this.store.getInstance(instanceId);
    if (stored === undefined) return false;
    const { record } = stored;
    if (record.status !== status || (record.completedAt ?? record.updatedAt) > cutoff) return false;
    return this.store.deleteInstance(instanceId, stored.etag);
  }
}

/** Retention when none is configured: the API says so, and refuses a sweep with the reason. */
export const retentionOff: RetentionControl = {
  state: () => ({ enabled: false, policy: {}, purgedSinceStart: 0 }),
  sweep: () =>
    Promise.reject(
      new InvalidArgumentError(
        'retention is off on this server: set DURABLE_RETENTION (or DURABLE_RETENTION_<STATUS>) to enable it',
      ),
    ),
};
