import { SingleBar } from 'cli-progress';
import type { CliCommand } from '../command';
import type { ListQuery } from '../client';
import type { Context } from '../context';
import { CliError, ExitCode, usageError } from '../exit-codes';
import { isTerminal } from '../format';
import { statusOption, timeOption } from '../options';

interface Options {
  readonly status?: string[];
  readonly prefix?: string;
  readonly createdAfter?: string;
  readonly createdBefore?: string;
}

const finished = ['Completed', 'Failed', 'Terminated', 'Canceled'];
const concurrency = 8;

export const purgeCommand: CliCommand = {
  register: (program, on) =>
    program
      .command('purge')
      .description('delete finished instances and their history: one by id, or all that match the filters')
      .argument('[instanceId]')
      .option('--status <statuses>', 'only these finished statuses (default: all four)', statusOption)
      .option('--prefix <idPrefix>', 'only instance ids starting with this')
      .option('--created-after <time>', 'created at or after: ISO-8601, or an age like 7d', (v) =>
        timeOption(v),
      )
      .option('--created-before <time>', 'created at or before: ISO-8601, or an age like 7d', (v) =>
        timeOption(v),
      )
      .action(
        on(async (ctx, instanceId: string | undefined, options: Options) => {
          const filtered =
            options.status !== undefined ||
            options.prefix !== undefined ||
            options.createdAfter !== undefined ||
            options.createdBefore !== undefined;
          if (instanceId !== undefined) {
            if (filtered) throw usageError('give an instance id or filters, not both');
            await ctx.client.purge(instanceId);
            return report(ctx, 1);
          }
          if (!filtered)
            throw usageError('give an instance id, or filters (--status, --created-before, …) to purge by');
          const live = options.status?.filter((s) => !isTerminal(s)) ?? [];
          if (live.length > 0)
            throw usageError(`only finished instances can be purged, not ${live.join(', ')}`);
          await purgeMatching(ctx, {
            runtimeStatus: options.status ?? finished,
            ...(options.prefix !== undefined ? { instanceIdPrefix: options.prefix } : {}),
            ...(options.createdAfter !== undefined ? { createdTimeFrom: options.createdAfter } : {}),
            ...(options.createdBefore !== undefined ? { createdTimeTo: options.createdBefore } : {}),
          });
        }),
      ),
};

/**
 * Lists the matches first and purges them one by one (a few at a time), so the bar can show real
 * progress; the server's purge-by-filter is one request with no progress to show.
 */
async function purgeMatching(ctx: Context, query: ListQuery): Promise<void> {
  const ids: string[] = [];
  let token: string | undefined;
  do {
    const page = await ctx.client.list({ ...query, top: 1000, showInput: false }, token);
    ids.push(...page.items.map((i) => i.instanceId));
    token = page.continuationToken;
  } while (token !== undefined);
  // The bar draws on stderr only when it is a terminal: piped output gets the count alone.
  const bar = new SingleBar({
    stream: ctx.io.stderr,
    format: 'purging [{bar}] {value}/{total} {percentage}%',
    hideCursor: true,
    clearOnComplete: true,
  });
  const showBar = ctx.io.stderr.isTTY === true && ids.length > 0;
  if (showBar) bar.start(ids.length, 0);
  let purged = 0;
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < ids.length) {
      const id = ids[next++]!;
      try {
        await ctx.client.purge(id);
        purged += 1;
      } catch (error) {
        // Someone else purged it meanwhile: not ours to count, nor a failure.
        if (!(error instanceof CliError && error.exitCode === ExitCode.NotFound)) throw error;
      }
      if (showBar) bar.increment();
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.min(concurrency, ids.length) }, worker));
  } finally {
    if (showBar) bar.stop();
  }
  report(ctx, purged);
}

function report(ctx: Context, purged: number): void {
  if (ctx.json) ctx.printJson({ instancesDeleted: purged });
  else ctx.print(`purged ${purged} instance${purged === 1 ? '' : 's'}`);
}
