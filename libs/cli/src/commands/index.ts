import type { CliCommand } from '../command';
import { completionCommand } from './completion';
import { controlCommands } from './control';
import { devCommand } from './dev';
import { entitiesCommand } from './entities';
import { historyCommand } from './history';
import { listCommand } from './list';
import { purgeCommand } from './purge';
import { raiseCommand } from './raise';
import { restartCommand } from './restart';
import { retentionCommand } from './retention';
import { schedulesCommand } from './schedules';
import { startCommand } from './start';
import { statusCommand } from './status';
import { watchCommand } from './watch';
import { whyCommand } from './why';

/** Every command, in the order `durable --help` lists them: a new one is a file and a line here. */
export const commands: readonly CliCommand[] = [
  startCommand,
  statusCommand,
  listCommand,
  historyCommand,
  watchCommand,
  whyCommand,
  raiseCommand,
  ...controlCommands,
  restartCommand,
  purgeCommand,
  retentionCommand,
  entitiesCommand,
  schedulesCommand,
  devCommand,
  completionCommand,
];
