import type { CliCommand } from '../command';
import { colorStatus, statusBlock } from '../format';
import { outcomeCode, pollUntilDone, secondsOption } from '../options';

interface Options {
  readonly id?: string;
  readonly input?: string;
  readonly wait?: boolean;
  readonly timeout?: number;
}

export const startCommand: CliCommand = {
  register: (program, on) =>
    program
      .command('start')
      .description('start an orchestration; prints the instance id (with --wait, its outcome)')
      .argument('<name>', 'orchestration name')
      .option('--id <instanceId>', 'the instance id (default: one the server makes)')
      .option('--input <json>', 'input as JSON, @file, or @- for stdin')
      .option('--wait', 'wait until it ends; exit 1 unless it completed')
      .option('--timeout <seconds>', 'with --wait: give up after this long (exit 7)', secondsOption)
      .action(
        on(async (ctx, name: string, options: Options) => {
          const input = ctx.jsonArgument('--input', options.input);
          const id = await ctx.client.start(name, input, options.id);
          if (options.wait !== true) {
            if (ctx.json) ctx.printJson({ id });
            else ctx.print(id);
            return;
          }
          const status = await pollUntilDone(ctx, id, {
            intervalMs: 100,
            ...(options.timeout !== undefined ? { timeoutSeconds: options.timeout } : {}),
          });
          if (ctx.json) ctx.printJson(status);
          else ctx.print(statusBlock(status, ctx.colors));
          ctx.exitCode = outcomeCode(status);
          if (!ctx.json && ctx.exitCode !== 0)
            ctx.note(`${id} ended ${colorStatus(status.runtimeStatus, ctx.colors)}`);
        }),
      ),
};
