import * as grpc from '@grpc/grpc-js';

/** How long calls and connections may hold the server's resources. */
export interface GrpcCallLimits {
  /**
   * Longest a unary call may run (default 5 min), whatever deadline the client sent or if it sent
   * none: the wait RPCs otherwise hold a call, and a poll of the store, for as long as a client likes.
   */
  readonly maxCallMs?: number;
  /** A connection with no call open this long is closed (default 5 min); clients reconnect on demand. */
  readonly maxIdleMs?: number;
  /**
   * Ping each connection this often (default 30 s) and drop it when the ping is not answered within
   * `keepaliveTimeoutMs` (default 10 s): a worker that vanished stops holding its work items.
   */
  readonly keepaliveMs?: number;
  readonly keepaliveTimeoutMs?: number;
}

export const defaultCallLimits: Required<GrpcCallLimits> = {
  maxCallMs: 5 * 60_000,
  maxIdleMs: 5 * 60_000,
  keepaliveMs: 30_000,
  keepaliveTimeoutMs: 10_000,
};

/** The grpc-js server options that enforce the connection limits. */
export function connectionLimitOptions(limits: GrpcCallLimits): grpc.ServerOptions {
  const l = { ...defaultCallLimits, ...limits };
  return {
    'grpc.max_connection_idle_ms': l.maxIdleMs,
    'grpc.keepalive_time_ms': l.keepaliveMs,
    'grpc.keepalive_timeout_ms': l.keepaliveTimeoutMs,
  };
}

type UnaryHandler = (
  call: grpc.ServerUnaryCall<unknown, unknown>,
  callback: grpc.sendUnaryData<unknown>,
) => void;

/**
 * The handlers of a service with each unary call answered DEADLINE_EXCEEDED once it has run
 * `maxCallMs`. The call is then marked cancelled, which the wait loops check, so the handler stops
 * polling too; its late answer is dropped.
 */
export function deadlineCappedHandlers(
  definition: grpc.ServiceDefinition,
  handlers: grpc.UntypedServiceImplementation,
  maxCallMs: number = defaultCallLimits.maxCallMs,
): grpc.UntypedServiceImplementation {
  const wrapped: grpc.UntypedServiceImplementation = { ...handlers };
  for (const [name, method] of Object.entries(definition)) {
    const handler = handlers[name] as UnaryHandler | undefined;
    if (handler === undefined || method.requestStream || method.responseStream) continue;
    wrapped[name] = ((
      call: grpc.ServerUnaryCall<unknown, unknown>,
      callback: grpc.sendUnaryData<unknown>,
    ) => {
      let answered = false;
      const timer = setTimeout(() => {
        answered = true;
        call.cancelled = true;
        callback({
          code: grpc.status.DEADLINE_EXCEEDED,
          details: `the call ran longer than the server's limit of ${maxCallMs / 1000} s; call again`,
        });
      }, maxCallMs);
      call.on('cancelled', () => clearTimeout(timer));
      handler(call, (error, value) => {
        clearTimeout(timer);
        if (answered) return;
        answered = true;
        callback(error, value);
      });
    }) as grpc.UntypedHandleCall;
  }
  return wrapped;
}
