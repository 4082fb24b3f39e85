import type { CliCommand } from '../command';
import type { InstanceWaiting } from '../client';
import { colorStatus, formatDuration, formatTime, table, type Colors } from '../format';

export const whyCommand: CliCommand = {
  register: (program, on) =>
    program
      .command('why')
      .description('explain why an instance is not progressing: the steps it waits on, oldest first')
      .argument('<instanceId>')
      .action(
        on(async (ctx, instanceId: string) => {
          const waiting = await ctx.client.waiting(instanceId);
          if (ctx.json) return ctx.printJson(waiting);
          ctx.print(explain(waiting, Date.now(), ctx.colors));
        }),
      ),
};

type Row = readonly [kind: string, what: string, since: string, detail: string];

/** One row per pending step, oldest first, then the server's notes as plain sentences. */
export function explain(w: InstanceWaiting, now: number, c: Colors): string {
  const ago = (iso: string): string => `${formatTime(iso)} (${formatDuration(now - Date.parse(iso))} ago)`;
  const rows: Row[] = [
    ...w.activities.map((a): Row => [
      'activity',
      a.name,
      ago(a.scheduledAt),
      `task ${a.taskId}${a.attempt > 1 ? `, attempt ${a.attempt}` : ''}`,
    ]),
    ...w.timers.map((t): Row => {
      const due = Date.parse(t.fireAt) - now;
      return [
        'timer',
        `timer ${t.timerId}`,
        ago(t.createdAt),
        due > 0
          ? `fires ${formatTime(t.fireAt)} (in ${formatDuration(due)})`
          : `was due ${formatTime(t.fireAt)}`,
      ];
    }),
    ...(w.events ?? []).map((e): Row => ['event', e.name, ago(e.since), 'raise it to continue']),
    ...w.subOrchestrations.map((s): Row => ['sub-orchestration', s.instanceId, ago(s.since), s.name]),
    ...w.entityCalls.map((e): Row => ['entity call', e.entityId, ago(e.since), e.operation]),
    ...(w.entityLocks.awaiting.length > 0
      ? [
          [
            'entity lock',
            w.entityLocks.awaiting.join(' '),
            w.entityLocks.awaitingSince !== undefined ? ago(w.entityLocks.awaitingSince) : '',
            'not granted yet',
          ] as Row,
        ]
      : []),
  ];
  rows.sort((a, b) => a[2].localeCompare(b[2]));
  const lines = [
    `${w.instanceId} (${w.name}) is ${colorStatus(w.runtimeStatus, c)} on partition ${w.partition}`,
  ];
  if (rows.length > 0) lines.push('', table(['WAITS ON', 'WHAT', 'SINCE (UTC)', 'DETAIL'], rows, c));
  if (w.entityLocks.held.length > 0) lines.push('', `holds the locks of ${w.entityLocks.held.join(' ')}`);
  if (w.notes.length > 0) lines.push('', ...w.notes.map((n) => `note: ${n}`));
  return lines.join('\n');
}
