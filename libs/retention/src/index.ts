export {
  formatSpan,
  parseSpan,
  retainedStatuses,
  retentionFromEnv,
  type RetainedStatus,
  type RetentionPolicy,
  type RetentionSettings,
} from './retention-settings';
export {
  RetentionSweeper,
  retentionOff,
  type RetentionControl,
  type RetentionState,
  type SweepResult,
} from './retention-sweeper';
