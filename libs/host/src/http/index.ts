export {
  DurableHttpModule,
  type DurableHttpModuleOptions,
  type InstanceServiceProvider,
} from './durable-http.module';
export type { ErrorBody } from './error-response';
export type { PurgeResult } from './instances.controller';
export { openApiDocument } from './openapi';
export { defaultMaxPayloadBytes } from './request-body';
export { durableBasePath } from './routes';
export type { StatusBody } from './status-body';
export { INSTANCE_SERVICE } from './tokens';
export type { CheckStatusPayload } from './urls';
