export type {
  HistoryAppend,
  InstanceFilter,
  InstanceListQuery,
  InstanceRecord,
  InstanceWrite,
  OutboxMessage,
  PendingTimer,
  StateStore,
  StoredInstance,
} from './state-store';
export { decodeListToken, encodeListToken, type ListPosition } from './list-token';
