// Where the time of the official SDK path goes (Linux): SdkHelloSequence5 through the JS SDK worker in
// its own process, embedded, CONCURRENCY at a time for SECONDS, driven by the SDK's gRPC client as in
// `npm run bench -- --only grpc`. Per orchestration it splits the time into the host's share (from an
// answer to the next work item) and the worker's (from a work item to its answer), and for both
// processes it reads from the kernel how long their main thread ran and how long it was runnable but
// waited for a CPU: on a loaded machine, every hand-off between the two processes waits there. (No
// timer of its own runs meanwhile: each wake-up would add to the host's wait.)
// `node -r @swc-node/register tools/bench/grpc-probe.ts [CONCURRENCY=50] [SECONDS=5]`
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { NoOpLogger, TaskHubGrpcClient } from '@microsoft/durabletask-js';
import { Registry } from '@durable/engine';
import { EmbeddedPlatform, GrpcFrontend, WorkItemHub } from '@durable/host';

interface Step {
  readonly kind: 'orchestrator' | 'activity';
  readonly sent: number;
  readonly answered: number;
}

/** Nanoseconds a process's main thread ran on a CPU, and waited runnable for one (/proc schedstat). */
function schedstat(pid: number): { run: number; wait: number } {
  const [run, wait] = readFileSync(`/proc/${pid}/task/${pid}/schedstat`, 'utf8').split(' ').map(Number);
  return { run: run ?? 0, wait: wait ?? 0 };
}

function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
}

const line = (label: string, values: readonly number[]): string =>
  `${label}: n ${values.length}, p50 ${percentile(values, 50).toFixed(1)} ms, p95 ${percentile(values, 95).toFixed(1)} ms`;

/** Records when the hub hands out each work item and when its answer comes, by instance. */
function timeSteps(hub: WorkItemHub): Map<string, Step[]> {
  const steps = new Map<string, Step[]>();
  const timed =
    <Req, Res>(
      kind: Step['kind'],
      instanceOf: (request: Req) => string,
      run: (request: Req) => Promise<Res>,
    ) =>
    async (request: Req): Promise<Res> => {
      const sent = performance.now();
      const response = await run(request);
      const id = instanceOf(request);
      steps.set(id, [...(steps.get(id) ?? []), { kind, sent, answered: performance.now() }]);
      return response;
    };
  const runOrchestrator = hub.runOrchestrator.bind(hub);
  const orchestrator = timed(
    'orchestrator',
    (r: Parameters<typeof runOrchestrator>[1]) => r.getInstanceid(),
    (r) => runOrchestrator('SdkHelloSequence5', r),
  );
  hub.runOrchestrator = (_name, request) => orchestrator(request);
  const runActivity = hub.runActivity.bind(hub);
  const activity = timed(
    'activity',
    (r: Parameters<typeof runActivity>[0]) => r.getOrchestrationinstance()?.getInstanceid() ?? '',
    (r) => runActivity(r),
  );
  hub.runActivity = (request) => activity(request);
  return steps;
}

async function main(): Promise<void> {
  const concurrency = Number(process.argv[2] ?? '50');
  const seconds = Number(process.argv[3] ?? '5');
  const dataDir = mkdtempSync(join(tmpdir(), 'durable-grpc-probe-'));
  const hub = new WorkItemHub();
  const steps = timeSteps(hub);
  const platform = await EmbeddedPlatform.start({ dataDir, registry: new Registry(), remote: hub });
  const grpc = await GrpcFrontend.start({ client: platform.client, hub, host: '127.0.0.1', port: 0 });
  const address = `127.0.0.1:${grpc.port}`;
  const worker = spawn(
    process.execPath,
    ['-r', '@swc-node/register', join(__dirname, 'sdk-worker.ts'), address],
    {
      stdio: 'ignore',
    },
  );
  const client = new TaskHubGrpcClient({ hostAddress: address, logger: new NoOpLogger() });
  const totals: number[] = [];
  const hostShare: number[] = [];
  const workerShare: Record<Step['kind'], number[]> = { orchestrator: [], activity: [] };
  try {
    while (hub.connectedWorkers === 0) await new Promise((resolve) => setTimeout(resolve, 20));
    const workerPid = worker.pid as number;
    const before = { host: schedstat(process.pid), worker: schedstat(workerPid) };
    const began = performance.now();
    const end = began + seconds * 1000;
    const loop = async (): Promise<void> => {
      while (performance.now() < end) {
        const start = performance.now();
        const id = await client.scheduleNewOrchestration('SdkHelloSequence5');
        const scheduled = performance.now();
        await client.waitForOrchestrationCompletion(id, true, 60);
        totals.push(performance.now() - start);
        const mine = steps.get(id) ?? [];
        steps.delete(id);
        mine.forEach((step, i) => {
          hostShare.push(step.sent - (i === 0 ? scheduled : (mine[i - 1] as Step).answered));
          workerShare[step.kind].push(step.answered - step.sent);
        });
      }
    };
    await Promise.all(Array.from({ length: concurrency }, loop));
    // Orchestrations started before the end finish after it: rates are over the whole time.
    const elapsed = (performance.now() - began) / 1000;
    const share = (pid: number, from: { run: number; wait: number }): string => {
      const now = schedstat(pid);
      const percent = (ns: number): string => `${((ns / 1e9 / elapsed) * 100).toFixed(0)}%`;
      return `ran ${percent(now.run - from.run)} of the time, waited runnable for a CPU ${percent(now.wait - from.wait)}`;
    };
    console.log(
      [
        `${concurrency} in flight, ${elapsed.toFixed(1)} s: ${(totals.length / elapsed).toFixed(1)} orchestrations/s ` +
          `(load average ${loadavg()[0]?.toFixed(1)})`,
        line('orchestration', totals),
        line("host's share before each work item", hostShare),
        line('orchestrator work item, handed out to answered', workerShare.orchestrator),
        line('activity work item, handed out to answered', workerShare.activity),
        `host main thread: ${share(process.pid, before.host)}`,
        `worker main thread: ${share(workerPid, before.worker)}`,
      ].join('\n'),
    );
  } finally {
    await client.stop();
    worker.kill('SIGTERM');
    await grpc.stop();
    await platform.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
