import type { CliCommand } from '../command';
import { brief, colorStatus, formatTime, statusBlock } from '../format';
import { outcomeCode, pollUntilDone, positiveIntOption, secondsOption } from '../options';

export const watchCommand: CliCommand = {
  register: (program, on) =>
    program
      .command('watch')
      .description('follow an instance until it ends: a line per change; exit 0 if it completed, 1 if not')
      .argument('<instanceId>')
      .option('--interval <ms>', 'how often to poll', positiveIntOption, 500)
      .option('--timeout <seconds>', 'give up after this long (exit 7)', secondsOption)
      .action(
        on(async (ctx, instanceId: string, options: { interval: number; timeout?: number }) => {
          const status = await pollUntilDone(
            ctx,
            instanceId,
            {
              intervalMs: options.interval,
              ...(options.timeout !== undefined ? { timeoutSeconds: options.timeout } : {}),
            },
            (s) => {
              // --json writes one object per change (NDJSON), for `jq` and friends.
              if (ctx.json) return ctx.print(JSON.stringify(s));
              const custom = s.customStatus === null ? '' : `  ${brief(s.customStatus)}`;
              ctx.print(
                `${formatTime(s.lastUpdatedTime)}  ${colorStatus(s.runtimeStatus, ctx.colors)}${custom}`,
              );
            },
          );
          if (!ctx.json) ctx.print(`\n${statusBlock(status, ctx.colors)}`);
          ctx.exitCode = outcomeCode(status);
        }),
      ),
};
