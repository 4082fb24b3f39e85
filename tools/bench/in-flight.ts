// The memory of an embedded worker holding many instances at once, measured in a process of its own
// (started as `npm start` starts the product), so that nothing an earlier workload left in the
// benchmark's heap counts: start `n` Approval instances, wait until all wait, read RSS, then approve
// them all and check that finished instances leave the cache.
//
//   node --max-semi-space-size=32 --expose-gc -r @swc-node/register tools/bench/in-flight.ts <n>
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EmbeddedPlatform } from '@durable/host';
import { registry as samples } from '@durable/samples';

export interface InFlightResult {
  readonly instances: number;
  readonly rssMb: number;
  readonly cachedWhileWaiting: number;
  readonly cachedAfterFinish: number;
}

/** Runs the measurement in a child process with the product's Node flags. */
export function measureInFlight(instances: number): Promise<InFlightResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ['--max-semi-space-size=32', '--expose-gc', '-r', '@swc-node/register', __filename, String(instances)],
      { cwd: join(__dirname, '..', '..'), stdio: ['ignore', 'pipe', 'inherit'] },
    );
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.on('error', reject);
    child.on('exit', (code) => {
      const last = out.trim().split('\n').pop() ?? '';
      if (code !== 0) reject(new Error(`the in-flight measurement exited with ${code}: ${out}`));
      else resolve(JSON.parse(last) as InFlightResult);
    });
  });
}

async function run(instances: number): Promise<InFlightResult> {
  const dir = mkdtempSync(join(tmpdir(), 'durable-bench-inflight-'));
  const platform = await EmbeddedPlatform.start({ dataDir: dir, registry: samples });
  try {
    const { client } = platform;
    const waiting: string[] = [];
    for (let i = 0; i < instances; i += 500) {
      const batch = await Promise.all(
        Array.from({ length: Math.min(500, instances - i) }, () =>
          client.start('Approval', { input: '{"timeoutSeconds":3600}' }),
        ),
      );
      waiting.push(...batch.map((b) => b.instanceId));
    }
    const last = waiting[waiting.length - 1] as string;
    while ((await client.getStatus(last))?.runtimeStatus !== 'Running') await sleep(50);
    await sleep(500);
    global.gc?.();
    const rss = process.memoryUsage().rss;
    const cachedWhileWaiting = platform.cachedInstances;
    for (let i = 0; i < waiting.length; i += 500)
      await Promise.all(waiting.slice(i, i + 500).map((id) => client.raiseEvent(id, 'Approval', 'true')));
    for (const id of waiting) await client.waitForCompletion(id, { timeoutMs: 120_000 });
    return {
      instances: waiting.length,
      rssMb: Math.round(rss / 1024 / 1024),
      cachedWhileWaiting,
      cachedAfterFinish: platform.cachedInstances,
    };
  } finally {
    await platform.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

if (require.main === module) {
  run(Number(process.argv[2] ?? 10_000))
    .then((result) => console.log(JSON.stringify(result)))
    .catch((error: unknown) => {
      console.error(error);
      process.exit(1);
    });
}
