import type { Command } from 'commander';
import type { CliCommand } from '../command';
import type { Schedule } from '../client';
import type { Context } from '../context';
import { formatTime, table } from '../format';
import { laterTimeOption, positiveIntOption } from '../options';

interface SpecOptions {
  readonly every?: string;
  readonly cron?: string;
  readonly timeZone?: string;
  readonly input?: string;
  readonly startAt?: string;
  readonly endAt?: string;
  readonly catchup?: string;
  readonly catchupWindow?: string;
}

/** The options a create and an update share; the server checks the values and says what is wrong. */
function specOptions(command: Command): Command {
  return command
    .option('--every <span>', 'tick on an interval: 30s, 15m, 12h, 1d')
    .option('--cron <expression>', 'tick on a cron expression: five fields, or six with seconds first')
    .option('--time-zone <zone>', 'the IANA time zone of --cron (default UTC)')
    .option('--input <json>', 'the orchestration input as JSON, @file, or @- for stdin')
    .option('--start-at <time>', 'no tick before: ISO-8601, or a delay like 1h', (v) => laterTimeOption(v))
    .option('--end-at <time>', 'no tick after: ISO-8601, or a delay like 7d', (v) => laterTimeOption(v))
    .option('--catchup <policy>', 'ticks missed while down: all (default) or latest')
    .option('--catchup-window <span>', 'skip missed ticks older than this (default 1d)');
}

function specBody(ctx: Context, options: SpecOptions, base: Record<string, unknown> = {}): string {
  const input = ctx.jsonArgument('--input', options.input);
  return JSON.stringify({
    ...base,
    ...(options.every !== undefined ? { interval: options.every } : {}),
    ...(options.cron !== undefined ? { cron: options.cron } : {}),
    ...(options.timeZone !== undefined ? { timeZone: options.timeZone } : {}),
    ...(input !== undefined ? { input: JSON.parse(input) as unknown } : {}),
    ...(options.startAt !== undefined ? { startAt: options.startAt } : {}),
    ...(options.endAt !== undefined ? { endAt: options.endAt } : {}),
    ...(options.catchup !== undefined ? { catchupPolicy: options.catchup } : {}),
    ...(options.catchupWindow !== undefined ? { catchupWindow: options.catchupWindow } : {}),
  });
}

function every(schedule: Schedule): string {
  if (schedule.cron !== undefined)
    return `cron ${schedule.cron}${schedule.timeZone !== undefined ? ` (${schedule.timeZone})` : ''}`;
  return schedule.interval !== undefined ? `every ${schedule.interval} ms` : '';
}

export const schedulesCommand: CliCommand = {
  register: (program, on) => {
    const schedules = program
      .command('schedules')
      .description('orchestrations started on an interval or a cron expression');

    schedules
      .command('list')
      .description('list schedules')
      .option('--prefix <idPrefix>', 'only ids starting with this')
      .option('--top <n>', 'at most this many', positiveIntOption, 100)
      .option('--all', 'every schedule, however many')
      .action(
        on(async (ctx, options: { prefix?: string; top: number; all?: boolean }) => {
          const limit = options.all === true ? Infinity : options.top;
          const found: Schedule[] = [];
          let token: string | undefined;
          do {
            const page = await ctx.client.schedules(
              options.prefix,
              Math.min(1000, limit - found.length),
              token,
            );
            found.push(...page.items);
            token = page.continuationToken;
          } while (token !== undefined && found.length < limit);
          if (ctx.json) return ctx.printJson(found);
          if (found.length === 0) return ctx.note('no schedules');
          const rows = found.map((s) => [
            s.scheduleId,
            s.orchestrationName,
            every(s),
            s.status,
            s.nextRunAt !== undefined ? formatTime(s.nextRunAt) : '',
            s.lastRunAt !== undefined ? formatTime(s.lastRunAt) : '',
            String(s.runs),
          ]);
          ctx.print(
            table(
              ['ID', 'ORCHESTRATION', 'TICKS', 'STATUS', 'NEXT RUN (UTC)', 'LAST RUN (UTC)', 'RUNS'],
              rows,
              ctx.colors,
            ),
          );
          if (token !== undefined) ctx.note(`showing the first ${found.length}; --top or --all for more`);
        }),
      );

    schedules
      .command('get')
      .description('print a schedule as JSON')
      .argument('<id>')
      .action(
        on(async (ctx, id: string) => {
          ctx.printJson(await ctx.client.schedule(id));
        }),
      );

    specOptions(
      schedules
        .command('create')
        .description('create a schedule: --every or --cron')
        .argument('<id>')
        .argument('<orchestration>'),
    ).action(
      on(async (ctx, id: string, orchestration: string, options: SpecOptions) => {
        await ctx.client.createSchedule(id, specBody(ctx, options, { orchestrationName: orchestration }));
        if (ctx.json) ctx.printJson({ scheduleId: id, accepted: true });
        else ctx.note(`created schedule ${id}`);
      }),
    );

    specOptions(
      schedules
        .command('update')
        .description('change a schedule: the options given (--every replaces --cron and back)')
        .argument('<id>')
        .option('--orchestration <name>', 'start this orchestration instead'),
    ).action(
      on(async (ctx, id: string, options: SpecOptions & { orchestration?: string }) => {
        const base = options.orchestration !== undefined ? { orchestrationName: options.orchestration } : {};
        await ctx.client.updateSchedule(id, specBody(ctx, options, base));
        if (ctx.json) ctx.printJson({ scheduleId: id, accepted: true });
        else ctx.note(`updated schedule ${id}`);
      }),
    );

    for (const action of ['pause', 'resume'] as const) {
      schedules
        .command(action)
        .description(action === 'pause' ? 'pause a schedule' : 'resume a paused schedule from now on')
        .argument('<id>')
        .action(
          on(async (ctx, id: string) => {
            await ctx.client.scheduleAction(id, action);
            if (ctx.json)
              ctx.printJson({ scheduleId: id, [action === 'pause' ? 'paused' : 'resumed']: true });
            else ctx.note(`${action === 'pause' ? 'paused' : 'resumed'} schedule ${id}`);
          }),
        );
    }

    schedules
      .command('delete')
      .description('delete a schedule (the instances it started stay)')
      .argument('<id>')
      .action(
        on(async (ctx, id: string) => {
          await ctx.client.deleteSchedule(id);
          if (ctx.json) ctx.printJson({ scheduleId: id, deleted: true });
          else ctx.note(`deleted schedule ${id}`);
        }),
      );
  },
};
