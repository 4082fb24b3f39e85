import type { CliCommand } from '../command';

export const restartCommand: CliCommand = {
  register: (program, on) =>
    program
      .command('restart')
      .description('start an instance again with its original input; prints the new instance id')
      .argument('<instanceId>')
      .option('--same-id', 'restart under the same instance id')
      .action(
        on(async (ctx, instanceId: string, options: { sameId?: boolean }) => {
          const id = await ctx.client.restart(instanceId, options.sameId !== true);
          if (ctx.json) ctx.printJson({ id });
          else ctx.print(id);
        }),
      ),
};
