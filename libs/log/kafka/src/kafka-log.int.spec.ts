import { randomUUID } from 'node:crypto';
import { Stream } from '@durable/log';
import { describePartitionedLogConformance } from '@durable/log/testing';
import { KafkaBroker } from '@durable/tools/servers';
import { KafkaLog } from './kafka-log';

let broker: KafkaBroker;

beforeAll(async () => {
  broker = await KafkaBroker.start();
}, 180_000);

afterAll(async () => {
  await broker?.stop();
}, 30_000);

const open = (hub: string, partitions = 3) =>
  KafkaLog.open({ brokers: [broker.brokers], hub, partitions, sessionTimeoutMs: 6_000 });

describePartitionedLogConformance('kafka', async () => {
  const hub = `conf-${randomUUID().slice(0, 8)}`;
  return { partitions: 3, inProcessGroups: false, open: () => open(hub), cleanup: async () => undefined };
});

describe('KafkaLog', () => {
  jest.setTimeout(60_000);

  it('refuses a hub whose topics have another partition count', async () => {
    const hub = `count-${randomUUID().slice(0, 8)}`;
    const log = await open(hub, 3);
    await log.close();
    await expect(open(hub, 5)).rejects.toThrow(/has 3 partitions/);
  });

  it('keeps reading in order across many appends from concurrent writers', async () => {
    const log = await open(`order-${randomUUID().slice(0, 8)}`);
    try {
      await Promise.all(
        Array.from({ length: 20 }, (_, w) =>
          (async () => {
            for (let i = 0; i < 25; i++)
              await log.append([
                { stream: Stream.Orchestrations, partition: 1, key: `w${w}`, value: `${w}:${i}` },
              ]);
          })(),
        ),
      );
      const seen: string[] = [];
      let from = 0;
      while (seen.length < 500) {
        const records = await log.read(Stream.Orchestrations, 1, from, { maxRecords: 64, waitMs: 2000 });
        expect(records.length).toBeGreaterThan(0);
        seen.push(...records.map((r) => r.value));
        from = records[records.length - 1]!.offset + 1;
      }
      for (let w = 0; w < 20; w++) {
        const mine = seen.filter((v) => v.startsWith(`${w}:`)).map((v) => Number(v.split(':')[1]));
        expect(mine).toEqual(Array.from({ length: 25 }, (_, i) => i));
      }
    } finally {
      await log.close();
    }
  });

  it('splits an append larger than the broker accepts in one request, keeping the order', async () => {
    const log = await open(`large-${randomUUID().slice(0, 8)}`);
    try {
      const value = (i: number) => `${i}:${'x'.repeat(200)}`;
      await log.append(
        Array.from({ length: 10_000 }, (_, i) => ({
          stream: Stream.Orchestrations,
          partition: 2,
          key: 'one-instance',
          value: value(i),
        })),
      );
      const seen: number[] = [];
      let from = 0;
      while (seen.length < 10_000) {
        const records = await log.read(Stream.Orchestrations, 2, from, { maxRecords: 1000, waitMs: 2000 });
        expect(records.length).toBeGreaterThan(0);
        seen.push(...records.map((r) => Number(r.value.split(':')[0])));
        from = records[records.length - 1]!.offset + 1;
      }
      expect(seen).toEqual(Array.from({ length: 10_000 }, (_, i) => i));
    } finally {
      await log.close();
    }
  });

  it('hands committed offsets on to the next member of the group', async () => {
    const hub = `fence-${randomUUID().slice(0, 8)}`;
    const first = await open(hub);
    const second = await open(hub);
    try {
      const ownedByFirst = new Set<number>();
      await first.join('workers', Stream.Orchestrations, {
        assigned: (ps) => ps.forEach((p) => ownedByFirst.add(p.partition)),
        revoked: (ps) => ps.forEach((p) => ownedByFirst.delete(p)),
      });
      await first.commitOffset('workers', Stream.Orchestrations, 0, 1);
      expect(await first.committedOffset('workers', Stream.Orchestrations, 0)).toBe(1);
      const membership = await second.join('workers', Stream.Orchestrations, {
        assigned: () => undefined,
        revoked: () => undefined,
      });
      await membership.leave();
      expect(await second.committedOffset('workers', Stream.Orchestrations, 0)).toBe(1);
    } finally {
      await first.close();
      await second.close();
    }
  });

  it('commits offsets of several partitions asked for together, each at its furthest offset', async () => {
    const log = await open(`commits-${randomUUID().slice(0, 8)}`);
    try {
      await log.join('workers', Stream.Orchestrations, {
        assigned: () => undefined,
        revoked: () => undefined,
      });
      // Processors finishing batches at once: one request carries them, a partition asked twice
      // keeps its furthest offset.
      await Promise.all([
        log.commitOffset('workers', Stream.Orchestrations, 0, 3),
        log.commitOffset('workers', Stream.Orchestrations, 1, 4),
        log.commitOffset('workers', Stream.Orchestrations, 0, 7),
        log.commitOffset('workers', Stream.Orchestrations, 2, 2),
      ]);
      expect(await log.committedOffset('workers', Stream.Orchestrations, 0)).toBe(7);
      expect(await log.committedOffset('workers', Stream.Orchestrations, 1)).toBe(4);
      expect(await log.committedOffset('workers', Stream.Orchestrations, 2)).toBe(2);
      // A commit asked while one is in flight goes out with the next request.
      const first = log.commitOffset('workers', Stream.Orchestrations, 1, 9);
      await new Promise((resolve) => setImmediate(resolve));
      await Promise.all([first, log.commitOffset('workers', Stream.Orchestrations, 2, 11)]);
      expect(await log.committedOffset('workers', Stream.Orchestrations, 1)).toBe(9);
      expect(await log.committedOffset('workers', Stream.Orchestrations, 2)).toBe(11);
    } finally {
      await log.close();
    }
  });

  it('tells every follower of the hub which instances finished, from any worker', async () => {
    const hub = `finished-${randomUUID().slice(0, 8)}`;
    const worker = await open(hub);
    const frontends = [await open(hub), await open(hub)];
    try {
      const seen = frontends.map(() => new Set<string>());
      await Promise.all(frontends.map((f, i) => f.followFinished((id) => seen[i]!.add(id))));
      // A follower starts at the end of the notices: it may join after the first few, so keep telling.
      const deadline = Date.now() + 30_000;
      for (let round = 0; !seen.every((s) => s.has(`late-${round - 1}`)); round++) {
        if (Date.now() > deadline) throw new Error('the followers never heard of a finished instance');
        worker.announceFinished(`late-${round}`);
        await worker.append([
          { stream: Stream.Orchestrations, partition: 0, key: 'k', value: String(round) },
        ]);
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    } finally {
      await worker.close();
      for (const f of frontends) await f.close();
    }
  });

  it('lets the member commit the offsets of the batch in hand while it leaves the group', async () => {
    const log = await open(`leave-${randomUUID().slice(0, 8)}`);
    try {
      const committed: number[] = [];
      const membership = await log.join('workers', Stream.Orchestrations, {
        assigned: () => undefined,
        // What a processor does on a graceful stop: finish its batch, then commit its offset.
        revoked: async (ps) => {
          for (const p of ps) {
            await log.commitOffset('workers', Stream.Orchestrations, p, 5 + p);
            committed.push(p);
          }
        },
      });
      await membership.leave();
      expect(committed.sort()).toEqual([0, 1, 2]);
      for (const p of [0, 1, 2])
        expect(await log.committedOffset('workers', Stream.Orchestrations, p)).toBe(5 + p);
    } finally {
      await log.close();
    }
  });

  it('renews a partition the member still holds with a newer epoch, and ignores one it does not hold', async () => {
    const log = await open(`renew-${randomUUID().slice(0, 8)}`);
    try {
      const events: string[] = [];
      const epochs = new Map<number, number>();
      const membership = await log.join('workers', Stream.Orchestrations, {
        assigned: (ps) =>
          ps.forEach((p) => {
            events.push(`+${p.partition}`);
            epochs.set(p.partition, p.epoch);
          }),
        revoked: (ps) => ps.forEach((p) => events.push(`-${p}`)),
      });
      const before = epochs.get(1)!;
      events.length = 0;
      await membership.renew!(1);
      // On a loaded machine the group may also rebalance meanwhile (every partition revoked and
      // assigned again): look at partition 1's own events, and at the epoch.
      const ofPartition = (p: number) => events.filter((e) => e.slice(1) === String(p));
      expect(ofPartition(1).slice(0, 2)).toEqual(['-1', '+1']);
      expect(epochs.get(1)).toBeGreaterThan(before);
      const renewed = ofPartition(1).length;
      await membership.renew!(7);
      expect(ofPartition(7)).toEqual([]);
      if (events.every((e) => e.slice(1) === '1')) expect(ofPartition(1)).toHaveLength(renewed);
      await membership.leave();
    } finally {
      await log.close();
    }
  });
});
