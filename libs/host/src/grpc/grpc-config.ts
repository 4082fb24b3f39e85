import type { GrpcCallLimits } from '@durable/grpc';

/**
 * The port of the Durable Task gRPC endpoint (`GRPC_PORT`, default 4001; `off` serves none).
 * Refuses bad values with a reason.
 */
export function grpcPortFromEnv(env: NodeJS.ProcessEnv): number | undefined {
  const raw = env['GRPC_PORT'];
  if (raw === undefined || raw === '') return 4001;
  if (raw === 'off') return undefined;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0 || value > 65535) {
    throw new Error(`GRPC_PORT must be an integer from 0 to 65535 or 'off', got '${raw}'`);
  }
  return value;
}

/**
 * The largest gRPC message, tied to the payload limit: a work item carries a history of many
 * payloads and a completion many results, so sixteen payloads' worth (16 MiB at the 1 MiB default).
 */
export function grpcMaxMessageBytes(maxPayloadBytes: number): number {
  return Math.max(4 * 1024 * 1024, 16 * maxPayloadBytes);
}

/**
 * How long gRPC calls and connections may hold the server (defaults in GrpcCallLimits):
 * `GRPC_MAX_CALL_SECONDS` caps a unary call, `GRPC_MAX_IDLE_SECONDS` closes a connection with no
 * call open, `GRPC_KEEPALIVE_SECONDS` pings connections and drops those that do not answer.
 */
export function grpcLimitsFromEnv(env: NodeJS.ProcessEnv): GrpcCallLimits {
  const seconds = (name: string): number | undefined => {
    const raw = env[name];
    if (raw === undefined || raw === '') return undefined;
    const value = Number(raw);
    if (!Number.isFinite(value) || value <= 0 || value > 24 * 3600)
      throw new Error(`${name} must be a number of seconds above 0 and at most 86400, got '${raw}'`);
    return Math.round(value * 1000);
  };
  const maxCallMs = seconds('GRPC_MAX_CALL_SECONDS');
  const maxIdleMs = seconds('GRPC_MAX_IDLE_SECONDS');
  const keepaliveMs = seconds('GRPC_KEEPALIVE_SECONDS');
  return {
    ...(maxCallMs !== undefined ? { maxCallMs } : {}),
    ...(maxIdleMs !== undefined ? { maxIdleMs } : {}),
    ...(keepaliveMs !== undefined ? { keepaliveMs } : {}),
  };
}
