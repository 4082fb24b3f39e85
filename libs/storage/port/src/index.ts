export type {
  EntityDocument,
  HistoryAppend,
  InstanceFilter,
  InstanceListQuery,
  InstanceOrder,
  InstanceRecord,
  InstanceWrite,
  OutboxMessage,
  PendingTimer,
  ScheduledSignal,
  StateStore,
  StoredInstance,
} from './state-store';
export { createdAscending, decodeListToken, encodeListToken, type ListPosition } from './list-token';
