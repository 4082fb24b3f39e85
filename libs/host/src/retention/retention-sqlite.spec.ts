import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeRetention } from '@durable/retention/testing';
import { SqliteStateStore } from '@durable/storage-sqlite';

describeRetention('the SQLite store', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'durable-retention-'));
  return {
    open: async () => new SqliteStateStore(join(dir, 'state.db')),
    cleanup: async () => rmSync(dir, { recursive: true, force: true }),
  };
});
