export {
  actionOf,
  entityBatchRequest,
  entityBatchResultOf,
  executionResultOf,
  historyEventOf,
  protoEvent,
  protoStatus,
  recordedEvent,
  runtimeStatus,
} from './convert';
export { defaultCallLimits, type GrpcCallLimits } from './call-limits';
export { GrpcFrontend, type GrpcFrontendOptions, type GrpcTaskHub } from './grpc-server';
export { taskHubMetadata, taskHubOfCall } from './task-hub';
export { RemoteWorkClient, remoteWorkHandlers, remoteWorkService } from './remote-work-bridge';
export {
  RemoteSession,
  routingActivityRunner,
  RoutingEntityRunner,
  RoutingExecutor,
  type RemoteWork,
} from './remote-executor';
export { grpcStatusOf, sidecarHandlers, type SidecarServiceDeps } from './sidecar-service';
export {
  WorkItemHub,
  type WorkerFilters,
  type WorkerLimits,
  type WorkItemHubOptions,
  type WorkItemStream,
} from './work-item-hub';
