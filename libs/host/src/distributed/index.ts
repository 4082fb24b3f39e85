export { distributedConfigFromEnv, isDistributed, type DistributedConfig } from './config';
export {
  activityWorkersGroup,
  openLog,
  openStore,
  orchestrationWorkersGroup,
  startActivityWorker,
  startFrontend,
  startOrchestrationWorker,
  type Role,
} from './roles';
export { runWorkerApp, workerReady, type WorkerAppOptions, type WorkerState } from './run-worker';
