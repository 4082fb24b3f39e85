import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, statSync, watch, type FSWatcher } from 'node:fs';
import { basename, dirname, join, relative, resolve } from 'node:path';
import type { CliCommand } from '../command';
import type { Context } from '../context';
import { usageError } from '../exit-codes';
import { positiveIntOption } from '../options';

// The product's sources: the CLI runs from the repository it belongs to.
const repoRoot = resolve(__dirname, '..', '..', '..', '..');
const frontendMain = join(repoRoot, 'apps', 'frontend', 'src', 'main.ts');
const watchedFile = /\.(ts|mts|cts|js|mjs|cjs|json)$/;
const skippedDir = (name: string): boolean =>
  name === 'node_modules' || name === 'dist' || name.startsWith('.');
const maxWatchedDirs = 500;

interface Options {
  readonly port?: number;
}

export const devCommand: CliCommand = {
  register: (program, on) =>
    program
      .command('dev')
      .description('run the embedded product with your app, restarting it when the app changes')
      .argument('[app]', 'your app module (exports `registry`); default DURABLE_APP, else the sample app')
      .option('--port <port>', 'HTTP port (default PORT, else 7071)', positiveIntOption)
      .action(
        on(async (ctx, app: string | undefined, options: Options) => {
          const given = app ?? (ctx.io.env['DURABLE_APP'] || undefined);
          const appPath = given !== undefined ? resolve(ctx.io.cwd, given) : undefined;
          if (appPath !== undefined && !existsSync(appPath))
            throw usageError(`no such app module: ${appPath}`);
          await runDev(ctx, appPath, options.port);
        }),
      ),
};

/** Runs the product as a child process and restarts it on changes until SIGINT/SIGTERM. */
async function runDev(ctx: Context, appPath: string | undefined, port: number | undefined): Promise<void> {
  const watchRoot = appPath !== undefined ? dirname(appPath) : join(repoRoot, 'samples');
  const env: NodeJS.ProcessEnv = {
    ...ctx.io.env,
    // The product's own tsconfig maps `@durable/engine` for the app, wherever the app lives.
    SWC_NODE_PROJECT: join(repoRoot, 'tsconfig.json'),
    ...(appPath !== undefined ? { DURABLE_APP: appPath } : {}),
    ...(port !== undefined ? { PORT: String(port) } : {}),
  };
  let child: ChildProcess | undefined;
  let stopping = false;
  let restarting = false;

  const start = (): void => {
    const started = spawn(
      process.execPath,
      ['--max-semi-space-size=32', '-r', require.resolve('@swc-node/register'), frontendMain],
      { cwd: ctx.io.cwd, env, stdio: ['ignore', 'inherit', 'inherit'] },
    );
    child = started;
    started.once('exit', (code, signal) => {
      if (child === started) child = undefined;
      if (!stopping && !restarting)
        ctx.note(
          `durable dev: the product exited (${signal ?? code}); waiting for a change to start it again`,
        );
    });
  };
  const stopChild = async (): Promise<void> => {
    const running = child;
    if (running === undefined || running.exitCode !== null || running.signalCode !== null) return;
    const exited = new Promise((done) => running.once('exit', done));
    running.kill('SIGTERM');
    await exited;
  };

  let timer: NodeJS.Timeout | undefined;
  const changed = (file: string): void => {
    if (stopping || !watchedFile.test(file)) return;
    clearTimeout(timer);
    // Editors write a file in several steps: restart once they are done.
    timer = setTimeout(() => {
      void (async () => {
        ctx.note(`durable dev: ${relative(ctx.io.cwd, file) || basename(file)} changed, restarting`);
        restarting = true;
        await stopChild();
        restarting = false;
        if (!stopping) start();
      })();
    }, 200);
  };

  const watchers = watchTree(watchRoot, changed);
  ctx.note(
    `durable dev: ${appPath !== undefined ? relative(ctx.io.cwd, appPath) || appPath : 'the sample app'}, ` +
      `restarting on changes below ${relative(ctx.io.cwd, watchRoot) || '.'} (Ctrl-C to stop)`,
  );
  start();
  await new Promise<void>((done) => {
    const stop = (): void => {
      if (stopping) return;
      stopping = true;
      clearTimeout(timer);
      for (const w of watchers) w.close();
      void stopChild().then(done);
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
}

/** A watcher per directory below `root`, skipping dependencies, build output and dot-directories. */
function watchTree(root: string, changed: (file: string) => void): FSWatcher[] {
  const watchers: FSWatcher[] = [];
  const visit = (dir: string): void => {
    if (watchers.length >= maxWatchedDirs) return;
    watchers.push(watch(dir, (_event, name) => name !== null && changed(join(dir, name.toString()))));
    for (const entry of readdirSync(dir, { withFileTypes: true }))
      if (entry.isDirectory() && !skippedDir(entry.name)) visit(join(dir, entry.name));
  };
  if (statSync(root).isDirectory()) visit(root);
  return watchers;
}
