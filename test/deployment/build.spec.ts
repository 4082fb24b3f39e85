// The frontend's build output runs as its container runs it: plain `node dist/apps/frontend/main.js`,
// no TypeScript at run time, requiring only Node built-ins and production dependencies.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { builtinModules } from 'node:module';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '@durable/tools/net';

const root = join(__dirname, '..', '..');
const output = join(root, 'dist', 'apps', 'frontend');

function jsFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return jsFiles(path);
    return entry.name.endsWith('.js') ? [path] : [];
  });
}

/** `@scope/name/sub` → `@scope/name`; `name/sub` → `name`. */
function packageName(specifier: string): string {
  const parts = specifier.split('/');
  return (specifier.startsWith('@') ? parts.slice(0, 2) : parts.slice(0, 1)).join('/');
}

describe('the frontend build', () => {
  let child: ChildProcess | undefined;
  let logs = '';
  const dataDir = mkdtempSync(join(tmpdir(), 'durable-build-'));

  beforeAll(() => {
    const nx = join(root, 'node_modules', '.bin', 'nx');
    const built = spawnSync(nx, ['run', 'frontend:build', '--skip-nx-cache'], {
      cwd: root,
      encoding: 'utf8',
      env: { ...process.env, NX_DAEMON: 'false', NX_TUI: 'false' },
    });
    if (built.status !== 0) throw new Error(`frontend:build failed:\n${built.stdout}${built.stderr}`);
  }, 90_000);

  afterAll(async () => {
    if (child !== undefined && child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((resolve) => child?.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    }
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('requires only Node built-ins, its own files and production dependencies', () => {
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
      dependencies: Record<string, string>;
    };
    const allowed = new Set([...builtinModules, ...Object.keys(pkg.dependencies)]);
    const strays = new Set<string>();
    for (const file of jsFiles(output)) {
      for (const [, , specifier] of readFileSync(file, 'utf8').matchAll(/\brequire\((["'])([^"']+)\1\)/g)) {
        if (specifier!.startsWith('.')) continue;
        const name = packageName(specifier!.replace(/^node:/, ''));
        if (!allowed.has(name)) strays.add(`${name} (${file.slice(output.length + 1)})`);
      }
    }
    expect([...strays]).toEqual([]);
  });

  it('serves /health from `node dist/apps/frontend/main.js`', async () => {
    const port = await freePort();
    child = spawn(process.execPath, [join(output, 'main.js')], {
      cwd: dataDir,
      env: {
        ...process.env,
        PORT: String(port),
        GRPC_PORT: '0',
        HOST: '127.0.0.1',
        DURABLE_DATA_DIR: dataDir,
        NODE_ENV: 'production',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout?.on('data', (chunk: Buffer) => (logs += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => (logs += chunk.toString()));
    const deadline = Date.now() + 20_000;
    for (;;) {
      if (child.exitCode !== null) throw new Error(`the frontend exited with ${child.exitCode}:\n${logs}`);
      const status = await fetch(`http://127.0.0.1:${port}/health`).then(
        (response) => response.status,
        () => 0,
      );
      if (status === 200) break;
      if (Date.now() > deadline) throw new Error(`no /health 200 within 20 s (last ${status}):\n${logs}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }, 30_000);
});
