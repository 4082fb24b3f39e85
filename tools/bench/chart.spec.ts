import { chartSvg } from './chart';
import type { EngineRuns } from './workloads';

const closed = {
  completed: 10,
  p50Ms: 2,
  p95Ms: 3,
  p99Ms: 4,
  concurrency: 4,
  cpuMicrosPerOp: 0,
  resources: [],
};

describe('chart', () => {
  it('draws a bar per engine and figure, and marks what did not run', () => {
    const engines: EngineRuns[] = [
      { engine: 'durable embedded', helloSequence5: { ...closed, completedPerSec: 200 } },
      { engine: 'restate <ctx.run>', helloSequence5: { ...closed, completedPerSec: 100 } },
    ];
    const svg = chartSvg(engines, 'test');
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg).toContain('durable embedded');
    expect(svg).toContain('restate &lt;ctx.run&gt;');
    expect(svg).toContain('200/s');
    expect(svg).toContain('not run');
  });
});
