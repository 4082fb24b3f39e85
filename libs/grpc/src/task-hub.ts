import * as grpc from '@grpc/grpc-js';
import type { TaskHubs } from '@durable/core';
import { grpcStatusOf } from './sidecar-service';

/** The call metadata naming the task hub, as the Durable Task Scheduler's SDK packages send it. */
export const taskHubMetadata = 'taskhub';

/** The task hub a call names in its `taskhub` metadata; none: the default hub. */
export function taskHubOfCall(metadata: grpc.Metadata): string | undefined {
  const value = metadata.get(taskHubMetadata)[0];
  return typeof value === 'string' && value !== '' ? value : undefined;
}

type AnyHandler = (
  call: grpc.ServerUnaryCall<unknown, unknown>,
  callback?: grpc.sendUnaryData<unknown>,
) => void;

/**
 * One service's handlers in front of a set per task hub: each call runs on the handlers of the hub its
 * `taskhub` metadata names (the default hub when none); a hub not served answers NOT_FOUND.
 */
export function taskHubHandlers(
  definition: grpc.ServiceDefinition,
  handlersByHub: TaskHubs<grpc.UntypedServiceImplementation>,
): grpc.UntypedServiceImplementation {
  const dispatched: grpc.UntypedServiceImplementation = {};
  const defaults = handlersByHub.resolve(undefined).value;
  for (const [name, method] of Object.entries(definition)) {
    if (defaults[name] === undefined) continue;
    const unary = !method.requestStream && !method.responseStream;
    dispatched[name] = ((
      call: grpc.ServerUnaryCall<unknown, unknown>,
      callback?: grpc.sendUnaryData<unknown>,
    ) => {
      let handler: AnyHandler;
      try {
        handler = handlersByHub.resolve(taskHubOfCall(call.metadata)).value[name] as AnyHandler;
      } catch (error) {
        const status = {
          code: grpcStatusOf(error),
          details: error instanceof Error ? error.message : String(error),
          metadata: new grpc.Metadata(),
        };
        if (unary && callback !== undefined) callback(status);
        else call.emit('error', status);
        return;
      }
      handler(call, callback);
    }) as grpc.UntypedHandleCall;
  }
  return dispatched;
}
