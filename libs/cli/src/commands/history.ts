import type { CliCommand } from '../command';
import { timeline } from '../format';

export const historyCommand: CliCommand = {
  register: (program, on) =>
    program
      .command('history')
      .description("show an instance's history as a timeline, with how long each task took")
      .argument('<instanceId>')
      .action(
        on(async (ctx, instanceId: string) => {
          const events = (await ctx.client.status(instanceId, true)).historyEvents ?? [];
          if (ctx.json) return ctx.printJson(events);
          ctx.print(timeline(events, ctx.colors));
        }),
      ),
};
