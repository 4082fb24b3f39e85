import { engineBenchSizes, engineMarkdown, runEngineBench } from './engine';

describe('engine benchmark', () => {
  it('runs every workload at tiny sizes and reports a figure for each', async () => {
    const result = await runEngineBench({ sizes: engineBenchSizes.tiny });
    expect(result.helloSequence5.instances).toBe(20);
    expect(result.helloSequence5.session.instancesPerSec).toBeGreaterThan(0);
    expect(result.helloSequence5.replay.episodesPerSec).toBeGreaterThan(0);
    expect(result.perEventCost.map((c) => c.historyLength)).toEqual([10, 100]);
    expect(result.fanOutFanIn).toEqual([expect.objectContaining({ activities: 100 })]);
    expect(engineMarkdown(result)).toContain('| 100 |');
  });
});
