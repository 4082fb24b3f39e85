import type { CliCommand } from '../command';

export const raiseCommand: CliCommand = {
  register: (program, on) =>
    program
      .command('raise')
      .description('raise an external event on an instance')
      .argument('<instanceId>')
      .argument('<eventName>')
      .option('--data <json>', 'event data as JSON, @file, or @- for stdin')
      .action(
        on(async (ctx, instanceId: string, eventName: string, options: { data?: string }) => {
          await ctx.client.raise(instanceId, eventName, ctx.jsonArgument('--data', options.data));
          if (ctx.json) ctx.printJson({ instanceId, eventName, raised: true });
          else ctx.note(`raised ${eventName} on ${instanceId}`);
        }),
      ),
};
