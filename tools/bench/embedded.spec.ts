import { embeddedBenchSizes, embeddedMarkdown, runEmbeddedBench } from './embedded';

describe('embedded benchmark', () => {
  it('runs at tiny sizes and reports throughput, latency and memory', async () => {
    const result = await runEmbeddedBench(embeddedBenchSizes.tiny);
    expect(result.helloSequence5.completed).toBeGreaterThan(0);
    expect(result.helloSequence3Latency.samples).toBe(5);
    expect(result.peakRssMb).toBeGreaterThan(0);
    expect(result.fanOutFanIn.activities).toBe(20);
    expect(result.inFlight).toMatchObject({ instances: 20, cachedAfterFinish: 0 });
    expect(embeddedMarkdown(result)).toContain('HelloSequence5');
  }, 60_000);
});
