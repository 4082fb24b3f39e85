import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describePartitionedLogConformance } from '@durable/log/testing';
import { SqliteLog } from './sqlite-log';

describePartitionedLogConformance('sqlite', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'durable-log-'));
  return {
    partitions: 4,
    inProcessGroups: true,
    open: async () => new SqliteLog(join(dir, 'log.db'), { partitions: 4 }),
    cleanup: async () => rmSync(dir, { recursive: true, force: true }),
  };
});

describe('SqliteLog partition count', () => {
  it('refuses to reopen data with a different partition count', () => {
    const dir = mkdtempSync(join(tmpdir(), 'durable-log-count-'));
    try {
      new SqliteLog(join(dir, 'log.db'), { partitions: 4 }).close().catch(() => undefined);
      expect(() => new SqliteLog(join(dir, 'log.db'), { partitions: 8 })).toThrow(
        /created with 4 partitions/,
      );
      const same = new SqliteLog(join(dir, 'log.db'), { partitions: 4 });
      expect(same.partitionCount('orchestrations')).toBe(4);
      void same.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
