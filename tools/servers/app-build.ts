// The apps' build output, as their containers run it: `node dist/apps/<app>/main.js`, built by
// tools/build-app.mjs (what `npm run build` runs). Tests and benchmarks build an app when its output
// is missing or older than its sources, and put a user's app module beside it as a user would.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { basename, extname, join } from 'node:path';
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

/** Builds the app unless its output is newer than everything it is built from. */
export function ensureAppBuilt(app: AppName): void {
  const main = join(appOutput(app), 'main.js');
  const sources = Math.max(
    ...[`apps/${app}`, 'libs', 'samples', 'tsconfig.base.json', 'tools/build-app.mjs'].map((p) =>
      newestSource(join(root, p)),
    ),
  );
  if (existsSync(main) && statSync(main).mtimeMs >= sources) return;
  const built = spawnSync(process.execPath, [join(root, 'tools', 'build-app.mjs'), `apps/${app}`], {
    cwd: root,
    encoding: 'utf8',
  });
  if (built.status !== 0)
    throw new Error(`building ${app} failed (exit ${String(built.status)}):\n${built.stdout}${built.stderr}`);
}

/**
 * Compiles a one-file app module (TypeScript or JavaScript) to CommonJS inside the app's output,
 * where its `@durable/engine` import resolves to the engine the app runs; returns the path to give
 * as DURABLE_APP. Type-checking is the source project's business.
 */
export function installUserApp(app: AppName, source: string): string {
  const { outputText } = ts.transpileModule(readFileSync(source, 'utf8'), {
    compilerOptions: {
      module: ts.ModuleKind.CommonJS,
      target: ts.ScriptTarget.ES2022,
      esModuleInterop: true,
    },
    fileName: source,
  });
  const dir = join(appOutput(app), 'user');
  mkdirSync(dir, { recursive: true });
  const target = join(dir, `${basename(source, extname(source))}.js`);
  writeFileSync(target, outputText);
  return target;
}
