import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { OrchestrationExecutor, defineOrchestration, Registry, silentLogger } from '@durable/engine';
import { Stream, type PartitionedLog } from '@durable/log';
import { SqliteLog } from '@durable/log-sqlite';
import { InstanceClient, OrchestrationWorker } from '@durable/runtime';
import { SqliteDatabase } from '@durable/sqlite';
import { SqliteStateStore } from '@durable/storage-sqlite';
import { randomIds, systemClock } from './system-ports';

describe('batch linger', () => {
  let dir: string;
  let database: SqliteDatabase;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'durable-linger-'));
    database = new SqliteDatabase(join(dir, 'durable.db'));
  });

  afterEach(() => {
    database.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('gathers the messages that arrive while a partition lingers into one batch', async () => {
    const registry = new Registry().add(defineOrchestration('Hello', async () => 'hi'));
    const sqlite = new SqliteLog(database, { partitions: 1 });
    const batches: number[] = [];
    // The log as the worker sees it, noting the size of every orchestrations batch it reads.
    const log: PartitionedLog = Object.assign(Object.create(sqlite) as SqliteLog, {
      read: async (...args: Parameters<SqliteLog['read']>) => {
        const records = await sqlite.read(...args);
        if (args[0] === Stream.Orchestrations && records.length > 0) batches.push(records.length);
        return records;
      },
    });
    const store = new SqliteStateStore(database);
    const client = new InstanceClient({
      log: sqlite,
      store,
      clock: systemClock,
      idSource: randomIds,
      orchestrationNames: () => registry.orchestratorNames,
    });
    const worker = new OrchestrationWorker({
      log,
      store,
      executor: new OrchestrationExecutor(registry),
      clock: systemClock,
      idSource: randomIds,
      logger: silentLogger,
      group: 'orchestration-workers',
      batchLingerMs: 300,
    });
    await worker.start();
    try {
      const first = await client.start('Hello');
      await client.waitForCompletion(first.instanceId, { timeoutMs: 10_000 });
      // The first start came alone, after an idle spell: it did not wait. These come while the
      // partition lingers after it, and are read together.
      const rest = await Promise.all(Array.from({ length: 10 }, () => client.start('Hello')));
      for (const { instanceId } of rest) {
        const status = await client.waitForCompletion(instanceId, { timeoutMs: 10_000 });
        expect(status?.runtimeStatus).toBe('Completed');
      }
      expect(batches[0]).toBe(1);
      expect(batches[1]).toBe(10);
    } finally {
      await worker.stop();
    }
  });
});
