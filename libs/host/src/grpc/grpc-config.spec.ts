import { grpcLimitsFromEnv } from './grpc-config';

describe('grpcLimitsFromEnv', () => {
  it('reads seconds into milliseconds and leaves unset limits to the defaults', () => {
    expect(grpcLimitsFromEnv({ GRPC_MAX_CALL_SECONDS: '30', GRPC_KEEPALIVE_SECONDS: '0.5' })).toEqual({
      maxCallMs: 30_000,
      keepaliveMs: 500,
    });
    expect(grpcLimitsFromEnv({})).toEqual({});
  });

  it.each(['0', '-1', 'soon', '100000'])('refuses %s with a reason', (value) => {
    expect(() => grpcLimitsFromEnv({ GRPC_MAX_IDLE_SECONDS: value })).toThrow(
      `GRPC_MAX_IDLE_SECONDS must be a number of seconds above 0 and at most 86400, got '${value}'`,
    );
  });
});
