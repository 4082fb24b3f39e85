export {
  httpAuthMiddleware,
  principalOf,
  securityFromEnv,
  tlsFromEnv,
  type Security,
  type TlsFiles,
} from './auth';
export { bootstrapApp, listenOptionsFromEnv, type BootstrapOptions } from './bootstrap';
export { HealthController, type HealthReport, type Readiness } from './health.controller';
export { HealthModule } from './health.module';
export {
  defaultMaxPayloadBytes,
  durableBasePath,
  DurableHttpModule,
  INSTANCE_SERVICE,
  openApiDocument,
  type CheckStatusPayload,
  type DurableHttpModuleOptions,
  type ErrorBody,
  type InstanceServiceProvider,
  type PurgeResult,
  type StatusBody,
} from './http';
export { EmbeddedPlatform, type EmbeddedOptions } from './embedded/embedded-platform';
export { consoleLogger, randomIds, systemClock } from './embedded/system-ports';
export { embeddedConfigFromEnv, type EmbeddedConfig } from './embedded/config';
export { loadRegistry } from './embedded/user-app';
export {
  activityWorkersGroup,
  distributedConfigFromEnv,
  isDistributed,
  openLog,
  openStore,
  orchestrationWorkersGroup,
  runWorkerApp,
  startActivityWorker,
  startFrontend,
  startOrchestrationWorker,
  type DistributedConfig,
  type Role,
  type WorkerAppOptions,
} from './distributed';
export {
  GrpcFrontend,
  grpcLimitsFromEnv,
  grpcMaxMessageBytes,
  grpcPortFromEnv,
  WorkItemHub,
  type GrpcCallLimits,
  type GrpcFrontendOptions,
} from './grpc';
export { currentTelemetry, startTelemetry, telemetryPlan, type Telemetry } from './telemetry';
export { DashboardModule, dashboardPath, findDashboardDir } from './dashboard.module';
export { embeddedHubDataDir, startPerTaskHub, taskHubsFromEnv, type TaskHubSettings } from './task-hubs';
