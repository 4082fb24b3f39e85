export { SqliteStateStore, type SqliteStateStoreOptions } from './sqlite-state-store';
