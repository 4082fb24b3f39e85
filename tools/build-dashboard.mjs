// Builds the dashboard (apps/dashboard) with Vite into dist/apps/dashboard, which the frontend
// serves at /dashboard. With --if-stale (npm start, the e2e setup) it builds only when a source is
// newer than the last build.
//
//   node tools/build-dashboard.mjs [--if-stale]
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(fileURLToPath(new URL('..', import.meta.url)));
const app = join(root, 'apps/dashboard');
const built = join(root, 'dist/apps/dashboard/index.html');

function newest(path) {
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return Math.max(0, ...readdirSync(path).map((name) => newest(join(path, name))));
}

const stale = () =>
  !existsSync(built) ||
  Math.max(newest(join(app, 'src')), newest(join(app, 'index.html')), newest(join(app, 'vite.config.ts'))) >
    statSync(built).mtimeMs;

if (!process.argv.includes('--if-stale') || stale()) {
  const { build } = await import('vite');
  await build({ configFile: join(app, 'vite.config.ts'), logLevel: 'warn' });
  console.log('dashboard built into dist/apps/dashboard');
}
