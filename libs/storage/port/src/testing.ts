/**
 * The conformance suite every StateStore adapter must pass. Call it from the adapter's spec:
 * `describeStateStoreConformance('sqlite', () => factory)`.
 */
import {
  ConflictError,
  InvalidArgumentError,
  OwnershipLostError,
  newEvent,
  type HistoryEvent,
} from '@durable/core';
import type { InstanceOrder, InstanceRecord, StateStore } from './state-store';

export interface StoreFactory {
  /** Opens the store over the same underlying storage each time (to check durability). */
  open(): Promise<StateStore>;
  cleanup(): Promise<void>;
}

let clock = Date.parse('2026-01-01T00:00:00Z');

export function sampleRecord(instanceId: string, overrides: Partial<InstanceRecord> = {}): InstanceRecord {
  return {
    instanceId,
    partition: 0,
    name: 'Sample',
    executionId: `${instanceId}-e1`,
    status: 'Running',
    createdAt: clock++,
    updatedAt: clock,
    historyLength: 0,
    appliedOffset: -1,
    timers: [],
    ...overrides,
  };
}

const raised = (name: string): HistoryEvent => newEvent('EventRaised', '2026-01-01T00:00:00.000Z', { name });

export function describeStateStoreConformance(name: string, makeFactory: () => Promise<StoreFactory>): void {
  describe(`StateStore conformance: ${name}`, () => {
    let factory: StoreFactory;
    let store: StateStore;

    beforeEach(async () => {
      factory = await makeFactory();
      store = await factory.open();
    });

    afterEach(async () => {
      await store.close();
      await factory.cleanup();
    });

    it('creates an instance and reads it back with an etag', async () => {
      const record = sampleRecord('a', { tags: { team: 'x' }, input: '{"n":1}' });
      const etag = await store.putInstance(record, undefined);
      const stored = await store.getInstance('a');
      expect(stored?.record).toEqual(record);
      expect(stored?.etag).toBe(etag);
      expect(await store.getInstance('missing')).toBeUndefined();
    });

    it('refuses to create an instance that exists', async () => {
      await store.putInstance(sampleRecord('a'), undefined);
      await expect(store.putInstance(sampleRecord('a', { name: 'Other' }), undefined)).rejects.toBeInstanceOf(
        ConflictError,
      );
      expect((await store.getInstance('a'))?.record.name).toBe('Sample');
    });

    it('replaces an instance only with the current etag', async () => {
      const first = await store.putInstance(sampleRecord('a'), undefined);
      const second = await store.putInstance(sampleRecord('a', { status: 'Completed' }), first);
      expect(second).not.toBe(first);
      await expect(store.putInstance(sampleRecord('a', { status: 'Failed' }), first)).rejects.toBeInstanceOf(
        ConflictError,
      );
      expect((await store.getInstance('a'))?.record.status).toBe('Completed');
    });

    it('commits history chunks and instance documents, and reads history in order', async () => {
      await store.claimPartition(0, 1);
      const etags = await store.commit(0, 1, [
        {
          record: sampleRecord('a', { historyLength: 2 }),
          expectedEtag: undefined,
          history: { executionId: 'a-e1', fromIndex: 0, events: [raised('1'), raised('2')] },
        },
        {
          record: sampleRecord('b', { historyLength: 1 }),
          expectedEtag: undefined,
          history: { executionId: 'b-e1', fromIndex: 0, events: [raised('x')] },
        },
      ]);
      const etagA = etags.get('a');
      expect(etagA).toBeDefined();
      await store.commit(0, 1, [
        {
          record: sampleRecord('a', { historyLength: 3 }),
          expectedEtag: etagA,
          history: { executionId: 'a-e1', fromIndex: 2, events: [raised('3')] },
        },
      ]);
      expect(
        (await store.readHistory('a', 'a-e1')).map((e) => (e.type === 'EventRaised' ? e.name : e.type)),
      ).toEqual(['1', '2', '3']);
      expect(await store.readHistory('a', 'other-execution')).toEqual([]);
      expect((await store.getInstance('a'))?.record.historyLength).toBe(3);
    });

    it('writes a history chunk idempotently under its index', async () => {
      await store.claimPartition(0, 1);
      const etags = await store.commit(0, 1, [
        {
          record: sampleRecord('a'),
          expectedEtag: undefined,
          history: { executionId: 'a-e1', fromIndex: 0, events: [raised('1')] },
        },
      ]);
      await store.commit(0, 1, [
        {
          record: sampleRecord('a'),
          expectedEtag: etags.get('a'),
          history: { executionId: 'a-e1', fromIndex: 0, events: [raised('1')] },
        },
      ]);
      expect(await store.readHistory('a', 'a-e1')).toHaveLength(1);
    });

    it('replaces the whole history of an execution when asked to', async () => {
      await store.claimPartition(0, 1);
      let etags = await store.commit(0, 1, [
        {
          record: sampleRecord('a'),
          expectedEtag: undefined,
          history: { executionId: 'a-e1', fromIndex: 0, events: [raised('1'), raised('2')] },
        },
      ]);
      etags = await store.commit(0, 1, [
        {
          record: sampleRecord('a'),
          expectedEtag: etags.get('a'),
          history: { executionId: 'a-e1', fromIndex: 2, events: [raised('3')] },
        },
      ]);
      await store.commit(0, 1, [
        {
          record: sampleRecord('a'),
          expectedEtag: etags.get('a'),
          history: { executionId: 'a-e1', fromIndex: 0, events: [raised('1')], replace: true },
        },
      ]);
      expect(
        (await store.readHistory('a', 'a-e1')).map((e) => (e.type === 'EventRaised' ? e.name : e.type)),
      ).toEqual(['1']);
    });

    it('drops the history of an execution that is no longer needed', async () => {
      await store.claimPartition(0, 1);
      const etags = await store.commit(0, 1, [
        {
          record: sampleRecord('a'),
          expectedEtag: undefined,
          history: { executionId: 'a-e1', fromIndex: 0, events: [raised('1')] },
        },
      ]);
      await store.commit(0, 1, [
        {
          record: sampleRecord('a', { executionId: 'a-e2' }),
          expectedEtag: etags.get('a'),
          history: { executionId: 'a-e2', fromIndex: 0, events: [raised('2')] },
          dropHistoryOf: 'a-e1',
        },
      ]);
      expect(await store.readHistory('a', 'a-e1')).toEqual([]);
      expect(await store.readHistory('a', 'a-e2')).toHaveLength(1);
    });

    it('fails a commit with a stale etag and leaves that instance unchanged', async () => {
      await store.claimPartition(0, 1);
      const etags = await store.commit(0, 1, [{ record: sampleRecord('a'), expectedEtag: undefined }]);
      await store.commit(0, 1, [
        { record: sampleRecord('a', { status: 'Suspended' }), expectedEtag: etags.get('a') },
      ]);
      await expect(
        store.commit(0, 1, [
          { record: sampleRecord('a', { status: 'Failed' }), expectedEtag: etags.get('a') },
        ]),
      ).rejects.toBeInstanceOf(ConflictError);
      expect((await store.getInstance('a'))?.record.status).toBe('Suspended');
    });

    it('extends the document a start created, as the start described it, and refuses a stale one', async () => {
      const created = await store.putInstance(sampleRecord('a', { status: 'Pending' }), undefined);
      // Another process (the partition owner) writes it, knowing the document only from the start.
      const owner = await factory.open();
      try {
        await owner.claimPartition(0, 1);
        const write = (status: 'Running' | 'Failed', events: HistoryEvent[], etag: string) =>
          owner.commit(0, 1, [
            {
              record: sampleRecord('a', { status, historyLength: events.length }),
              expectedEtag: etag,
              extendsCreated: { executionId: 'a-e1' },
              history: { executionId: 'a-e1', fromIndex: 0, events },
            },
          ]);
        const etags = await write('Running', [raised('1'), raised('2')], created);
        expect((await store.getInstance('a'))?.etag).toBe(etags.get('a'));
        expect(
          (await store.readHistory('a', 'a-e1')).map((e) => (e.type === 'EventRaised' ? e.name : '')),
        ).toEqual(['1', '2']);
        await expect(write('Failed', [raised('x')], created)).rejects.toBeInstanceOf(ConflictError);
        expect((await store.getInstance('a'))?.record.status).toBe('Running');
        expect(await store.readHistory('a', 'a-e1')).toHaveLength(2);
      } finally {
        await owner.close();
      }
    });

    it('fences a commit from an owner whose epoch is older than the latest claim', async () => {
      await store.claimPartition(3, 1);
      await store.claimPartition(3, 2);
      await expect(
        store.commit(3, 1, [{ record: sampleRecord('z', { partition: 3 }), expectedEtag: undefined }]),
      ).rejects.toBeInstanceOf(OwnershipLostError);
      expect(await store.getInstance('z')).toBeUndefined();
      await expect(store.claimPartition(3, 1)).rejects.toBeInstanceOf(OwnershipLostError);
      await store.commit(3, 2, [{ record: sampleRecord('z', { partition: 3 }), expectedEtag: undefined }]);
      expect((await store.getInstance('z'))?.record.partition).toBe(3);
    });

    it('finds the instances of a partition that have timers, unsent outboxes or pending starts', async () => {
      const message = { stream: 'activities' as const, partition: 0, key: 'k', value: 'v' };
      await store.putInstance(sampleRecord('timer', { timers: [{ id: 1, fireAt: 5 }] }), undefined);
      await store.putInstance(
        sampleRecord('unsent', { outbox: { offset: 10, messages: [message] } }),
        undefined,
      );
      await store.putInstance(
        sampleRecord('sent', { outbox: { offset: 4, messages: [message] } }),
        undefined,
      );
      await store.putInstance(
        sampleRecord('pending', { status: 'Pending', pendingStart: message }),
        undefined,
      );
      await store.putInstance(sampleRecord('idle'), undefined);
      await store.putInstance(
        sampleRecord('elsewhere', { partition: 1, timers: [{ id: 1, fireAt: 5 }] }),
        undefined,
      );
      const work = await store.partitionWork(0, 5);
      expect(work.map((w) => w.record.instanceId).sort()).toEqual(['pending', 'timer', 'unsent']);
      expect(work.every((w) => typeof w.etag === 'string')).toBe(true);
    });

    it('lists instances with filters, in pages joined by continuation tokens', async () => {
      const base = Date.parse('2026-03-01T00:00:00Z');
      for (let i = 0; i < 25; i++) {
        await store.putInstance(
          sampleRecord(`order-${String(i).padStart(2, '0')}`, {
            createdAt: base + i * 1000,
            status: i % 3 === 0 ? 'Completed' : 'Running',
            name: i % 2 === 0 ? 'Even' : 'Odd',
          }),
          undefined,
        );
      }
      await store.putInstance(sampleRecord('other-1', { createdAt: base }), undefined);

      const seen: string[] = [];
      let token: string | undefined;
      do {
        const page = await store.listInstances({
          pageSize: 7,
          instanceIdPrefix: 'order-',
          ...(token !== undefined ? { continuationToken: token } : {}),
        });
        expect(page.records.length).toBeLessThanOrEqual(7);
        seen.push(...page.records.map((r) => r.instanceId));
        token = page.continuationToken;
      } while (token !== undefined);
      expect(seen).toEqual(Array.from({ length: 25 }, (_, i) => `order-${String(i).padStart(2, '0')}`));

      const completed = await store.listInstances({
        pageSize: 100,
        statuses: ['Completed'],
        instanceIdPrefix: 'order-',
      });
      expect(completed.records.map((r) => r.instanceId)).toEqual([
        'order-00',
        'order-03',
        'order-06',
        'order-09',
        'order-12',
        'order-15',
        'order-18',
        'order-21',
        'order-24',
      ]);
      const even = await store.listInstances({
        pageSize: 100,
        name: 'Even',
        createdFrom: base + 10_000,
        createdTo: base + 14_000,
      });
      expect(even.records.map((r) => r.instanceId)).toEqual(['order-10', 'order-12', 'order-14']);
      expect(even.continuationToken).toBeUndefined();
    });

    it('keeps entity documents apart from orchestrations, with last-update bounds', async () => {
      const base = Date.parse('2026-03-01T00:00:00Z');
      await store.putInstance(sampleRecord('orch-1', { createdAt: base }), undefined);
      for (let i = 0; i < 5; i++) {
        await store.putInstance(
          sampleRecord(`@counter@k${i}`, {
            createdAt: base + i,
            updatedAt: base + i * 1000,
            name: 'counter',
            entity: { state: String(i), queue: [], scheduled: [], seq: 0, nextTimerId: 1 },
          }),
          undefined,
        );
      }
      const orchestrations = await store.listInstances({ pageSize: 100 });
      expect(orchestrations.records.map((r) => r.instanceId)).toEqual(['orch-1']);
      const entities: string[] = [];
      let token: string | undefined;
      do {
        const page = await store.listInstances({
          pageSize: 2,
          kind: 'entity',
          instanceIdPrefix: '@counter@',
          ...(token !== undefined ? { continuationToken: token } : {}),
        });
        entities.push(...page.records.map((r) => r.instanceId));
        token = page.continuationToken;
      } while (token !== undefined);
      expect(entities).toEqual(['@counter@k0', '@counter@k1', '@counter@k2', '@counter@k3', '@counter@k4']);
      const recent = await store.listInstances({
        pageSize: 100,
        kind: 'entity',
        updatedFrom: base + 1000,
        updatedTo: base + 3000,
      });
      expect(recent.records.map((r) => r.entity?.state)).toEqual(['1', '2', '3']);
    });

    it('lists in any order of creation or update time, paging with tokens of that order', async () => {
      const base = Date.parse('2026-03-01T00:00:00Z');
      // Update times run against creation times, with a tie broken by id.
      const updated = [5, 4, 4, 2, 1, 0];
      for (let i = 0; i < 6; i++) {
        await store.putInstance(
          sampleRecord(`ord-${i}`, { createdAt: base + i, updatedAt: base + 100 + (updated[i] ?? 0) }),
          undefined,
        );
      }
      const all = async (orderBy: InstanceOrder): Promise<string[]> => {
        const ids: string[] = [];
        let token: string | undefined;
        do {
          const page = await store.listInstances({
            pageSize: 4,
            orderBy,
            instanceIdPrefix: 'ord-',
            ...(token !== undefined ? { continuationToken: token } : {}),
          });
          ids.push(...page.records.map((r) => r.instanceId));
          token = page.continuationToken;
        } while (token !== undefined);
        return ids;
      };
      expect(await all({ by: 'createdAt', descending: true })).toEqual([
        'ord-5',
        'ord-4',
        'ord-3',
        'ord-2',
        'ord-1',
        'ord-0',
      ]);
      expect(await all({ by: 'updatedAt', descending: false })).toEqual([
        'ord-5',
        'ord-4',
        'ord-3',
        'ord-1',
        'ord-2',
        'ord-0',
      ]);
      expect(await all({ by: 'updatedAt', descending: true })).toEqual([
        'ord-0',
        'ord-2',
        'ord-1',
        'ord-3',
        'ord-4',
        'ord-5',
      ]);
      const first = await store.listInstances({
        pageSize: 2,
        orderBy: { by: 'updatedAt', descending: true },
      });
      await expect(
        store.listInstances({ pageSize: 2, continuationToken: first.continuationToken ?? '' }),
      ).rejects.toBeInstanceOf(InvalidArgumentError);
    });

    it('finds ids containing a text, and counts what a filter matches', async () => {
      const base = Date.parse('2026-03-01T00:00:00Z');
      for (let i = 0; i < 12; i++) {
        await store.putInstance(
          sampleRecord(i % 4 === 0 ? `invoice-${i}-eu` : `order-${i}-us`, {
            createdAt: base + i,
            status: i % 3 === 0 ? 'Failed' : 'Running',
            name: i % 2 === 0 ? 'Even' : 'Odd',
          }),
          undefined,
        );
      }
      await store.putInstance(
        sampleRecord('@counter@eu', {
          name: 'counter',
          entity: { state: '1', queue: [], scheduled: [], seq: 0, nextTimerId: 1 },
        }),
        undefined,
      );
      const eu = await store.listInstances({ pageSize: 100, instanceIdContains: '-eu' });
      expect(eu.records.map((r) => r.instanceId)).toEqual(['invoice-0-eu', 'invoice-4-eu', 'invoice-8-eu']);
      const none = await store.listInstances({ pageSize: 100, instanceIdContains: '-EU' });
      expect(none.records).toEqual([]);

      expect(await store.countInstances({})).toBe(12);
      expect(await store.countInstances({ kind: 'entity' })).toBe(1);
      expect(await store.countInstances({ statuses: ['Failed'] })).toBe(4);
      expect(await store.countInstances({ statuses: ['Failed', 'Running'], name: 'Even' })).toBe(6);
      expect(await store.countInstances({ instanceIdContains: '-us', createdFrom: base + 6 })).toBe(5);
      expect(await store.countInstances({ instanceIdPrefix: 'nothing-' })).toBe(0);
    });

    it('rejects a malformed continuation token', async () => {
      await expect(
        store.listInstances({ pageSize: 10, continuationToken: 'not-a-token' }),
      ).rejects.toBeInstanceOf(InvalidArgumentError);
    });

    it('deletes an instance with its history', async () => {
      await store.claimPartition(0, 1);
      await store.commit(0, 1, [
        {
          record: sampleRecord('a'),
          expectedEtag: undefined,
          history: { executionId: 'a-e1', fromIndex: 0, events: [raised('1')] },
        },
      ]);
      expect(await store.deleteInstance('a')).toBe(true);
      expect(await store.getInstance('a')).toBeUndefined();
      expect(await store.readHistory('a', 'a-e1')).toEqual([]);
      expect(await store.deleteInstance('a')).toBe(false);
    });

    it('deletes only an unchanged document when given its etag', async () => {
      const etag = await store.putInstance(sampleRecord('cond'), undefined);
      const newer = await store.putInstance(sampleRecord('cond', { status: 'Completed' }), etag);
      expect(await store.deleteInstance('cond', etag)).toBe(false);
      expect((await store.getInstance('cond'))?.record.status).toBe('Completed');
      expect(await store.deleteInstance('cond', newer)).toBe(true);
      expect(await store.getInstance('cond')).toBeUndefined();
    });

    it('keeps everything across a reopen', async () => {
      await store.claimPartition(0, 4);
      await store.commit(0, 4, [
        {
          record: sampleRecord('a'),
          expectedEtag: undefined,
          history: { executionId: 'a-e1', fromIndex: 0, events: [raised('1')] },
        },
      ]);
      await store.close();
      store = await factory.open();
      expect((await store.getInstance('a'))?.record.instanceId).toBe('a');
      expect(await store.readHistory('a', 'a-e1')).toHaveLength(1);
      await expect(store.claimPartition(0, 3)).rejects.toBeInstanceOf(OwnershipLostError);
    });
  });
}
