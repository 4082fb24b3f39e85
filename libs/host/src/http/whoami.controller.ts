import { Controller, Get, Inject, Query, Req } from '@nestjs/common';
import type { TaskHubs } from '@durable/core';
import { principalOf } from '../auth/http-auth';
import type { QueryParams } from './query';
import { durableBasePath } from './routes';
import { taskHubOf, type ServedTaskHub } from './task-hub';
import { TASK_HUBS } from './tokens';

export interface WhoAmI {
  readonly authenticated: boolean;
  readonly roles: readonly string[];
}

/**
 * Who the caller is, with its roles in the task hub the request names, for the dashboard to show
 * what it may do (auth off: an unauthenticated admin).
 */
@Controller(`${durableBasePath}/auth`)
export class WhoAmIController {
  constructor(@Inject(TASK_HUBS) private readonly hubs: TaskHubs<ServedTaskHub>) {}

  @Get('whoami')
  whoami(@Req() req: unknown, @Query() query: QueryParams): WhoAmI {
    // A hub not served answers 404 here too, rather than roles in a hub that does not exist.
    taskHubOf(this.hubs, query);
    const principal = principalOf(req);
    return { authenticated: principal.authenticated, roles: principal.roles };
  }
}
