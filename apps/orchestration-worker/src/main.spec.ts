import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

const root = join(__dirname, '..', '..', '..');

describe('orchestration-worker app', () => {
  it('exits with a reason when the distributed settings are missing', () => {
    const result = spawnSync(
      process.execPath,
      ['-r', '@swc-node/register', 'apps/orchestration-worker/src/main.ts'],
      {
        cwd: root,
        env: { PATH: process.env['PATH'] ?? '', COSMOS_ENDPOINT: 'https://127.0.0.1:1', COSMOS_KEY: 'k' },
        encoding: 'utf8',
        timeout: 60_000,
      },
    );
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('KAFKA_BROKERS is required in distributed mode');
  });

  it('exits with a reason when a setting is malformed', () => {
    const result = spawnSync(
      process.execPath,
      ['-r', '@swc-node/register', 'apps/orchestration-worker/src/main.ts'],
      {
        cwd: root,
        env: {
          PATH: process.env['PATH'] ?? '',
          KAFKA_BROKERS: '127.0.0.1:9092',
          COSMOS_ENDPOINT: 'https://127.0.0.1:1',
          COSMOS_KEY: 'k',
          PARTITION_COUNT: 'many',
        },
        encoding: 'utf8',
        timeout: 60_000,
      },
    );
    expect(result.status).toBe(1);
    expect(result.stderr).toContain("PARTITION_COUNT must be an integer from 1 to 1024, got 'many'");
  });
});
