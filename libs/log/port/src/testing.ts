/**
 * The conformance suite every PartitionedLog adapter must pass. Call it from the adapter's spec:
 * `describePartitionedLogConformance('sqlite', () => factory)`.
 */
import { InvalidArgumentError } from '@durable/core';
import { Stream, type AppendRecord, type PartitionedLog } from './log';

export interface LogFactory {
  /** Opens the log over the same underlying storage each time (to check durability). */
  open(): Promise<PartitionedLog>;
  /** Partitions per stream the opened logs have (at least 2). */
  readonly partitions: number;
  /**
   * True when a group's members are coordinated in-process, so a joining member's partitions are
   * revoked from the others before `join` returns. Distributed logs (Kafka) converge a moment later,
   * with epochs fencing the overlap.
   */
  readonly inProcessGroups: boolean;
  cleanup(): Promise<void>;
}

const record = (partition: number, value: string, stream: Stream = Stream.Orchestrations): AppendRecord => ({
  stream,
  partition,
  key: `key-${value}`,
  value,
});

export function describePartitionedLogConformance(
  name: string,
  makeFactory: () => Promise<LogFactory>,
): void {
  describe(`PartitionedLog conformance: ${name}`, () => {
    let factory: LogFactory;
    let log: PartitionedLog;

    beforeEach(async () => {
      factory = await makeFactory();
      log = await factory.open();
    });

    afterEach(async () => {
      await log.close();
      await factory.cleanup();
    });

    it('reports its partition count', () => {
      expect(log.partitionCount(Stream.Orchestrations)).toBe(factory.partitions);
    });

    it('reads back appended records in order, per partition, with increasing offsets', async () => {
      await log.append([record(0, 'a'), record(1, 'x'), record(0, 'b')]);
      await log.append([record(0, 'c')]);
      const p0 = await log.read(Stream.Orchestrations, 0, 0, { maxRecords: 10, waitMs: 0 });
      const p1 = await log.read(Stream.Orchestrations, 1, 0, { maxRecords: 10, waitMs: 0 });
      expect(p0.map((r) => r.value)).toEqual(['a', 'b', 'c']);
      expect(p0.map((r) => r.key)).toEqual(['key-a', 'key-b', 'key-c']);
      expect(p1.map((r) => r.value)).toEqual(['x']);
      const offsets = p0.map((r) => r.offset);
      expect([...offsets].sort((a, b) => a - b)).toEqual(offsets);
      expect(new Set(offsets).size).toBe(3);
    });

    it('keeps the streams apart', async () => {
      await log.append([record(0, 'work', Stream.Activities), record(0, 'message')]);
      const activities = await log.read(Stream.Activities, 0, 0, { maxRecords: 10, waitMs: 0 });
      expect(activities.map((r) => r.value)).toEqual(['work']);
    });

    it('reads from a given offset, at most maxRecords', async () => {
      await log.append(['a', 'b', 'c', 'd'].map((v) => record(0, v)));
      const all = await log.read(Stream.Orchestrations, 0, 0, { maxRecords: 10, waitMs: 0 });
      const fromSecond = await log.read(Stream.Orchestrations, 0, all[1]!.offset, {
        maxRecords: 2,
        waitMs: 0,
      });
      expect(fromSecond.map((r) => r.value)).toEqual(['b', 'c']);
    });

    it('wakes a waiting reader when a record is appended', async () => {
      const reading = log.read(Stream.Orchestrations, 1, 0, { maxRecords: 10, waitMs: 10_000 });
      await new Promise((resolve) => setTimeout(resolve, 20));
      await log.append([record(1, 'late')]);
      expect((await reading).map((r) => r.value)).toEqual(['late']);
    });

    it('returns nothing when no record arrives within the wait', async () => {
      expect(await log.read(Stream.Orchestrations, 0, 0, { maxRecords: 10, waitMs: 30 })).toEqual([]);
    });

    it('stops waiting when the signal aborts', async () => {
      const controller = new AbortController();
      const reading = log.read(Stream.Orchestrations, 0, 0, {
        maxRecords: 10,
        waitMs: 60_000,
        signal: controller.signal,
      });
      controller.abort();
      expect(await reading).toEqual([]);
    });

    it('reports the end offset: where the next appended record goes', async () => {
      const empty = await log.endOffset(Stream.Orchestrations, 1);
      await log.append([record(1, 'a'), record(1, 'b'), record(0, 'x')]);
      const written = await log.read(Stream.Orchestrations, 1, empty, { maxRecords: 10, waitMs: 0 });
      expect(written.map((r) => r.value)).toEqual(['a', 'b']);
      expect(await log.endOffset(Stream.Orchestrations, 1)).toBe(written[1]!.offset + 1);
      await log.close();
      log = await factory.open();
      expect(await log.endOffset(Stream.Orchestrations, 1)).toBe(written[1]!.offset + 1);
      await expect(log.endOffset(Stream.Orchestrations, factory.partitions)).rejects.toBeInstanceOf(
        InvalidArgumentError,
      );
    });

    it('stores committed offsets per group and partition', async () => {
      expect(await log.committedOffset('g', Stream.Orchestrations, 0)).toBe(0);
      await log.append([record(0, 'a'), record(0, 'b')]);
      const [, second] = await log.read(Stream.Orchestrations, 0, 0, { maxRecords: 10, waitMs: 0 });
      await log.commitOffset('g', Stream.Orchestrations, 0, second!.offset);
      expect(await log.committedOffset('g', Stream.Orchestrations, 0)).toBe(second!.offset);
      expect(await log.committedOffset('other', Stream.Orchestrations, 0)).toBe(0);
      expect(await log.committedOffset('g', Stream.Orchestrations, 1)).toBe(0);
    });

    it('keeps records and committed offsets across a reopen', async () => {
      await log.append([record(0, 'a'), record(0, 'b')]);
      const [first] = await log.read(Stream.Orchestrations, 0, 0, { maxRecords: 10, waitMs: 0 });
      await log.commitOffset('g', Stream.Orchestrations, 0, first!.offset + 1);
      await log.close();
      log = await factory.open();
      const from = await log.committedOffset('g', Stream.Orchestrations, 0);
      expect(
        (await log.read(Stream.Orchestrations, 0, from, { maxRecords: 10, waitMs: 0 })).map((r) => r.value),
      ).toEqual(['b']);
      await log.append([record(0, 'c')]);
      const after = await log.read(Stream.Orchestrations, 0, from, { maxRecords: 10, waitMs: 0 });
      expect(after.map((r) => r.value)).toEqual(['b', 'c']);
      expect(after[1]!.offset).toBeGreaterThan(after[0]!.offset);
    });

    it('keeps offsets growing after every record was consumed and the log reopened', async () => {
      await log.append([record(0, 'a'), record(0, 'b')]);
      const consumed = await log.read(Stream.Orchestrations, 0, 0, { maxRecords: 10, waitMs: 0 });
      const next = consumed[1]!.offset + 1;
      await log.commitOffset('g', Stream.Orchestrations, 0, next);
      await log.close();
      log = await factory.open();
      await log.append([record(0, 'c')]);
      const after = await log.read(Stream.Orchestrations, 0, next, { maxRecords: 10, waitMs: 0 });
      expect(after.map((r) => r.value)).toEqual(['c']);
    });

    it('rejects a partition outside the range', async () => {
      await expect(log.append([record(factory.partitions, 'x')])).rejects.toBeInstanceOf(
        InvalidArgumentError,
      );
    });

    it('gives one member every partition, splits them when a second joins, and fences moved partitions with higher epochs', async () => {
      const events: string[] = [];
      const owned = { a: new Map<number, number>(), b: new Map<number, number>() };
      const listener = (name: 'a' | 'b') => ({
        assigned: (ps: ReadonlyArray<{ partition: number; epoch: number }>) => {
          for (const p of ps) owned[name].set(p.partition, p.epoch);
          events.push(`${name}+${ps.map((p) => p.partition).join(',')}`);
        },
        revoked: (ps: readonly number[]) => {
          for (const p of ps) owned[name].delete(p);
          events.push(`${name}-${ps.join(',')}`);
        },
      });
      const converged = async (): Promise<void> => {
        for (let i = 0; i < 300 && owned.a.size + owned.b.size !== factory.partitions; i++)
          await new Promise((resolve) => setTimeout(resolve, 100));
      };
      const a = await log.join('workers', Stream.Orchestrations, listener('a'));
      expect(owned.a.size).toBe(factory.partitions);
      const epochsBefore = new Map(owned.a);
      const b = await log.join('workers', Stream.Orchestrations, listener('b'));
      if (factory.inProcessGroups) {
        expect(events.findIndex((e) => e.startsWith('a-'))).toBeLessThan(
          events.findIndex((e) => e.startsWith('b+')),
        );
      }
      await converged();
      expect(owned.a.size + owned.b.size).toBe(factory.partitions);
      expect(owned.b.size).toBeGreaterThan(0);
      expect(await assignedSoon(log, factory.partitions)).toEqual(range(factory.partitions));
      for (const [p, epoch] of owned.b) {
        expect(owned.a.has(p)).toBe(false);
        expect(epoch).toBeGreaterThan(epochsBefore.get(p) ?? 0);
      }
      await b.leave();
      await converged();
      expect(owned.a.size).toBe(factory.partitions);
      for (const [p, epoch] of owned.a) {
        if (!epochsBefore.has(p) || epochsBefore.get(p) !== epoch)
          expect(epoch).toBeGreaterThan(epochsBefore.get(p) ?? 0);
      }
      await a.leave();
      expect(await assignedSoon(log, 0)).toEqual([]);
      expect(await log.assignedPartitions('nobody', Stream.Orchestrations)).toEqual(new Set());
    });
  });
}

const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i);

/** The partitions the group 'workers' holds, once `count` are held (a distributed group settles later). */
async function assignedSoon(log: PartitionedLog, count: number): Promise<number[]> {
  let assigned: number[] = [];
  for (let i = 0; i < 300; i++) {
    const set = await log.assignedPartitions('workers', Stream.Orchestrations);
    assigned = set === undefined ? [] : [...set].sort((a, b) => a - b);
    if (set !== undefined && assigned.length === count) break;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return assigned;
}
