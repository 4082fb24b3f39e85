import { embeddedBenchSizes, embeddedMarkdown, runEmbeddedBench } from './embedded';

describe('embedded benchmark', () => {
  it('runs every workload at tiny sizes and reports throughput, latency, timers, CPU and memory', async () => {
    const result = await runEmbeddedBench(embeddedBenchSizes.tiny);
    expect(result.helloSequence5.completed).toBeGreaterThan(0);
    expect(result.helloSequence5.resources[0]?.cpuMs).toBeGreaterThan(0);
    expect(result.helloSequence5Open.arrivals).toBeGreaterThan(0);
    expect(result.helloSequence5Open.completed).toBe(result.helloSequence5Open.arrivals);
    expect(result.fanOutSmall).toMatchObject({ activities: 10 });
    expect(result.fanOutSmall.completed).toBeGreaterThan(0);
    expect(result.fanOutLarge.activities).toBe(20);
    expect(result.timers.instances).toBe(5);
    // A durable timer never fires before its due time.
    expect(result.timers.latenessP50Ms).toBeGreaterThanOrEqual(0);
    expect(result.helloSequence3Latency.samples).toBe(5);
    expect(result.peakRssMb).toBeGreaterThan(0);
    expect(result.inFlight).toMatchObject({ instances: 20, cachedAfterFinish: 0 });
    expect(embeddedMarkdown(result)).toContain('HelloSequence5, open loop');
  }, 60_000);
});
