import { peerMarkdown, runPeerBench } from './peer';

describe('peer benchmark', () => {
  it('runs HelloSequence5 on the Restate server at tiny sizes, both ways', async () => {
    const result = await runPeerBench({ warmupSeconds: 0, seconds: 3, concurrency: 4 });
    expect(result.restate.completed).toBeGreaterThan(0);
    expect(result.restateServiceCalls.completed).toBeGreaterThan(0);
    expect(result.restate.p50Ms).toBeGreaterThan(0);
    expect(peerMarkdown(result)).toContain('five ctx.run steps');
  }, 120_000);
});
