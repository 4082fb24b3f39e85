export { ActivityAbort, executeActivity, type ActivityOutcome, type ActivityRequest } from './activity';
export {
  defineActivity,
  defineOrchestration,
  type ActivityContext,
  type ActivityDefinition,
  type ActivityFunction,
  type CallOptions,
  type ContinueAsNewOptions,
  type EntityLock,
  type OrchestrationContext,
  type OrchestrationDefinition,
  type OrchestratorFunction,
  type SubOrchestrationOptions,
  type WaitForEventOptions,
} from './definitions';
export {
  checkOperationName,
  defineEntity,
  DurableEntity,
  EntityExecutor,
  executeEntityBatch,
  type EntityAction,
  type EntityBatchResult,
  type EntityContext,
  type EntityDefinition,
  type EntityFunction,
  type EntityOperationOutcome,
  type EntityOperationRequest,
  type SignalEntityOptions,
} from './entity';
export {
  OrchestrationExecutor,
  OrchestrationSession,
  type AwaitedEvent,
  type ExecutionResult,
  type ExecutorOptions,
} from './executor';
export { type ActivityRunner, type EpisodeExecutor, type EpisodeSession } from './executor-port';
export { uuidV5 } from './guid';
export { replaySafeLogger, silentLogger, type Logger } from './logger';
export { Registry } from './registry';
export { nextRetryDelay, validateRetryPolicy, type RetryPolicy } from './retry';
export {
  compareVersions,
  versionMismatch,
  VersionFailureStrategy,
  VersionMatchStrategy,
  type VersioningOptions,
  type VersionMismatch,
} from './versioning';
export { Task, whenAll, whenAny, type TaskResult } from './task';
export {
  waitingFacts,
  waitingNotes,
  type EntityLocks,
  type PendingActivity,
  type PendingEntityCall,
  type PendingSubOrchestration,
  type PendingTimer,
  type WaitingFacts,
} from './waiting';
