import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeStateStoreConformance } from '@durable/storage/testing';
import { SqliteStateStore } from './sqlite-state-store';

describeStateStoreConformance('sqlite', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'durable-store-'));
  return {
    open: async () => new SqliteStateStore(join(dir, 'state.db')),
    cleanup: async () => rmSync(dir, { recursive: true, force: true }),
  };
});
