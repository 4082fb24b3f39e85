import type { CliCommand } from '../command';
import type { EntityMetadata, EntityQuery } from '../client';
import { brief, formatTime, table } from '../format';
import { laterTimeOption, positiveIntOption, timeOption } from '../options';

interface ListOptions {
  readonly name?: string;
  readonly prefix?: string;
  readonly keyPrefix?: string;
  readonly after?: string;
  readonly before?: string;
  readonly state?: boolean;
  readonly top: number;
  readonly all?: boolean;
}

export const entitiesCommand: CliCommand = {
  register: (program, on) => {
    const entities = program
      .command('entities')
      .description('list, read, signal, delete and clean durable entities');

    entities
      .command('list')
      .description('list entities')
      .option('--name <name>', 'only entities of this name')
      .option('--prefix <namePrefix>', 'only entity names starting with this')
      .option('--key-prefix <keyPrefix>', 'with --name: only keys starting with this')
      .option('--after <time>', 'last operation at or after: ISO-8601, or an age like 1h', (v) =>
        timeOption(v),
      )
      .option('--before <time>', 'last operation at or before: ISO-8601, or an age like 1h', (v) =>
        timeOption(v),
      )
      .option('--state', 'also show each state')
      .option('--top <n>', 'at most this many', positiveIntOption, 100)
      .option('--all', 'every match, however many')
      .action(
        on(async (ctx, options: ListOptions) => {
          const query: EntityQuery = {
            ...(options.name !== undefined ? { name: options.name } : {}),
            ...(options.prefix !== undefined ? { namePrefix: options.prefix } : {}),
            ...(options.keyPrefix !== undefined ? { keyPrefix: options.keyPrefix } : {}),
            ...(options.after !== undefined ? { lastOperationTimeFrom: options.after } : {}),
            ...(options.before !== undefined ? { lastOperationTimeTo: options.before } : {}),
            fetchState: options.state === true,
          };
          const limit = options.all === true ? Infinity : options.top;
          const found: EntityMetadata[] = [];
          let token: string | undefined;
          do {
            const page = await ctx.client.entities(
              { ...query, top: Math.min(1000, limit - found.length) },
              token,
            );
            found.push(...page.items);
            token = page.continuationToken;
          } while (token !== undefined && found.length < limit);
          if (ctx.json) return ctx.printJson(found);
          if (found.length === 0) return ctx.note('no entities match');
          const head = [
            'NAME',
            'KEY',
            'LAST OPERATION (UTC)',
            'LOCKED BY',
            'QUEUED',
            ...(options.state ? ['STATE'] : []),
          ];
          const rows = found.map((e) => [
            e.entityId.name,
            e.entityId.key,
            formatTime(e.lastOperationTime),
            e.lockedBy ?? '',
            String(e.backlogQueueSize),
            ...(options.state ? [brief(e.state, 50)] : []),
          ]);
          ctx.print(table(head, rows, ctx.colors));
          if (token !== undefined) ctx.note(`showing the first ${found.length}; --top or --all for more`);
        }),
      );

    entities
      .command('get')
      .description("print an entity's state as JSON")
      .argument('<name>')
      .argument('<key>')
      .action(
        on(async (ctx, name: string, key: string) => {
          ctx.printJson(await ctx.client.entityState(name, key));
        }),
      );

    entities
      .command('signal')
      .description('signal an operation on an entity (one-way)')
      .argument('<name>')
      .argument('<key>')
      .argument('<operation>')
      .option('--input <json>', 'operation input as JSON, @file, or @- for stdin')
      .option('--at <time>', 'deliver later: at an ISO-8601 time, or after a delay like 30s, 5m', (v) =>
        laterTimeOption(v),
      )
      .action(
        on(
          async (
            ctx,
            name: string,
            key: string,
            operation: string,
            options: { input?: string; at?: string },
          ) => {
            await ctx.client.signal(
              name,
              key,
              operation,
              ctx.jsonArgument('--input', options.input),
              options.at,
            );
            if (ctx.json) ctx.printJson({ entity: { name, key }, operation, accepted: true });
            else ctx.note(`signalled ${operation} to ${name}/${key}`);
          },
        ),
      );

    entities
      .command('delete')
      .description("delete an entity's state")
      .argument('<name>')
      .argument('<key>')
      .action(
        on(async (ctx, name: string, key: string) => {
          await ctx.client.deleteEntity(name, key);
          if (ctx.json) ctx.printJson({ entity: { name, key }, deleted: true });
          else ctx.note(`deleted ${name}/${key}`);
        }),
      );

    entities
      .command('clean')
      .description('remove empty entities and release locks held by instances that no longer exist')
      .option('--keep-empty', 'do not remove empty entities')
      .option('--keep-locks', 'do not release orphaned locks')
      .action(
        on(async (ctx, options: { keepEmpty?: boolean; keepLocks?: boolean }) => {
          const result = await ctx.client.cleanEntities({
            removeEmptyEntities: options.keepEmpty !== true,
            releaseOrphanedLocks: options.keepLocks !== true,
          });
          if (ctx.json) return ctx.printJson(result);
          ctx.print(
            `removed ${result.emptyEntitiesRemoved} empty entities, released ${result.orphanedLocksReleased} orphaned locks`,
          );
        }),
      );
  },
};
