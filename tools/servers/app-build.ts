// The apps' build output, as their containers run it: `node dist/apps/<app>/main.js`, built by
// tools/build-app.mjs (what `npm run build` runs). Tests and benchmarks build an app when its output
// is missing or older than its sources, and put a user's app module beside it as a user would.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, extname, isAbsolute, join } from 'node:path';
import * as ts from 'typescript';

const root = join(__dirname, '..', '..');

export type AppName = 'frontend' | 'orchestration-worker' | 'activity-worker';

/** The folder an app builds to. */
export function appOutput(app: AppName): string {
  return join(root, 'dist', 'apps', app);
}

/** The newest modification time of the files below `dir` that the build reads (not tests). */
function newestSource(dir: string): number {
  if (!existsSync(dir)) return 0;
  const stat = statSync(dir);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === 'node_modules' || entry.name.startsWith('.')) continue;
    if (entry.isFile() && /\.spec\.ts$/.test(entry.name)) continue;
    newest = Math.max(newest, newestSource(join(dir, entry.name)));
  }
  return newest;
}

function isFresh(app: AppName): boolean {
  const main = join(appOutput(app), 'main.js');
  const sources = Math.max(
    ...[`apps/${app}`, 'libs', 'samples', 'tsconfig.base.json', 'tools/build-app.mjs'].map((p) =>
      newestSource(join(root, p)),
    ),
  );
  return existsSync(main) && statSync(main).mtimeMs >= sources;
}

const sleep = (ms: number): void => {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
};

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/**
 * Builds the app unless its output is newer than everything it is built from. Test runners of
 * several projects may ask at once: one builds (holding a lock folder), the others wait for it.
 */
export function ensureAppBuilt(app: AppName): void {
  if (isFresh(app)) return;
  const lock = join(root, 'dist', `.building-${app}`);
  mkdirSync(join(root, 'dist'), { recursive: true });
  for (;;) {
    try {
      mkdirSync(lock);
      writeFileSync(join(lock, 'pid'), String(process.pid));
      break;
    } catch {
      let holder = NaN;
      try {
        holder = Number(readFileSync(join(lock, 'pid'), 'utf8'));
      } catch {
        // just created, the pid not written yet
      }
      if (Number.isInteger(holder) && !alive(holder)) rmSync(lock, { recursive: true, force: true });
      else sleep(500);
    }
  }
  try {
    if (isFresh(app)) return;
    const built = spawnSync(process.execPath, [join(root, 'tools', 'build-app.mjs'), `apps/${app}`], {
      cwd: root,
      encoding: 'utf8',
    });
    if (built.status !== 0)
      throw new Error(
        `building ${app} failed (exit ${String(built.status)}):\n${built.stdout}${built.stderr}`,
      );
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

/**
 * Compiles a one-file app module (TypeScript or JavaScript; a path absolute or from the workspace)
 * to CommonJS inside the app's output, where its `@durable/*` imports resolve to the libs the app
 * runs; returns the path to give as DURABLE_APP. Type-checking is the source project's business.
 */
export function installUserApp(app: AppName, source: string): string {
  const file = isAbsolute(source) ? source : join(root, source);
  const { outputText } = ts.transpileModule(readFileSync(file, 'utf8'), {
    compilerOptions: {
      module: ts.ModuleKind.CommonJS,
      target: ts.ScriptTarget.ES2022,
      esModuleInterop: true,
    },
    fileName: file,
  });
  const dir = join(appOutput(app), 'user');
  mkdirSync(dir, { recursive: true });
  const target = join(dir, `${basename(file, extname(file))}.js`);
  writeFileSync(target, outputText);
  return target;
}
