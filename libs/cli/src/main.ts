import { Command, CommanderError, Option } from 'commander';
import type { On } from './command';
import { commands } from './commands';
import { Context, action, type Io } from './context';
import { CliError, ExitCode } from './exit-codes';
import { taskHubOption } from './options';
import packageJson from '../package.json';

const processIo: Io = {
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
  cwd: process.cwd(),
};

export function buildProgram(io: Io, contexts: Context[] = []): Command {
  const program = new Command('durable')
    .description(
      'Operate Durable over its HTTP API: start, inspect, control and purge instances and entities.',
    )
    .version(packageJson.version)
    .addOption(new Option('--url <url>', 'the server (default DURABLE_URL, else http://127.0.0.1:7071)'))
    .addOption(new Option('--token <token>', 'bearer token (default DURABLE_TOKEN)'))
    .addOption(
      new Option(
        '--task-hub <name>',
        "the task hub (default DURABLE_TASK_HUB, else the server's default hub)",
      ).argParser(taskHubOption),
    )
    .option('--json', 'print JSON instead of text')
    .option('--no-color', 'no colours (also NO_COLOR)')
    .showSuggestionAfterError()
    .exitOverride()
    .configureOutput({
      writeOut: (s) => io.stdout.write(s),
      writeErr: (s) => io.stderr.write(s),
    });
  const on: On = (run) =>
    action(run, (command) => {
      const ctx = new Context(io, command.optsWithGlobals());
      contexts.push(ctx);
      return ctx;
    });
  for (const command of commands) command.register(program, on);
  // Subcommands answer usage errors as the program does: through exitOverride, with exit code 2.
  const inherit = (command: Command): void => {
    for (const sub of command.commands) {
      sub.exitOverride().configureOutput({
        writeOut: (s) => io.stdout.write(s),
        writeErr: (s) => io.stderr.write(s),
      });
      inherit(sub);
    }
  };
  inherit(program);
  return program;
}

/** Runs the CLI on `argv` (without node and the script) and resolves to the exit code. */
export async function main(argv: readonly string[], io: Io = processIo): Promise<number> {
  const contexts: Context[] = [];
  const program = buildProgram(io, contexts);
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return contexts.at(-1)?.exitCode ?? ExitCode.Ok;
  } catch (error) {
    if (error instanceof CommanderError) {
      // --help and --version "fail" with code 0; everything else commander rejects is usage.
      return error.exitCode === 0 ? ExitCode.Ok : ExitCode.Usage;
    }
    if (error instanceof CliError) {
      io.stderr.write(`error: ${error.message}\n`);
      return error.exitCode;
    }
    io.stderr.write(`error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    return ExitCode.Server;
  }
}
