import type { CliCommand } from '../command';
import type { RetentionState, SweepResult } from '../client';
import { formatTime, table, type Colors } from '../format';

const statuses = ['Completed', 'Failed', 'Terminated', 'Canceled'];

export const retentionCommand: CliCommand = {
  register: (program, on) => {
    const retention = program
      .command('retention')
      .description("the server's automatic purge of finished instances: its policy and last sweep");
    retention
      .command('show', { isDefault: true })
      .description('show how long finished instances are kept, by status, and what the last sweep purged')
      .action(
        on(async (ctx) => {
          const state = await ctx.client.retention();
          if (ctx.json) return ctx.printJson(state);
          ctx.print(describe(state, ctx.colors));
        }),
      );
    retention
      .command('sweep')
      .description('purge now what the policy says is due (at most one batch), and print the count')
      .action(
        on(async (ctx) => {
          const result = await ctx.client.sweepRetention();
          if (ctx.json) return ctx.printJson(result);
          ctx.print(purgedLine(result));
          if (result.limited) ctx.note('more are due: the next sweeps purge them');
        }),
      );
  },
};

function purgedLine(result: SweepResult): string {
  const byStatus = Object.entries(result.purged).map(([status, n]) => `${status} ${n}`);
  return `purged ${result.total} instance${result.total === 1 ? '' : 's'}${
    byStatus.length > 0 ? ` (${byStatus.join(', ')})` : ''
  }`;
}

function describe(state: RetentionState, c: Colors): string {
  if (!state.enabled)
    return 'retention is off: finished instances are kept until purged (set DURABLE_RETENTION on the server)';
  const rows = statuses.map((status) => [status, state.policy[status] ?? 'kept']);
  const lines = [
    table(['STATUS', 'KEPT FOR'], rows, c),
    '',
    `sweeps every ${state.interval ?? '?'}, at most ${state.maxPurgesPerSweep ?? '?'} instances each`,
  ];
  const last = state.lastSweep;
  lines.push(
    last === undefined
      ? 'no sweep yet'
      : `last sweep ${formatTime(last.startedAt)} UTC: ${purgedLine(last)}${last.limited ? ', more due' : ''}`,
    `purged since the server started: ${state.purgedSinceStart}`,
  );
  return lines.join('\n');
}
