export { GrpcFrontend, WorkItemHub, type GrpcFrontendOptions } from '@durable/grpc';
export { grpcPortFromEnv } from './grpc-config';
