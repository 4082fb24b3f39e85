import { entityBenchSizes, entityMarkdown, runEntityBench } from './entities';

describe('entity benchmark', () => {
  it('runs at tiny sizes: every signal applied, bank transfers keep the total', async () => {
    const result = await runEntityBench(entityBenchSizes.tiny);
    expect(result.hotEntity.operations).toBe(20);
    expect(result.spread.entities).toBe(5);
    expect(result.bankTransfers.completed).toBeGreaterThan(0);
    expect(result.bankTransfers.totalKept).toBe(true);
    expect(entityMarkdown(result)).toContain('BankTransfer');
  }, 60_000);
});
