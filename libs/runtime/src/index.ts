export {
  ReusePolicy,
  type InstancePage,
  type InstanceQuery,
  type InstanceService,
  type InstanceStatus,
  type PurgeFilter,
  type StartOptions,
  type StatusOptions,
} from './instance-service';
