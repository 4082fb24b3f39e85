import { Controller, Get, Inject, Query } from '@nestjs/common';
import type { InstanceCounts, InstanceService } from '@durable/runtime';
import { parseFilterQuery, type QueryParams } from './query';
import { durableBasePath } from './routes';
import { INSTANCE_SERVICE } from './tokens';

/**
 * `/instance-counts`: how many instances match the list filters, counted by the store. Not under
 * `/instances/…`, where it would hide the status of an instance named like it.
 */
@Controller(`${durableBasePath}/instance-counts`)
export class InstanceCountsController {
  constructor(@Inject(INSTANCE_SERVICE) private readonly instances: InstanceService) {}

  @Get()
  count(@Query() query: QueryParams): Promise<InstanceCounts> {
    return this.instances.count(parseFilterQuery(query));
  }
}
