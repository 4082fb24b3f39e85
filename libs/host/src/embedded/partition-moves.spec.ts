import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  OrchestrationExecutor,
  defineActivity,
  defineOrchestration,
  Registry,
  silentLogger,
} from '@durable/engine';
import { SqliteLog } from '@durable/log-sqlite';
import { ActivityWorker, InstanceClient, OrchestrationWorker } from '@durable/runtime';
import { SqliteDatabase } from '@durable/sqlite';
import { SqliteStateStore } from '@durable/storage-sqlite';
import { randomIds, systemClock } from './system-ports';

describe('partitions moving between orchestration workers', () => {
  let dir: string;
  let database: SqliteDatabase;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'durable-moves-'));
    database = new SqliteDatabase(join(dir, 'durable.db'));
  });

  afterEach(() => {
    database.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('completes every instance exactly once while workers join and leave mid-flight', async () => {
    const runs = new Map<string, number>();
    const registry = new Registry().add(
      defineActivity('Step', async (key: string) => {
        runs.set(key, (runs.get(key) ?? 0) + 1);
        await new Promise((resolve) => setTimeout(resolve, 2));
        return key;
      }),
      defineOrchestration('Steps', async (ctx) => {
        const out: string[] = [];
        for (let i = 0; i < 6; i++) {
          out.push(await ctx.callActivity<string>('Step', `${ctx.instanceId}/${i}`));
          if (i === 2) await ctx.createTimer(20);
        }
        return out;
      }),
    );
    const log = new SqliteLog(database, { partitions: 6 });
    const store = new SqliteStateStore(database);
    const client = new InstanceClient({
      log,
      store,
      clock: systemClock,
      idSource: randomIds,
      orchestrationNames: () => registry.orchestratorNames,
    });
    const worker = () =>
      new OrchestrationWorker({
        log,
        store,
        executor: new OrchestrationExecutor(registry),
        clock: systemClock,
        idSource: randomIds,
        logger: silentLogger,
        group: 'orchestration-workers',
      });
    const activities = new ActivityWorker({
      log,
      registry,
      clock: systemClock,
      logger: silentLogger,
      group: 'activity-workers',
    });
    await activities.start();
    const a = worker();
    const b = worker();
    await a.start();
    const ids = await Promise.all(Array.from({ length: 60 }, () => client.start('Steps')));
    await new Promise((resolve) => setTimeout(resolve, 30));
    await b.start();
    expect(a.ownedPartitions.length + b.ownedPartitions.length).toBe(6);
    expect(b.ownedPartitions.length).toBeGreaterThan(0);
    await new Promise((resolve) => setTimeout(resolve, 30));
    await a.stop();
    expect(b.ownedPartitions).toHaveLength(6);

    for (const { instanceId } of ids) {
      const status = await client.waitForCompletion(instanceId, { timeoutMs: 20_000 });
      expect(status?.runtimeStatus).toBe('Completed');
      expect(JSON.parse(status?.output ?? 'null')).toEqual(
        Array.from({ length: 6 }, (_, i) => `${instanceId}/${i}`),
      );
      const history = (await client.getStatus(instanceId, { includeHistory: true }))?.history ?? [];
      expect(history.filter((e) => e.type === 'TaskCompleted')).toHaveLength(6);
      expect(history.filter((e) => e.type === 'TimerFired')).toHaveLength(1);
    }
    await b.stop();
    await activities.stop();
  });
});
