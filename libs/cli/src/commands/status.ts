import type { CliCommand } from '../command';
import { statusBlock, timeline } from '../format';

export const statusCommand: CliCommand = {
  register: (program, on) =>
    program
      .command('status')
      .description("show an instance's status, input, output and failure")
      .argument('<instanceId>')
      .option('--history', 'also show its history as a timeline')
      .action(
        on(async (ctx, instanceId: string, options: { history?: boolean }) => {
          const status = await ctx.client.status(instanceId, options.history === true);
          if (ctx.json) return ctx.printJson(status);
          ctx.print(statusBlock(status, ctx.colors));
          if (options.history === true) ctx.print(`\n${timeline(status.historyEvents ?? [], ctx.colors)}`);
        }),
      ),
};
