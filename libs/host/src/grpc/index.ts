export { GrpcFrontend, WorkItemHub, type GrpcCallLimits, type GrpcFrontendOptions } from '@durable/grpc';
export { grpcLimitsFromEnv, grpcMaxMessageBytes, grpcPortFromEnv } from './grpc-config';
