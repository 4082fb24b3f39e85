export { GrpcFrontend, WorkItemHub, type GrpcFrontendOptions } from '@durable/grpc';
export { grpcMaxMessageBytes, grpcPortFromEnv } from './grpc-config';
