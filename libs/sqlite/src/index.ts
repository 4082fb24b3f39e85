export { SqliteDatabase, type SqliteDatabaseOptions } from './sqlite-database';
