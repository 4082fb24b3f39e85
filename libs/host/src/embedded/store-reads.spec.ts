import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defineOrchestration, OrchestrationExecutor, Registry, silentLogger } from '@durable/engine';
import { Stream } from '@durable/log';
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
  let log: SqliteLog;
  let clientReads: string[];
  let workerReads: string[];

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'durable-reads-'));
    database = new SqliteDatabase(join(dir, 'durable.db'));
    const registry = new Registry()
      .add(defineOrchestration('Hello', async () => 'hi'))
      .add(defineOrchestration('Wait', async (ctx) => ctx.waitForExternalEvent<string>('go')));
    // One partition: every message is read in the order the test appends it.
    log = new SqliteLog(database, { partitions: 1 });
    const sqlite = new SqliteStateStore(database);
    const forClient = countingReads(sqlite);
    const forWorker = countingReads(sqlite);
    clientReads = forClient.reads;
    workerReads = forWorker.reads;
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
      store: forWorker.store,
      executor: new OrchestrationExecutor(registry),
      clock: systemClock,
      idSource: randomIds,
      logger: silentLogger,
      group: 'orchestration-workers',
      onFinished: (instanceId) => client.notifyFinished(instanceId),
    });
  });

  const completed = async (instanceId: string) => {
    const status = await client.waitForCompletion(instanceId, { timeoutMs: 30_000 });
    expect(status?.runtimeStatus).toBe('Completed');
    return status;
  };

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

  it('runs a new instance without reading its document: the start message describes it', async () => {
    await worker.start();
    const started = await Promise.all(Array.from({ length: 5 }, () => client.start('Hello')));
    for (const { instanceId } of started) await completed(instanceId);
    expect(workerReads).toEqual([]);
  });

  it('reads the document of a start that was in the log before the worker started', async () => {
    // An earlier owner may have applied such a message already: its document is read, not assumed.
    const { instanceId } = await client.start('Hello');
    await worker.start();
    await completed(instanceId);
    expect(workerReads).toEqual([instanceId]);
  });

  it('applies a start delivered twice once, though the second copy names a document long replaced', async () => {
    await worker.start();
    const { instanceId } = await client.start('Hello');
    const first = await completed(instanceId);
    const [start] = await log.read(Stream.Orchestrations, 0, 0, { maxRecords: 1, waitMs: 0 });
    if (start === undefined) throw new Error('the start message is not in the log');
    expect(JSON.parse(start.value)).toMatchObject({ instanceId, created: expect.any(String) });
    await log.append([{ stream: Stream.Orchestrations, partition: 0, key: instanceId, value: start.value }]);
    // Read after the copy, on the same partition: once it completes, the copy was handled.
    await completed((await client.start('Hello')).instanceId);
    const after = await client.getStatus(instanceId, { includeHistory: true });
    expect(after?.runtimeStatus).toBe('Completed');
    expect(after?.lastUpdatedAt).toBe(first?.lastUpdatedAt);
    expect(after?.history?.filter((e) => e.type === 'ExecutionStarted')).toHaveLength(1);
    // The copy's document was read, not assumed, once its commit had failed.
    expect(workerReads).toContain(instanceId);
  });
});
