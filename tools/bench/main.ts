// `npm run bench [-- --quick] [-- --only engine]`: runs the benchmarks, shows progress, writes
// bench/results/<name>.json and .md, and prints a summary line last.
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { engineBenchSizes, engineMarkdown, runEngineBench } from './engine';
import { Progress } from './progress';

const workloads = ['engine'] as const;
type Workload = (typeof workloads)[number];

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const quick = args.includes('--quick');
  const onlyIndex = args.indexOf('--only');
  const only = onlyIndex >= 0 ? args[onlyIndex + 1] : undefined;
  if (only !== undefined && !workloads.includes(only as Workload)) {
    throw new Error(`unknown workload '${only}'; choose one of: ${workloads.join(', ')}`);
  }
  const outDir = join(__dirname, '..', '..', 'bench', 'results');
  mkdirSync(outDir, { recursive: true });
  const progress = new Progress();
  const machine = { node: process.version, cpus: cpus().length, quick, at: new Date().toISOString() };

  const engine = await runEngineBench({ sizes: quick ? engineBenchSizes.quick : engineBenchSizes.full, progress });
  writeFileSync(join(outDir, 'engine.json'), `${JSON.stringify({ machine, engine }, null, 2)}\n`);
  const markdown = engineMarkdown(engine);
  writeFileSync(join(outDir, 'engine.md'), `${markdown}\n`);
  console.log(markdown);
  const flat = engine.perEventCost.map((c) => `${c.historyLength}:${c.sessionMicros}µs`).join(' ');
  const fan = engine.fanOutFanIn.map((f) => `${f.activities}:${f.totalMs}ms`).join(' ');
  console.log(
    `summary: engine HelloSequence5 ${engine.helloSequence5.session.instancesPerSec}/s ` +
      `(${engine.helloSequence5.session.episodesPerSec} episodes/s), per-event ${flat}, fan-out ${fan}`,
  );
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
