import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteDatabase } from './sqlite-database';

describe('SqliteDatabase group commit', () => {
  let dir: string;
  let database: SqliteDatabase;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'durable-sqlite-'));
    database = new SqliteDatabase(join(dir, 'db.sqlite'));
    database.db.exec('CREATE TABLE t (k TEXT PRIMARY KEY)');
  });

  afterEach(() => {
    database.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('commits writes queued in one turn together and resolves each with its result', async () => {
    const insert = database.db.prepare('INSERT INTO t (k) VALUES (?)');
    const results = await Promise.all(
      ['a', 'b', 'c'].map((k) => database.write(() => insert.run(k).changes)),
    );
    expect(results).toEqual([1, 1, 1]);
    expect(database.db.prepare('SELECT COUNT(*) AS n FROM t').get()).toEqual({ n: 3 });
  });

  it('rolls back only the write that failed', async () => {
    const insert = database.db.prepare('INSERT INTO t (k) VALUES (?)');
    const outcomes = await Promise.allSettled([
      database.write(() => insert.run('a')),
      database.write(() => {
        insert.run('b');
        throw new Error('refused');
      }),
      database.write(() => insert.run('c')),
    ]);
    expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(database.db.prepare('SELECT k FROM t ORDER BY k').all()).toEqual([{ k: 'a' }, { k: 'c' }]);
  });

  it('refuses writes after close', async () => {
    database.close();
    await expect(database.write(() => 1)).rejects.toThrow('closed');
  });
});
