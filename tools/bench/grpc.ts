// HelloSequence5 run by the official Durable Task SDK workers over the gRPC protocol, beside the
// in-process TypeScript SDK, in the same run. The SDK workers run as processes of their own, as users
// run them: the JS SDK (`sdk-worker.ts`) and, when its virtual environment is there, the Python SDK
// (`python_sdk_worker.py`). Embedded: the product in this process, the in-process figure driven by
// the instance client. Distributed (`--quick`/full, not tiny): the cluster's apps as processes; every
// figure there is driven by the JS SDK's gRPC client through the frontend, so only the worker
// differs. In-process and SDK runs alternate, round by round, so that load from outside the run
// weighs on both alike. Part of `npm run bench` (`--only grpc`).
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NoOpLogger, TaskHubGrpcClient } from '@microsoft/durabletask-js';
import { Registry } from '@durable/engine';
import { EmbeddedPlatform, GrpcFrontend, WorkItemHub } from '@durable/host';
import { helloSequence5, sayHello } from '@durable/samples';
import { freePort } from '../net';
import { DistributedCluster } from '../servers';
import { benchAppPath } from './bench-app';
import { closedLoop, type ClosedLoopOptions } from './closed-loop';
import type { Progress } from './progress';
import { metered, resourcesMarkdown, type MeteredProcess } from './resources';
import type { ClosedLoopRun } from './workloads';

export interface GrpcBenchSizes extends ClosedLoopOptions {
  /** Rounds of in-process then SDK, alternately; each figure combines its rounds. */
  readonly rounds: number;
  /** Run the distributed mode too (Kafka, Cosmos DB and the apps as processes). */
  readonly distributed: boolean;
}

export const grpcBenchSizes = {
  full: { warmupSeconds: 2, seconds: 8, concurrency: 50, rounds: 3, distributed: true },
  quick: { warmupSeconds: 1, seconds: 4, concurrency: 50, rounds: 2, distributed: true },
  tiny: { warmupSeconds: 0.5, seconds: 1, concurrency: 2, rounds: 1, distributed: false },
} satisfies Record<string, GrpcBenchSizes>;

export interface GrpcModeResult {
  readonly inProcess: ClosedLoopRun;
  readonly jsSdk: ClosedLoopRun;
  /** Absent when the Python SDK's virtual environment is not installed. */
  readonly pythonSdk?: ClosedLoopRun;
}

export interface GrpcBenchResult {
  /** Alternating rounds behind each figure. */
  readonly rounds: number;
  readonly embedded: GrpcModeResult;
  readonly distributed?: GrpcModeResult;
}

const root = join(__dirname, '..', '..');
/** Where the Python SDK test installs `durabletask` (libs/host/src/grpc/python-sdk.spec.ts). */
const python = join(root, '.cache', 'python-sdk', 'venv', 'bin', 'python');

/** An SDK worker process; resolves once it printed `ready`. */
async function startSdkWorker(command: string, args: readonly string[]): Promise<ChildProcess> {
  const child = spawn(command, args, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`SDK worker not ready in 60 s:\n${output}`)), 60_000);
    const onData = (chunk: Buffer): void => {
      output += chunk.toString();
      if (output.includes('ready')) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`SDK worker exited (${String(code)}):\n${output}`));
    });
  });
  child.removeAllListeners('exit');
  return child;
}

function stopSdkWorker(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

const nodeArgs = (): string[] => [
  '--max-semi-space-size=32',
  // DURABLE_NODE_ARGS adds flags such as --cpu-prof, as for the apps (tools/servers/app-process.ts).
  ...(process.env['DURABLE_NODE_ARGS'] ?? '').split(' ').filter((a) => a !== ''),
];

const jsSdkWorker = (address: string) =>
  startSdkWorker(process.execPath, [
    ...nodeArgs(),
    '-r',
    '@swc-node/register',
    join(__dirname, 'sdk-worker.ts'),
    address,
  ]);

const pythonSdkWorker = (address: string) =>
  startSdkWorker(python, [join(__dirname, 'python_sdk_worker.py'), address]);

/** Starts `name` through the SDK client and waits for it; closed loop. */
function sdkDriven(client: TaskHubGrpcClient, name: string): () => Promise<void> {
  return async () => {
    const id = await client.scheduleNewOrchestration(name);
    const state = await client.waitForOrchestrationCompletion(id, true, 60);
    if (state?.serializedOutput === undefined) throw new Error(`${name} ${id} did not complete`);
  };
}

async function until(check: () => boolean): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (!check() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
}

/** Runs `run` with the SDK worker process started by `start`, metering it beside `processes`. */
async function withWorker<T>(
  start: () => Promise<ChildProcess>,
  label: string,
  processes: readonly MeteredProcess[],
  run: (processes: readonly MeteredProcess[]) => Promise<T>,
  connected: () => boolean = () => true,
): Promise<T> {
  const worker = await start();
  try {
    // The SDKs open their work-item stream in the background: measure once it is open.
    await until(connected);
    return await run([...processes, ...(worker.pid === undefined ? [] : [{ label, pid: worker.pid }])]);
  } finally {
    await stopSdkWorker(worker);
  }
}

/** Several closed-loop runs of one workload as one: throughput and percentiles are their medians. */
function combined(runs: readonly ClosedLoopRun[]): ClosedLoopRun {
  const median = (values: number[]): number => {
    const sorted = [...values].sort((a, b) => a - b);
    const mid = Math.floor(sorted.length / 2);
    return sorted.length % 2 === 1
      ? (sorted[mid] as number)
      : Math.round((((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2) * 100) / 100;
  };
  const first = runs[0] as ClosedLoopRun;
  const labels = [...new Set(runs.flatMap((r) => r.resources.map((u) => u.label)))];
  return {
    completedPerSec: median(runs.map((r) => r.completedPerSec)),
    completed: runs.reduce((sum, r) => sum + r.completed, 0),
    p50Ms: median(runs.map((r) => r.p50Ms)),
    p95Ms: median(runs.map((r) => r.p95Ms)),
    p99Ms: median(runs.map((r) => r.p99Ms)),
    concurrency: first.concurrency,
    cpuMicrosPerOp: median(runs.map((r) => r.cpuMicrosPerOp)),
    resources: labels.map((label) => {
      const usage = runs.flatMap((r) => r.resources.filter((u) => u.label === label));
      return {
        label,
        cpuMs: usage.reduce((sum, u) => sum + u.cpuMs, 0),
        cpuPercent: Math.round(usage.reduce((sum, u) => sum + u.cpuPercent, 0) / usage.length),
        peakRssMb: Math.max(...usage.map((u) => u.peakRssMb)),
      };
    }),
  };
}

/**
 * Rounds of `a` then `b`, alternately, so that load from outside the run (this machine is shared)
 * weighs on both alike; returns each one's rounds combined.
 */
async function alternately(
  rounds: number,
  a: () => Promise<ClosedLoopRun>,
  b: () => Promise<ClosedLoopRun>,
): Promise<[ClosedLoopRun[], ClosedLoopRun]> {
  const as: ClosedLoopRun[] = [];
  const bs: ClosedLoopRun[] = [];
  for (let round = 0; round < rounds; round++) {
    as.push(await a());
    bs.push(await b());
  }
  return [as, combined(bs)];
}

async function meteredLoop(
  processes: readonly MeteredProcess[],
  runOne: () => Promise<void>,
  options: ClosedLoopOptions,
  label: string,
  progress?: Progress,
): Promise<ClosedLoopRun> {
  const { result, resources } = await metered(processes, () => closedLoop(runOne, options, label, progress));
  return { ...result, resources };
}

async function runEmbedded(sizes: GrpcBenchSizes, progress?: Progress): Promise<GrpcModeResult> {
  const dataDir = mkdtempSync(join(tmpdir(), 'durable-bench-grpc-'));
  const hub = new WorkItemHub();
  const platform = await EmbeddedPlatform.start({
    dataDir,
    registry: new Registry().add(sayHello, helloSequence5),
    remote: hub,
  });
  const grpc = await GrpcFrontend.start({ client: platform.client, hub, host: '127.0.0.1', port: 0 });
  const address = `127.0.0.1:${grpc.port}`;
  const client = new TaskHubGrpcClient({ hostAddress: address, logger: new NoOpLogger() });
  const self: MeteredProcess[] = [{ label: 'bench (embedded product, driver)', pid: 'self' }];
  try {
    const inProcessRound = (): Promise<ClosedLoopRun> =>
      meteredLoop(
        self,
        async () => {
          const { instanceId } = await platform.client.start('HelloSequence5');
          const status = await platform.client.waitForCompletion(instanceId, { timeoutMs: 60_000 });
          if (status?.runtimeStatus !== 'Completed')
            throw new Error(`${instanceId}: ${status?.runtimeStatus}`);
        },
        sizes,
        'grpc embedded: in-process SDK',
        progress,
      );
    // Against the in-process SDK, round by round: first the JS SDK worker, then the Python one.
    const sdkRounds = (
      start: () => Promise<ChildProcess>,
      label: string,
      name: string,
    ): Promise<[ClosedLoopRun[], ClosedLoopRun]> =>
      withWorker(
        start,
        label,
        self,
        (processes) =>
          alternately(sizes.rounds, inProcessRound, () =>
            meteredLoop(processes, sdkDriven(client, name), sizes, `grpc embedded: ${label}`, progress),
          ),
        () => hub.connectedWorkers > 0,
      );
    const [inProcessWithJs, jsSdk] = await sdkRounds(
      () => jsSdkWorker(address),
      'JS SDK worker',
      'SdkHelloSequence5',
    );
    await until(() => hub.connectedWorkers === 0);
    const [inProcessWithPython, pythonSdk] = existsSync(python)
      ? await sdkRounds(() => pythonSdkWorker(address), 'Python SDK worker', 'PyHelloSequence5')
      : [[], undefined];
    const inProcess = combined([...inProcessWithJs, ...inProcessWithPython]);
    return { inProcess, jsSdk, ...(pythonSdk !== undefined ? { pythonSdk } : {}) };
  } finally {
    await client.stop();
    await grpc.stop();
    await platform.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

async function runDistributed(given: GrpcBenchSizes, progress?: Progress): Promise<GrpcModeResult> {
  // Every step crosses Kafka and Cosmos DB: a longer window, so that the slower runs complete in it.
  const sizes = {
    ...given,
    warmupSeconds: Math.max(given.warmupSeconds, 5),
    seconds: Math.max(given.seconds, 10),
  };
  progress?.update('grpc distributed: starting Kafka, Cosmos DB and the apps…');
  const grpcPort = await freePort();
  const address = `127.0.0.1:${grpcPort}`;
  const cluster = await DistributedCluster.start({
    orchestrationWorkers: 1,
    activityWorkers: 1,
    partitions: 8,
    app: benchAppPath,
    env: { DURABLE_LOG_LEVEL: 'error', GRPC_PORT: String(grpcPort), DURABLE_GRPC_FRONTEND: address },
  });
  const client = new TaskHubGrpcClient({ hostAddress: address, logger: new NoOpLogger() });
  const apps = [cluster.frontend, ...cluster.orchestrationWorkers, ...cluster.activityWorkers];
  const processes: MeteredProcess[] = [
    { label: 'bench (driver, Cosmos DB server)', pid: 'self' },
    ...(cluster.broker.pid === undefined ? [] : [{ label: 'Kafka broker (JVM)', pid: cluster.broker.pid }]),
    ...apps.flatMap((app) => (app.pid === undefined ? [] : [{ label: app.label, pid: app.pid }])),
  ];
  try {
    const [inProcessRounds, jsSdk] = await withWorker(
      () => jsSdkWorker(address),
      'JS SDK worker',
      processes,
      (metering) =>
        alternately(
          sizes.rounds,
          () =>
            meteredLoop(
              processes,
              sdkDriven(client, 'HelloSequence5'),
              sizes,
              'grpc distributed: in-process SDK',
              progress,
            ),
          () =>
            meteredLoop(
              metering,
              sdkDriven(client, 'SdkHelloSequence5'),
              sizes,
              'grpc distributed: JS SDK worker',
              progress,
            ),
        ),
    );
    const inProcess = combined(inProcessRounds);
    return { inProcess, jsSdk };
  } finally {
    await client.stop();
    await cluster.stop();
  }
}

export async function runGrpcBench(sizes: GrpcBenchSizes, progress?: Progress): Promise<GrpcBenchResult> {
  const embedded = await runEmbedded(sizes, progress);
  const distributed = sizes.distributed ? await runDistributed(sizes, progress) : undefined;
  progress?.done('grpc: done');
  return { rounds: sizes.rounds, embedded, ...(distributed !== undefined ? { distributed } : {}) };
}

/** The SDK's throughput as a share of the in-process SDK's, in percent. */
export function grpcRatioPercent(mode: GrpcModeResult, sdk: ClosedLoopRun = mode.jsSdk): number {
  return mode.inProcess.completedPerSec === 0
    ? 0
    : Math.round((100 * sdk.completedPerSec) / mode.inProcess.completedPerSec);
}

function modeMarkdown(title: string, rounds: number, mode: GrpcModeResult, inProcessLabel: string): string {
  const row = (label: string, r: ClosedLoopRun, ratio: string) =>
    `| ${label}, ${r.concurrency} in flight | ${r.completedPerSec} | ${ratio} | ${r.p50Ms} | ${r.p95Ms} | ${r.p99Ms} |`;
  const runs: Array<[string, ClosedLoopRun]> = [
    [inProcessLabel, mode.inProcess],
    ['@microsoft/durabletask-js 0.4.0 worker (own process)', mode.jsSdk],
    ...(mode.pythonSdk !== undefined
      ? [['Python durabletask 1.12.0 worker (own process)', mode.pythonSdk] as [string, ClosedLoopRun]]
      : []),
  ];
  return [
    `### ${title}`,
    '',
    `Medians of ${rounds} rounds, in-process and SDK runs alternating; CPU summed over the rounds.`,
    '',
    '| worker | orchestrations/s | of in-process | p50 ms | p95 ms | p99 ms |',
    '| --- | ---: | ---: | ---: | ---: | ---: |',
    ...runs.map(([label, r], i) => row(label, r, i === 0 ? '100%' : `${grpcRatioPercent(mode, r)}%`)),
    '',
    ...runs.flatMap(([label, r]) => [resourcesMarkdown(`CPU and memory, ${label}`, r.resources), '']),
  ].join('\n');
}

export function grpcMarkdown(result: GrpcBenchResult): string {
  return [
    modeMarkdown(
      'HelloSequence5 over the Durable Task gRPC protocol (embedded)',
      result.rounds,
      result.embedded,
      'in-process TypeScript SDK (instance client)',
    ),
    ...(result.distributed !== undefined
      ? [
          modeMarkdown(
            'HelloSequence5 over the Durable Task gRPC protocol (distributed; every run driven by the JS SDK client)',
            result.rounds,
            result.distributed,
            'in-process TypeScript SDK in the worker apps',
          ),
        ]
      : []),
  ].join('\n');
}
