export type {
  EntityDocument,
  HistoryAppend,
  InstanceFilter,
  InstanceListQuery,
  InstanceRecord,
  InstanceWrite,
  OutboxMessage,
  PendingTimer,
  ScheduledSignal,
  StateStore,
  StoredInstance,
} from './state-store';
export { decodeListToken, encodeListToken, type ListPosition } from './list-token';
