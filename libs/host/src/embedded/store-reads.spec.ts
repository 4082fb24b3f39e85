import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defineOrchestration, OrchestrationExecutor, Registry, silentLogger } from '@durable/engine';
import { SqliteLog } from '@durable/log-sqlite';
import { InstanceClient, OrchestrationWorker } from '@durable/runtime';
import { SqliteDatabase } from '@durable/sqlite';
import type { StateStore } from '@durable/storage';
import { SqliteStateStore } from '@durable/storage-sqlite';
import { randomIds, systemClock } from './system-ports';

/** The store as one component sees it, counting the instance documents it reads. */
function countingReads(store: SqliteStateStore): { store: StateStore; reads: string[] } {
  const reads: string[] = [];
  const counted = Object.assign(Object.create(store) as SqliteStateStore, {
    getInstance: (instanceId: string) => {
      reads.push(instanceId);
      return store.getInstance(instanceId);
    },
  });
  return { store: counted, reads };
}

// Each read of an instance document costs a store request (and Cosmos DB request units): a start and
// a wait for it read only what they cannot know.
describe('instance document reads', () => {
  let dir: string;
  let database: SqliteDatabase;
  let client: InstanceClient;
  let worker: OrchestrationWorker;
  let clientReads: string[];

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'durable-reads-'));
    database = new SqliteDatabase(join(dir, 'durable.db'));
    const registry = new Registry()
      .add(defineOrchestration('Hello', async () => 'hi'))
      .add(defineOrchestration('Wait', async (ctx) => ctx.waitForExternalEvent<string>('go')));
    // One partition: every message is read in the order the test appends it.
    const log = new SqliteLog(database, { partitions: 1 });
    const sqlite = new SqliteStateStore(database);
    const forClient = countingReads(sqlite);

    clientReads = forClient.reads;
    client = new InstanceClient({
      log,
      store: forClient.store,
      clock: systemClock,
      idSource: randomIds,
      orchestrationNames: () => registry.orchestratorNames,
      finishNotifications: true,
    });
    worker = new OrchestrationWorker({
      log,
      store: sqlite,
      executor: new OrchestrationExecutor(registry),
      clock: systemClock,
      idSource: randomIds,
      logger: silentLogger,
      group: 'orchestration-workers',
      onFinished: (instanceId) => client.notifyFinished(instanceId),
    });
  });

  afterEach(async () => {
    await worker.stop();
    database.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('reads the status once when waiting for an instance it started: after the finish notice', async () => {
    await worker.start();
    const started = await Promise.all(Array.from({ length: 5 }, () => client.start('Hello')));
    for (const { instanceId } of started) {
      const status = await client.waitForCompletion(instanceId, { timeoutMs: 30_000 });
      expect(status?.runtimeStatus).toBe('Completed');
      expect(status?.output).toBe('"hi"');
    }
    expect([...clientReads].sort()).toEqual(started.map((s) => s.instanceId).sort());
  });

  it('reads the status at once when the instance finished before the wait began', async () => {
    await worker.start();
    const { instanceId } = await client.start('Wait');
    await client.raiseEvent(instanceId, 'go', '"now"');
    // Another caller's wait sees the finish; this client was told of it meanwhile.
    const other = new InstanceClient({
      log: new SqliteLog(database, { partitions: 1 }),
      store: new SqliteStateStore(database),
      clock: systemClock,
      idSource: randomIds,
      orchestrationNames: () => ['Wait'],
    });
    expect((await other.waitForCompletion(instanceId, { timeoutMs: 30_000 }))?.runtimeStatus).toBe(
      'Completed',
    );
    clientReads.length = 0;
    const status = await client.waitForCompletion(instanceId, { timeoutMs: 30_000 });
    expect(status?.output).toBe('"now"');
    expect(clientReads).toEqual([instanceId]);
  });
});
