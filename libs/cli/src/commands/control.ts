import type { CliCommand } from '../command';

const operations = {
  terminate: 'terminate a running instance',
  suspend: 'suspend a running instance (it keeps its events until resumed)',
  resume: 'resume a suspended instance',
  rewind: 'rewind a failed instance to retry its failed steps',
} as const;

const pastTense = { terminate: 'terminated', suspend: 'suspended', resume: 'resumed', rewind: 'rewound' };

/** The four operations that take an instance and a reason. */
export const controlCommands: CliCommand[] = (Object.keys(operations) as (keyof typeof operations)[]).map(
  (operation) => ({
    register: (program, on) => {
      const command = program
        .command(operation)
        .description(operations[operation])
        .argument('<instanceId>')
        .option('--reason <text>', 'recorded with the operation');
      if (operation === 'terminate') command.option('--recursive', 'also terminate its sub-orchestrations');
      command.action(
        on(async (ctx, instanceId: string, options: { reason?: string; recursive?: boolean }) => {
          await ctx.client.control(instanceId, operation, {
            reason: options.reason,
            ...(options.recursive === true ? { recursive: true } : {}),
          });
          if (ctx.json) ctx.printJson({ instanceId, operation, accepted: true });
          else ctx.note(`${pastTense[operation]} ${instanceId}`);
        }),
      );
    },
  }),
);
