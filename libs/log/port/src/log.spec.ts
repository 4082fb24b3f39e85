import { partitionOf } from './log';

describe('partitionOf', () => {
  it('maps an instance id to the same partition every time, within range', () => {
    for (const id of ['a', 'order-17', 'ünïcødé', '@counter@x']) {
      const p = partitionOf(id, 12);
      expect(p).toBe(partitionOf(id, 12));
      expect(p).toBeGreaterThanOrEqual(0);
      expect(p).toBeLessThan(12);
    }
  });

  it('spreads many ids over every partition', () => {
    const counts = new Array<number>(12).fill(0);
    for (let i = 0; i < 12_000; i++) counts[partitionOf(`instance-${i}`, 12)]! += 1;
    expect(Math.min(...counts)).toBeGreaterThan(700);
  });
});
