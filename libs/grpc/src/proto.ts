// The Durable Task protocol (`TaskHubSidecarService` of the public durabletask-protobuf definition),
// as the generated stubs that `@microsoft/durabletask-js` ships. Only this module names them.
export * as pb from '@microsoft/durabletask-js/dist/proto/orchestrator_service_pb';
export { TaskHubSidecarServiceService as sidecarService } from '@microsoft/durabletask-js/dist/proto/orchestrator_service_grpc_pb';
export { Empty } from 'google-protobuf/google/protobuf/empty_pb';
export { Value } from 'google-protobuf/google/protobuf/struct_pb';
export { Timestamp } from 'google-protobuf/google/protobuf/timestamp_pb';
export { BoolValue, Int32Value, StringValue } from 'google-protobuf/google/protobuf/wrappers_pb';
