// CPU time (user + system) and peak RSS of every process a workload involves, over the workload's
// run: the benchmark process itself (process.cpuUsage / memoryUsage) and child processes (the
// Kafka broker, the worker apps, the Restate server and its service, PostgreSQL and the DBOS app)
// through /proc/<pid>.
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';

export interface MeteredProcess {
  readonly label: string;
  /** 'self' for the benchmark process. */
  readonly pid: number | 'self';
  /**
   * Count its descendants too (PostgreSQL's postmaster and its backends): CPU of the whole tree,
   * exited children included, and memory as the sum of their proportional set sizes (PSS), so pages
   * the processes share count once.
   */
  readonly tree?: boolean;
}

export interface ProcessUsage {
  readonly label: string;
  /** User + system CPU time spent during the run. */
  readonly cpuMs: number;
  /** cpuMs over the run's wall time: 100 is one core busy all along. */
  readonly cpuPercent: number;
  /** The largest resident set seen during the run (sampled every 200 ms). */
  readonly peakRssMb: number;
}

let clockTicks: number | undefined;

function ticksPerSecond(): number {
  if (clockTicks === undefined) {
    const out = spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' });
    const parsed = Number(out.stdout?.trim());
    clockTicks = Number.isFinite(parsed) && parsed > 0 ? parsed : 100;
  }
  return clockTicks;
}

/** The fields of /proc/<pid>/stat after the command name, or undefined when the process is gone. */
function statFields(pid: number): string[] | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name is in parentheses and may hold spaces: fields count from after it.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  } catch {
    return undefined;
  }
}

/** The live descendants of a process (children, grandchildren, …). */
function descendantsOf(pid: number): number[] {
  const children = new Map<number, number[]>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const ppid = Number(statFields(Number(entry))?.[1]);
    if (!Number.isFinite(ppid)) continue;
    children.set(ppid, [...(children.get(ppid) ?? []), Number(entry)]);
  }
  const out: number[] = [];
  const queue = [...(children.get(pid) ?? [])];
  while (queue.length > 0) {
    const next = queue.shift() as number;
    out.push(next);
    queue.push(...(children.get(next) ?? []));
  }
  return out;
}

/** CPU milliseconds a process (or its tree) has used so far, or undefined when it is gone. */
function cpuMsOf(pid: number | 'self', tree = false): number | undefined {
  if (pid === 'self') {
    const { user, system } = process.cpuUsage();
    return (user + system) / 1000;
  }
  const ticks = (p: number, withChildren: boolean): number | undefined => {
    const fields = statFields(p);
    if (fields === undefined) return undefined;
    // utime, stime, then (reaped children) cutime, cstime.
    const own = Number(fields[11]) + Number(fields[12]);
    return withChildren ? own + Number(fields[13]) + Number(fields[14]) : own;
  };
  const root = ticks(pid, tree);
  if (root === undefined) return undefined;
  const total = tree ? descendantsOf(pid).reduce((sum, p) => sum + (ticks(p, true) ?? 0), root) : root;
  return (total * 1000) / ticksPerSecond();
}

/** Resident set size in bytes (PSS summed over the tree), or undefined when the process is gone. */
function rssOf(pid: number | 'self', tree = false): number | undefined {
  if (pid === 'self') return process.memoryUsage.rss();
  const kb = (file: string, field: string): number | undefined => {
    try {
      const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(file, 'utf8'));
      return match === null ? undefined : Number(match[1]) * 1024;
    } catch {
      return undefined;
    }
  };
  if (!tree) return kb(`/proc/${pid}/status`, 'VmRSS');
  const root = kb(`/proc/${pid}/smaps_rollup`, 'Pss');
  if (root === undefined) return undefined;
  return descendantsOf(pid).reduce((sum, p) => sum + (kb(`/proc/${p}/smaps_rollup`, 'Pss') ?? 0), root);
}

/** Meters a set of processes from construction until `stop()`. */
export class ResourceMeter {
  private readonly startCpu: (number | undefined)[];
  private readonly peakRss: number[];
  private readonly startedAt = performance.now();
  private readonly sampler: NodeJS.Timeout;

  constructor(private readonly processes: readonly MeteredProcess[]) {
    this.startCpu = processes.map((p) => cpuMsOf(p.pid, p.tree));
    this.peakRss = processes.map(() => 0);
    this.sample();
    this.sampler = setInterval(() => this.sample(), 200);
    this.sampler.unref();
  }

  stop(): ProcessUsage[] {
    clearInterval(this.sampler);
    this.sample();
    const wallMs = Math.max(performance.now() - this.startedAt, 1);
    return this.processes.map((p, i) => {
      const before = this.startCpu[i];
      const after = cpuMsOf(p.pid, p.tree);
      const cpuMs = before === undefined || after === undefined ? 0 : Math.max(0, after - before);
      return {
        label: p.label,
        cpuMs: Math.round(cpuMs),
        cpuPercent: Math.round((cpuMs / wallMs) * 100),
        peakRssMb: Math.round((this.peakRss[i] ?? 0) / 1024 / 1024),
      };
    });
  }

  private sample(): void {
    this.processes.forEach((p, i) => {
      const rss = rssOf(p.pid, p.tree);
      if (rss !== undefined && rss > (this.peakRss[i] ?? 0)) this.peakRss[i] = rss;
    });
  }
}

/** Runs `fn` while metering `processes`. */
export async function metered<T>(
  processes: readonly MeteredProcess[],
  fn: () => Promise<T>,
): Promise<{ result: T; resources: ProcessUsage[] }> {
  const meter = new ResourceMeter(processes);
  try {
    const result = await fn();
    return { result, resources: meter.stop() };
  } catch (error) {
    meter.stop();
    throw error;
  }
}

/** A markdown table of the processes' usage. */
export function resourcesMarkdown(title: string, usage: readonly ProcessUsage[]): string {
  return [
    `${title}:`,
    '',
    '| process | CPU s | CPU % (100 = one core) | peak RSS MB |',
    '| --- | ---: | ---: | ---: |',
    ...usage.map((u) => `| ${u.label} | ${(u.cpuMs / 1000).toFixed(2)} | ${u.cpuPercent} | ${u.peakRssMb} |`),
  ].join('\n');
}

/**
 * A closed loop's resources over its measured window alone: warm-up (JIT compilation, connection
 * set-up, a fresh broker's first minute) and the drain after the window are left out, so that CPU
 * per completion is what a steady stream of instances costs.
 */
export async function meteredWindow<T>(
  processes: readonly MeteredProcess[],
  fn: (window: { opened(): void; closed(): void }) => Promise<T>,
): Promise<{ result: T; resources: ProcessUsage[] }> {
  let meter: ResourceMeter | undefined;
  let resources: ProcessUsage[] | undefined;
  const window = {
    opened: () => {
      meter = new ResourceMeter(processes);
    },
    closed: () => {
      resources = meter?.stop();
    },
  };
  try {
    const result = await fn(window);
    return { result, resources: resources ?? meter?.stop() ?? [] };
  } finally {
    if (resources === undefined) meter?.stop();
  }
}
