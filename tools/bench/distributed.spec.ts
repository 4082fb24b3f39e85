import { distributedBenchSizes, distributedMarkdown, runDistributedBench } from './distributed';

describe('distributed benchmark', () => {
  it('runs every workload on Kafka, Cosmos DB and worker processes at tiny sizes', async () => {
    const result = await runDistributedBench(distributedBenchSizes.tiny);
    expect(result.helloSequence5.completed).toBeGreaterThan(0);
    expect(result.helloSequence5.p50Ms).toBeGreaterThan(0);
    expect(result.helloSequence5.resources.map((r) => r.label)).toEqual(
      expect.arrayContaining(['Kafka broker (JVM)', 'orchestration-worker-1', 'activity-worker-1']),
    );
    expect(result.helloSequence5Open.arrivals).toBeGreaterThan(0);
    expect(result.fanOutSmall.completed).toBeGreaterThan(0);
    expect(result.fanOutLarge.activities).toBe(20);
    expect(result.timers.instances).toBe(5);
    expect(distributedMarkdown(result)).toContain('HelloSequence5, closed loop');
  }, 300_000);
});
