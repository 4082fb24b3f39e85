// Entity benchmark, embedded: operations per second on one hot entity and spread over many
// entities (client signals, counted once the states add up), and BankTransfer orchestrations per
// second (two entities locked in a critical section, three entity calls each), closed loop.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { EmbeddedPlatform } from '@durable/host';
import type { InstanceService } from '@durable/runtime';
import { registry as samples } from '@durable/samples';
import { closedLoop, type ClosedLoopResult } from './closed-loop';
import type { Progress } from './progress';

export interface EntityBenchSizes {
  /** Signals sent to one counter. */
  readonly hotOperations: number;
  /** Signals spread over `entities` counters. */
  readonly spreadOperations: number;
  readonly entities: number;
  /** Signals in flight at once. */
  readonly concurrency: number;
  readonly accounts: number;
  readonly transfers: {
    readonly warmupSeconds: number;
    readonly seconds: number;
    readonly concurrency: number;
  };
}

export const entityBenchSizes = {
  full: {
    hotOperations: 20_000,
    spreadOperations: 20_000,
    entities: 1000,
    concurrency: 200,
    accounts: 200,
    transfers: { warmupSeconds: 2, seconds: 10, concurrency: 100 },
  },
  quick: {
    hotOperations: 5000,
    spreadOperations: 5000,
    entities: 500,
    concurrency: 200,
    accounts: 200,
    transfers: { warmupSeconds: 1, seconds: 5, concurrency: 100 },
  },
  tiny: {
    hotOperations: 20,
    spreadOperations: 20,
    entities: 5,
    concurrency: 4,
    accounts: 4,
    transfers: { warmupSeconds: 0, seconds: 0.5, concurrency: 2 },
  },
} satisfies Record<string, EntityBenchSizes>;

export interface EntityBenchResult {
  readonly hotEntity: { readonly operations: number; readonly operationsPerSec: number; readonly ms: number };
  readonly spread: {
    readonly operations: number;
    readonly entities: number;
    readonly operationsPerSec: number;
    readonly ms: number;
  };
  readonly bankTransfers: ClosedLoopResult & { readonly accounts: number; readonly totalKept: boolean };
}

export async function runEntityBench(
  sizes: EntityBenchSizes,
  progress?: Progress,
): Promise<EntityBenchResult> {
  const dir = mkdtempSync(join(tmpdir(), 'durable-bench-entities-'));
  const platform = await EmbeddedPlatform.start({ dataDir: dir, registry: samples });
  try {
    const client = platform.client;
    progress?.update('entities: one hot counter…');
    const hot = await signalAll(client, sizes.hotOperations, sizes.concurrency, 'hot', () => 'hot', progress);
    progress?.update('entities: counters spread out…');
    const spread = await signalAll(
      client,
      sizes.spreadOperations,
      sizes.concurrency,
      'spread-',
      (i) => `spread-${i % sizes.entities}`,
      progress,
    );

    const keys = Array.from({ length: sizes.accounts }, (_, i) => `acct-${i}`);
    for (const key of keys) await client.signalEntity({ name: 'Account', key }, 'deposit', '1000');
    await until(async () => (await sumOf(client, 'account', 'acct-')) === 1000 * keys.length);
    let n = 0;
    const bankTransfers = await closedLoop(
      async () => {
        const i = n++;
        const from = keys[i % keys.length] as string;
        const to = keys[(i * 7 + 1) % keys.length] as string;
        const { instanceId } = await client.start('BankTransfer', {
          input: JSON.stringify({ from, to, amount: 1 + (i % 5) }),
        });
        const status = await client.waitForCompletion(instanceId, { timeoutMs: 60_000 });
        if (status?.runtimeStatus !== 'Completed')
          throw new Error(`BankTransfer ended ${status?.runtimeStatus}`);
      },
      sizes.transfers,
      'entities: BankTransfer',
      progress,
    );
    const totalKept = (await sumOf(client, 'account', 'acct-')) === 1000 * keys.length;
    progress?.done('entities: done');
    return {
      hotEntity: {
        operations: sizes.hotOperations,
        ms: hot,
        operationsPerSec: perSec(sizes.hotOperations, hot),
      },
      spread: {
        operations: sizes.spreadOperations,
        entities: sizes.entities,
        ms: spread,
        operationsPerSec: perSec(sizes.spreadOperations, spread),
      },
      bankTransfers: { ...bankTransfers, accounts: sizes.accounts, totalKept },
    };
  } finally {
    await platform.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Sends `count` add-1 signals, at most `concurrency` at once; ms until every one was applied. */
async function signalAll(
  client: InstanceService,
  count: number,
  concurrency: number,
  /** The prefix every key starts with, to add the states up. */
  prefix: string,
  keyOf: (i: number) => string,
  progress?: Progress,
): Promise<number> {
  const t0 = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count) {
        const i = next++;
        await client.signalEntity({ name: 'Counter', key: keyOf(i) }, 'add', '1');
      }
    }),
  );
  await until(async () => {
    const sum = await sumOf(client, 'counter', prefix);
    progress?.update(`entities: ${sum}/${count} applied…`);
    return sum === count;
  });
  return performance.now() - t0;
}

async function sumOf(client: InstanceService, name: string, keyPrefix: string): Promise<number> {
  let sum = 0;
  let token: string | undefined;
  do {
    const page = await client.queryEntities({
      name,
      keyPrefix,
      includeState: true,
      pageSize: 1000,
      ...(token !== undefined ? { continuationToken: token } : {}),
    });
    for (const entity of page.entities) sum += Number(entity.state ?? 0);
    token = page.continuationToken;
  } while (token !== undefined);
  return sum;
}

async function until(condition: () => Promise<boolean>, timeoutMs = 120_000): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!(await condition())) {
    if (performance.now() > deadline)
      throw new Error('entity benchmark: operations were not all applied in time');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

const perSec = (operations: number, ms: number) => Math.round((operations / Math.max(ms, 1)) * 1000);

export function entityMarkdown(result: EntityBenchResult): string {
  const t = result.bankTransfers;
  return [
    '### Entities (embedded, one process, SQLite)',
    '',
    '| workload | per second | notes |',
    '| --- | ---: | --- |',
    `| signals to one hot Counter | ${result.hotEntity.operationsPerSec} | ${result.hotEntity.operations} operations applied in ${Math.round(result.hotEntity.ms)} ms |`,
    `| signals spread over ${result.spread.entities} Counters | ${result.spread.operationsPerSec} | ${result.spread.operations} operations applied in ${Math.round(result.spread.ms)} ms |`,
    `| BankTransfer orchestrations, ${t.concurrency} in flight over ${t.accounts} accounts | ${t.completedPerSec} | p50 ${t.p50Ms} ms, p99 ${t.p99Ms} ms; total balance kept: ${t.totalKept ? 'yes' : 'NO'} |`,
  ].join('\n');
}
