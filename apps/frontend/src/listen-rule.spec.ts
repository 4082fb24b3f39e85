// The frontend as a process: it refuses a non-loopback address without authentication.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

jest.setTimeout(60_000);

const root = resolve(__dirname, '../../..');

function runFrontend(env: Record<string, string>): Promise<{ code: number | null; stderr: string }> {
  const dataDir = mkdtempSync(join(tmpdir(), 'durable-listen-'));
  return new Promise((done) => {
    const child = execFile(
      process.execPath,
      ['-r', '@swc-node/register', join(root, 'apps/frontend/src/main.ts')],
      {
        cwd: root,
        env: { ...process.env, DURABLE_DATA_DIR: dataDir, PORT: '0', GRPC_PORT: 'off', ...env },
        timeout: 50_000,
      },
      (_error, _stdout, stderr) => {
        rmSync(dataDir, { recursive: true, force: true });
        done({ code: child.exitCode, stderr });
      },
    );
  });
}

it('refuses to listen on 0.0.0.0 without authentication, naming the settings that allow it', async () => {
  const { code, stderr } = await runFrontend({ HOST: '0.0.0.0' });
  expect(code).toBe(1);
  expect(stderr).toMatch(/refusing to listen on 0\.0\.0\.0 without authentication/);
  expect(stderr).toMatch(/DURABLE_AUTH=off/);
});

it('refuses API keys it cannot parse without printing the key', async () => {
  const { code, stderr } = await runFrontend({ DURABLE_API_KEYS: 'writer:secret-value-0123456789' });
  expect(code).toBe(1);
  expect(stderr).toMatch(/DURABLE_API_KEYS/);
  expect(stderr).not.toContain('secret-value-0123456789');
});
