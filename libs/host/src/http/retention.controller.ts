import { Controller, Get, HttpCode, Inject, Post, Query } from '@nestjs/common';
import type { TaskHubs } from '@durable/core';
import type { RetentionState, SweepResult } from '@durable/retention';
import type { QueryParams } from './query';
import { durableBasePath } from './routes';
import { taskHubOf, type ServedTaskHub } from './task-hub';
import { TASK_HUBS } from './tokens';

/** `/retention`: the automatic purge of finished instances, as configured, and a sweep on demand. */
@Controller(`${durableBasePath}/retention`)
export class RetentionController {
  constructor(@Inject(TASK_HUBS) private readonly hubs: TaskHubs<ServedTaskHub>) {}

  @Get()
  state(@Query() query: QueryParams): RetentionState {
    return taskHubOf(this.hubs, query).retention.state();
  }

  @Post('sweep')
  @HttpCode(200)
  sweep(@Query() query: QueryParams): Promise<SweepResult> {
    return taskHubOf(this.hubs, query).retention.sweep();
  }
}
