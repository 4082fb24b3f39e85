// Builds one app so that it runs as `node <outDir>/main.js` with only production node_modules:
// tsc (Nest needs emitDecoratorMetadata) compiles the app's entry and every lib it imports, as its
// tsconfig.app.json says (rootDir: the workspace; outDir: dist/apps/<app>); tsc-alias rewrites the
// @durable/* aliases of tsconfig.base.json to relative paths; main.js requires the compiled entry.
// Packages (better-sqlite3, @nestjs/*, kafkajs, ...) stay require()s, resolved from node_modules.
//
//   node tools/build-app.mjs apps/frontend
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';

const require = createRequire(import.meta.url);
const ts = require('typescript');
const appRoot = process.argv[2];
if (appRoot === undefined) {
  console.error('usage: node tools/build-app.mjs <app root, e.g. apps/frontend>');
  process.exit(2);
}
const tsconfig = resolve(appRoot, 'tsconfig.app.json');
const { config, error } = ts.readConfigFile(tsconfig, ts.sys.readFile);
if (error !== undefined) throw new Error(ts.flattenDiagnosticMessageText(error.messageText, '\n'));
const { options, fileNames } = ts.parseJsonConfigFileContent(config, ts.sys, dirname(tsconfig));
const [entry] = fileNames;
if (
  options.outDir === undefined ||
  options.rootDir === undefined ||
  entry === undefined ||
  fileNames.length > 1
)
  throw new Error(`${tsconfig} must set rootDir, outDir and one entry file`);

rmSync(options.outDir, { recursive: true, force: true });
const tsc = spawnSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', tsconfig], {
  stdio: 'inherit',
});
if (tsc.status !== 0) process.exit(tsc.status ?? 1);
const { replaceTscAliasPaths } = require('tsc-alias');
await replaceTscAliasPaths({ configFile: tsconfig });
const compiledEntry = relative(options.rootDir, entry).replace(/\.ts$/, '.js').split('\\').join('/');
writeFileSync(join(options.outDir, 'main.js'), `'use strict';\nrequire('./${compiledEntry}');\n`);

// A user's app module (DURABLE_APP), compiled to CommonJS and put anywhere below the output (or
// found through NODE_PATH=<outDir>/node_modules), resolves `@durable/engine` (and the other
// @durable/* libs the app carries) to this build's copy: the one the app runs, so its definitions
// and errors are the host's own.
const basePath = options.pathsBasePath ?? options.baseUrl ?? dirname(tsconfig);
for (const [alias, [target]] of Object.entries(options.paths ?? {})) {
  if (target === undefined || alias.includes('*')) continue;
  const compiled = join(
    options.outDir,
    relative(options.rootDir, resolve(basePath, target)).replace(/\.ts$/, '.js'),
  );
  if (!existsSync(compiled)) continue;
  const shim = join(options.outDir, 'node_modules', ...alias.split('/'));
  mkdirSync(shim, { recursive: true });
  writeFileSync(join(shim, 'package.json'), `${JSON.stringify({ name: alias, main: 'index.js' })}\n`);
  const from = relative(shim, compiled).split('\\').join('/');
  writeFileSync(join(shim, 'index.js'), `'use strict';\nmodule.exports = require('${from}');\n`);
}
