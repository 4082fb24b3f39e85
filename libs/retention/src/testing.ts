/**
 * Retention over a real StateStore adapter, with a manual clock: call it from a spec that opens the
 * adapter, `describeRetention('sqlite', () => factory)`.
 */
import { ManualClock } from '@durable/core/testing';
import type { InstanceRecord, StateStore } from '@durable/storage';
import { sampleRecord, type StoreFactory } from '@durable/storage/testing';
import { RetentionSweeper } from './retention-sweeper';
import type { RetentionSettings } from './retention-settings';

const hour = 3_600_000;
const day = 24 * hour;

export function describeRetention(name: string, makeFactory: () => Promise<StoreFactory>): void {
  describe(`retention over ${name}`, () => {
    let factory: StoreFactory;
    let store: StateStore;
    let clock: ManualClock;

    beforeEach(async () => {
      factory = await makeFactory();
      store = await factory.open();
      clock = new ManualClock(Date.parse('2026-03-01T00:00:00Z'));
    });

    afterEach(async () => {
      await store.close();
      await factory.cleanup();
    });

    /** An instance that finished `ago` ms before the clock's time. */
    const finished = async (id: string, status: InstanceRecord['status'], ago: number) => {
      const at = clock.now() - ago;
      await store.putInstance(
        sampleRecord(id, { status, createdAt: at - 1000, updatedAt: at, completedAt: at }),
        undefined,
      );
    };
    const sweeper = (settings: Partial<RetentionSettings> = {}, over: StateStore = store) =>
      new RetentionSweeper(over, clock, {
        policy: { Completed: day, Failed: 7 * day },
        intervalMs: 60_000,
        maxPurgesPerSweep: 1000,
        ...settings,
      });
    const exists = async (id: string) => (await store.getInstance(id)) !== undefined;

    it('purges finished instances older than the retention of their status, and nothing else', async () => {
      await finished('done-old', 'Completed', 2 * day);
      await finished('done-new', 'Completed', hour);
      await finished('failed-3d', 'Failed', 3 * day);
      await finished('failed-8d', 'Failed', 8 * day);
      await finished('terminated-old', 'Terminated', 30 * day);
      await store.putInstance(
        sampleRecord('running-old', { status: 'Running', createdAt: 0, updatedAt: 1 }),
        undefined,
      );

      const result = await sweeper().sweep();
      expect(result).toMatchObject({ purged: { Completed: 1, Failed: 1 }, total: 2, limited: false });
      expect(result.startedAt).toBe('2026-03-01T00:00:00.000Z');
      for (const id of ['done-old', 'failed-8d']) expect(await exists(id)).toBe(false);
      for (const id of ['done-new', 'failed-3d', 'terminated-old', 'running-old'])
        expect(await exists(id)).toBe(true);

      // A day later, the one that finished an hour before is due too.
      clock.advance(day);
      expect((await sweeper().sweep()).purged).toEqual({ Completed: 1 });
      expect(await exists('done-new')).toBe(false);
    });

    it('purges at most maxPurgesPerSweep per sweep, and the rest in the next sweeps', async () => {
      for (let i = 0; i < 5; i++) await finished(`batch-${i}`, 'Completed', 2 * day);
      const bounded = sweeper({ maxPurgesPerSweep: 2 });
      expect(await bounded.sweep()).toMatchObject({ total: 2, limited: true });
      expect(await bounded.sweep()).toMatchObject({ total: 2, limited: true });
      expect(await bounded.sweep()).toMatchObject({ total: 1, limited: false });
      expect(bounded.state()).toMatchObject({
        enabled: true,
        policy: { Completed: '1d', Failed: '7d' },
        interval: '1m',
        maxPurgesPerSweep: 2,
        purgedSinceStart: 5,
        lastSweep: { total: 1 },
      });
    });

    it('keeps an instance that changed between the listing and the delete', async () => {
      await finished('restarted', 'Completed', 2 * day);
      await finished('plain', 'Completed', 2 * day);
      // A restart lands right after the sweeper read the document: its delete must not win.
      const racing: StateStore = Object.create(store) as StateStore;
      racing.getInstance = async (id) => {
        const stored = await store.getInstance(id);
        if (id === 'restarted' && stored !== undefined)
          await store.putInstance(
            { ...stored.record, status: 'Running', updatedAt: clock.now() },
            stored.etag,
          );
        return stored;
      };
      expect((await sweeper({}, racing).sweep()).purged).toEqual({ Completed: 1 });
      expect((await store.getInstance('restarted'))?.record.status).toBe('Running');
      expect(await exists('plain')).toBe(false);
    });

    it('leaves entities alone', async () => {
      const at = clock.now() - 30 * day;
      await store.putInstance(
        sampleRecord('@counter@k', { status: 'Completed', createdAt: at, updatedAt: at, completedAt: at }),
        undefined,
      );
      expect((await sweeper().sweep()).total).toBe(0);
      expect(await exists('@counter@k')).toBe(true);
    });
  });
}
