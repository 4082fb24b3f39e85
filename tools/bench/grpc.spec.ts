import { grpcBenchSizes, grpcMarkdown, runGrpcBench } from './grpc';

describe('gRPC benchmark', () => {
  it('runs HelloSequence5 at tiny sizes on the in-process SDK and on the official JS SDK worker process', async () => {
    const result = await runGrpcBench(grpcBenchSizes.tiny);
    expect(result.embedded.inProcess.completed).toBeGreaterThan(0);
    expect(result.embedded.jsSdk.completed).toBeGreaterThan(0);
    expect(grpcMarkdown(result)).toContain('durabletask-js');
  }, 60_000);
});
