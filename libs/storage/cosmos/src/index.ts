export {
  CosmosStateStore,
  type CosmosConnection,
  type CosmosCredential,
  type CosmosStateStoreOptions,
} from './cosmos-state-store';
export { defaultRetryOptions, type RetryOptions } from './cosmos-errors';
