import { peerBenchSizes, peerMarkdown, runPeerBench } from './peer';

describe('peer benchmark', () => {
  it('runs every workload on the Restate server at tiny sizes, as ctx.run steps and as service calls', async () => {
    const result = await runPeerBench(peerBenchSizes.tiny);
    expect(result.restate.helloSequence5.completed).toBeGreaterThan(0);
    expect(result.restate.helloSequence5.p50Ms).toBeGreaterThan(0);
    expect(result.restate.helloSequence5.resources.map((r) => r.label)).toEqual([
      'bench (driver)',
      'Restate server',
      'Restate SDK service (node)',
    ]);
    expect(result.restate.helloSequence5Open?.arrivals).toBeGreaterThan(0);
    expect(result.restate.fanOutSmall?.completed).toBeGreaterThan(0);
    expect(result.restate.fanOutLarge?.activities).toBe(20);
    expect(result.restate.timers?.instances).toBe(5);
    expect(result.restateServiceCalls.helloSequence5.completed).toBeGreaterThan(0);
    expect(result.restateServiceCalls.fanOutSmall?.completed).toBeGreaterThan(0);
    expect(peerMarkdown(result)).toContain('ctx.run');
  }, 120_000);
});
