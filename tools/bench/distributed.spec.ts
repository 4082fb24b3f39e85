import { distributedBenchSizes, distributedMarkdown, runDistributedBench } from './distributed';

describe('distributed benchmark', () => {
  it('runs HelloSequence5 on Kafka, Cosmos DB and worker processes at tiny sizes', async () => {
    const result = await runDistributedBench(distributedBenchSizes.tiny);
    expect(result.helloSequence5.completed).toBeGreaterThan(0);
    expect(result.helloSequence5.p50Ms).toBeGreaterThan(0);
    expect(distributedMarkdown(result)).toContain('HelloSequence5');
  }, 300_000);
});
