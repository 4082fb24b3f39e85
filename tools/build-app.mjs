// Builds one app to dist/<app root>/ so that it runs as `node dist/<app root>/main.js` with only
// production node_modules: tsc (Nest needs emitDecoratorMetadata) compiles src/main.ts and every lib
// it imports, tsc-alias rewrites the @durable/* aliases of tsconfig.base.json to relative paths, and
// main.js points at the compiled entry. Packages (better-sqlite3, @nestjs/*, ...) stay as require()s.
//
//   node tools/build-app.mjs apps/frontend
import { execFileSync } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { join, resolve } from 'node:path';

const require = createRequire(import.meta.url);
const workspace = resolve(fileURLToPath(new URL('.', import.meta.url)), '..');
const appRoot = process.argv[2];
if (appRoot === undefined) {
  console.error('usage: node tools/build-app.mjs <app root, e.g. apps/frontend>');
  process.exit(2);
}
const tsconfig = join(workspace, appRoot, 'tsconfig.app.json');
// The app's tsconfig.app.json sets rootDir to the workspace and outDir to this directory.
const outDir = join(workspace, 'dist', appRoot);

rmSync(outDir, { recursive: true, force: true });
execFileSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', tsconfig], { stdio: 'inherit' });
const { replaceTscAliasPaths } = require('tsc-alias');
await replaceTscAliasPaths({ configFile: tsconfig });
writeFileSync(join(outDir, 'main.js'), `'use strict';\nrequire('./${appRoot}/src/main.js');\n`);
