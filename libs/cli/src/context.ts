import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { createColors } from 'picocolors';
import { DurableClient, defaultUrl } from './client';
import { ExitCode, usageError } from './exit-codes';
import { taskHubOption } from './options';
import type { Colors } from './format';

/** Where the CLI reads and writes: the process by default, something else in a test. */
export interface Io {
  readonly stdout: NodeJS.WritableStream & { isTTY?: boolean };
  readonly stderr: NodeJS.WritableStream & { isTTY?: boolean };
  readonly env: NodeJS.ProcessEnv;
  readonly cwd: string;
}

export interface GlobalOptions {
  readonly url?: string;
  readonly token?: string;
  readonly taskHub?: string;
  readonly json?: boolean;
  readonly color?: boolean;
}

/** What a command's action gets: output, colours, the client, and its exit code to set. */
export class Context {
  exitCode: ExitCode = ExitCode.Ok;
  readonly colors: Colors;
  readonly json: boolean;
  private clientInstance: DurableClient | undefined;

  constructor(
    readonly io: Io,
    private readonly globals: GlobalOptions,
  ) {
    this.json = globals.json === true;
    // Colour only for a terminal (picocolors alone would also colour whenever CI is set).
    const wanted =
      globals.color !== false &&
      io.env['NO_COLOR'] === undefined &&
      (io.env['FORCE_COLOR'] !== undefined || io.stdout.isTTY === true);
    this.colors = createColors(wanted);
  }

  get client(): DurableClient {
    const token = this.globals.token ?? nonEmpty(this.io.env['DURABLE_TOKEN']);
    const taskHub = this.globals.taskHub ?? taskHubFromEnv(this.io.env['DURABLE_TASK_HUB']);
    this.clientInstance ??= new DurableClient({
      url: this.globals.url ?? nonEmpty(this.io.env['DURABLE_URL']) ?? defaultUrl,
      ...(token !== undefined ? { token } : {}),
      ...(taskHub !== undefined ? { taskHub } : {}),
    });
    return this.clientInstance;
  }

  /** A line on stdout. */
  print(text: string): void {
    this.io.stdout.write(`${text}\n`);
  }

  /** A note on stderr, so stdout stays the result a script reads. */
  note(text: string): void {
    this.io.stderr.write(`${text}\n`);
  }

  printJson(value: unknown): void {
    this.print(JSON.stringify(value, null, 2));
  }

  /** `--input` style values: inline JSON, `@file` or `@-` (stdin); checked here so a typo sends nothing. */
  jsonArgument(option: string, value: string | undefined): string | undefined {
    if (value === undefined) return undefined;
    let text = value;
    if (value.startsWith('@')) {
      const path = value.slice(1);
      try {
        text = readFileSync(path === '-' ? 0 : path, 'utf8');
      } catch (error) {
        throw usageError(`${option}: cannot read '${path}': ${(error as Error).message}`);
      }
    }
    try {
      JSON.parse(text);
    } catch (error) {
      throw usageError(
        `${option} must be JSON (quote strings: '"text"'), or @file: ${(error as Error).message}`,
      );
    }
    return text;
  }
}

function taskHubFromEnv(value: string | undefined): string | undefined {
  const name = nonEmpty(value);
  if (name === undefined) return undefined;
  try {
    return taskHubOption(name);
  } catch (error) {
    throw usageError(`DURABLE_TASK_HUB: ${(error as Error).message}`);
  }
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value;
}

/** An action with the context built from the global options; the last argument commander passes is the command. */
export function action<A extends unknown[]>(
  run: (ctx: Context, ...args: A) => Promise<void>,
  makeContext: (command: Command) => Context,
): (...args: unknown[]) => Promise<void> {
  return async (...args: unknown[]) => {
    const command = args[args.length - 1] as Command;
    const ctx = makeContext(command);
    await run(ctx, ...(args.slice(0, -1) as A));
  };
}
