export { ActivityWorker, type ActivityWorkerDeps } from './activity-worker';
export { SequentialBatchCommitter, type Batch, type BatchCommitter } from './batch-committer';
export { FaultPoint, type FaultHook } from './faults';
export { InstanceClient, type InstanceClientDeps } from './instance-client';
export { deleteOperation, type EntityRunner } from './entity-episode';
export {
  ReusePolicy,
  type CleanEntityStorageResult,
  type EntityMetadata,
  type EntityPage,
  type EntityQuery,
  type InstanceCounts,
  type InstanceFilterQuery,
  type InstancePage,
  type InstanceQuery,
  type InstanceService,
  type InstanceStatus,
  type InstanceWaiting,
  type PurgeFilter,
  type SignalWithStartOptions,
  type StartOptions,
  type StatusOptions,
} from './instance-service';
export {
  activityCancellationMessage,
  activityMessage,
  instanceMessage,
  parseActivityRecord,
  parseActivityWorkItem,
  type ActivityCancellation,
  parseInstanceMessage,
  type ActivityWorkItem,
  type InstanceMessage,
} from './messages';
export { OrchestrationWorker } from './orchestration-worker';
export { isResettable, resetCut, resettableStatuses, type ResetTarget } from './reset';
export {
  ScheduleAlreadyExistsError,
  ScheduleClient,
  ScheduleNotFoundError,
  type ScheduleQuery,
  type SchedulePage,
} from './schedule-client';
export { PartitionProcessor, type ProcessorDeps } from './partition-processor';
export { maxTimeoutMs, TimerQueue } from './timer-queue';
