export { bootstrapApp, listenOptionsFromEnv, type BootstrapOptions } from './bootstrap';
export { HealthController, type HealthReport } from './health.controller';
export { HealthModule } from './health.module';
