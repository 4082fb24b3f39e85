// Records golden histories: `npm run golden:record` writes one file per scenario that has none yet;
// `-- --force` re-records all of them. Existing files are history users depend on: replace them only
// when a change of replay semantics is intended (and then keep the old file under a new name).
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { formatGoldenHistory, goldenRegistry, goldenScenarios, recordGolden } from '@durable/engine/testing';

export const goldenDir = join(__dirname, '..', '..', 'libs', 'engine', 'golden');

async function main(): Promise<void> {
  const force = process.argv.includes('--force');
  mkdirSync(goldenDir, { recursive: true });
  for (const scenario of goldenScenarios) {
    const file = join(goldenDir, `${scenario.name}.json`);
    if (existsSync(file) && !force) {
      console.log(`kept     ${scenario.name}`);
      continue;
    }
    const golden = await recordGolden(scenario, goldenRegistry());
    writeFileSync(file, formatGoldenHistory(golden));
    console.log(`recorded ${scenario.name} (${Object.keys(golden.instances).length} instances)`);
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
