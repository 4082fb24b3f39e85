import type { Command } from 'commander';
import type { Context } from './context';

/** Wraps an action so that it runs with the Context of the invocation. */
export type On = <A extends unknown[]>(
  run: (ctx: Context, ...args: A) => Promise<void>,
) => (...args: unknown[]) => Promise<void>;

/** One command of the CLI: a file under commands/ that adds itself to the program. */
export interface CliCommand {
  readonly register: (program: Command, on: On) => void;
}
