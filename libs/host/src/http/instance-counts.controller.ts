import { Controller, Get, Inject, Query } from '@nestjs/common';
import type { TaskHubs } from '@durable/core';
import type { InstanceCounts } from '@durable/runtime';
import { parseFilterQuery, type QueryParams } from './query';
import { durableBasePath } from './routes';
import { taskHubOf, type ServedTaskHub } from './task-hub';
import { TASK_HUBS } from './tokens';

/**
 * `/instance-counts`: how many instances match the list filters, counted by the store. Not under
 * `/instances/…`, where it would hide the status of an instance named like it.
 */
@Controller(`${durableBasePath}/instance-counts`)
export class InstanceCountsController {
  constructor(@Inject(TASK_HUBS) private readonly hubs: TaskHubs<ServedTaskHub>) {}

  @Get()
  count(@Query() query: QueryParams): Promise<InstanceCounts> {
    return taskHubOf(this.hubs, query).instances.count(parseFilterQuery(query));
  }
}
