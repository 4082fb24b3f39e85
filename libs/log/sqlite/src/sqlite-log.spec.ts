import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describePartitionedLogConformance } from '@durable/log/testing';
import { SqliteLog } from './sqlite-log';

describePartitionedLogConformance('sqlite', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'durable-log-'));
  return {
    partitions: 4,
    open: async () => new SqliteLog(join(dir, 'log.db'), { partitions: 4 }),
    cleanup: async () => rmSync(dir, { recursive: true, force: true }),
  };
});
