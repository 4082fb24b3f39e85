import type { CliCommand } from '../command';
import type { InstanceStatus, ListQuery } from '../client';
import { instanceHead, instanceRows, table } from '../format';
import { positiveIntOption, statusOption, timeOption } from '../options';

interface Options {
  readonly status?: string[];
  readonly name?: string;
  readonly prefix?: string;
  readonly createdAfter?: string;
  readonly createdBefore?: string;
  readonly top: number;
  readonly all?: boolean;
}

export const listCommand: CliCommand = {
  register: (program, on) =>
    program
      .command('list')
      .description('list instances (default: the first 100)')
      .option(
        '--status <statuses>',
        'only these runtime statuses (comma-separated, repeatable)',
        statusOption,
      )
      .option('--name <name>', 'only instances of this orchestration')
      .option('--prefix <idPrefix>', 'only instance ids starting with this')
      .option('--created-after <time>', 'created at or after: ISO-8601, or an age like 1h, 7d', (v) =>
        timeOption(v),
      )
      .option('--created-before <time>', 'created at or before: ISO-8601, or an age like 1h, 7d', (v) =>
        timeOption(v),
      )
      .option('--top <n>', 'at most this many', positiveIntOption, 100)
      .option('--all', 'every match, however many')
      .action(
        on(async (ctx, options: Options) => {
          const query: ListQuery = {
            ...(options.status !== undefined ? { runtimeStatus: options.status } : {}),
            ...(options.prefix !== undefined ? { instanceIdPrefix: options.prefix } : {}),
            ...(options.createdAfter !== undefined ? { createdTimeFrom: options.createdAfter } : {}),
            ...(options.createdBefore !== undefined ? { createdTimeTo: options.createdBefore } : {}),
            showInput: false,
          };
          const limit = options.all === true ? Infinity : options.top;
          const found: InstanceStatus[] = [];
          let token: string | undefined;
          let more = false;
          do {
            const page = await ctx.client.list({ ...query, top: Math.min(1000, Math.max(limit, 50)) }, token);
            // The API has no name filter: match names here (case-insensitive, as the engine does).
            const wanted = options.name?.toLowerCase();
            for (const instance of page.items) {
              if (wanted !== undefined && instance.name.toLowerCase() !== wanted) continue;
              if (found.length === limit) {
                more = true;
                break;
              }
              found.push(instance);
            }
            token = page.continuationToken;
          } while (token !== undefined && !more);
          if (ctx.json) return ctx.printJson(found);
          if (found.length === 0) return ctx.note('no instances match');
          ctx.print(table(instanceHead, instanceRows(found, ctx.colors), ctx.colors));
          if (more) ctx.note(`showing the first ${limit}; --top or --all for more`);
        }),
      ),
};
