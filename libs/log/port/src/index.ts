export {
  partitionOf,
  Stream,
  type AppendRecord,
  type LogRecord,
  type Membership,
  type OwnershipListener,
  type PartitionedLog,
  type ReadOptions,
} from './log';
