import * as grpc from '@grpc/grpc-js';
import { grpcAccessOf, PermissionDeniedError, UnauthenticatedError, type Authenticator } from '@durable/auth';
import { taskHubOfCall } from './task-hub';

type AnyHandler = (
  call: grpc.ServerUnaryCall<unknown, unknown>,
  callback?: grpc.sendUnaryData<unknown>,
) => void;

/** The status a failed authorization answers; anything else (a JWKS outage) is UNAVAILABLE, retried. */
function statusOf(error: unknown): grpc.StatusObject {
  const details = error instanceof Error ? error.message : String(error);
  const code =
    error instanceof UnauthenticatedError
      ? grpc.status.UNAUTHENTICATED
      : error instanceof PermissionDeniedError
        ? grpc.status.PERMISSION_DENIED
        : grpc.status.UNAVAILABLE;
  return { code, details, metadata: new grpc.Metadata() };
}

/**
 * The handlers of a service, each checking the caller's `authorization` metadata against the access
 * table before it runs, with the caller's roles in the task hub the call names (`taskhub` metadata). A method of the definition with no rule in the table stops the server from
 * starting: every RPC must be ruled.
 */
export function authorizedHandlers(
  definition: grpc.ServiceDefinition,
  handlers: grpc.UntypedServiceImplementation,
  authenticator: Authenticator,
): grpc.UntypedServiceImplementation {
  const wrapped: grpc.UntypedServiceImplementation = {};
  const unruled = Object.values(definition)
    .map((method) => method.path)
    .filter((path) => grpcAccessOf(path) === undefined);
  if (unruled.length > 0) throw new Error(`gRPC methods without an access rule: ${unruled.join(', ')}`);
  for (const [name, method] of Object.entries(definition)) {
    const handler = handlers[name] as AnyHandler | undefined;
    if (handler === undefined) continue;
    const access = grpcAccessOf(method.path);
    const unary = !method.requestStream && !method.responseStream;
    wrapped[name] = ((
      call: grpc.ServerUnaryCall<unknown, unknown>,
      callback?: grpc.sendUnaryData<unknown>,
    ) => {
      const header = call.metadata.get('authorization')[0];
      authenticator
        .authorize(access, typeof header === 'string' ? header : undefined, taskHubOfCall(call.metadata))
        .then(
          () => handler(call, callback),
          (error: unknown) => {
            const status = statusOf(error);
            if (unary && callback !== undefined) callback(status);
            else call.emit('error', status);
          },
        );
    }) as grpc.UntypedHandleCall;
  }
  return wrapped;
}
