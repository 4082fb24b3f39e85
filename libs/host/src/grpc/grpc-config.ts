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
