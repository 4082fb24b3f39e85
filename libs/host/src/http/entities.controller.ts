import {
  Body,
  Controller,
  Delete,
  Get,
  Headers,
  HttpCode,
  Inject,
  Param,
  Post,
  Query,
  Req,
  Res,
} from '@nestjs/common';
import { entityId, type EntityId, type TaskHubs } from '@durable/core';
import type { EntityMetadata, EntityQuery } from '@durable/runtime';
import { HttpApiError } from './error-response';
import { traceContextOf, type HttpRequest, type HttpResponse } from './http-request';
import { jsonValue } from './json-value';
import { booleanParam, dateParam, pageSizeParam, stringParam, type QueryParams } from './query';
import { jsonBody } from './request-body';
import { continuationTokenHeader, durableBasePath } from './routes';
import { taskHubOf, type ServedTaskHub } from './task-hub';
import { TASK_HUBS } from './tokens';

/** An entity as `GET /entities[/{name}]` lists it. */
export interface EntityBody {
  readonly entityId: EntityId;
  readonly lastOperationTime: string;
  readonly state?: unknown;
  readonly lockedBy?: string;
  readonly backlogQueueSize: number;
}

export interface CleanEntityStorageBody {
  readonly emptyEntitiesRemoved: number;
  readonly orphanedLocksReleased: number;
}

/** `/entities`: signal, read, list, delete and clean durable entities, in the Durable Functions shape. */
@Controller(`${durableBasePath}/entities`)
export class EntitiesController {
  constructor(@Inject(TASK_HUBS) private readonly hubs: TaskHubs<ServedTaskHub>) {}

  @Get()
  listAll(
    @Query() query: QueryParams,
    @Headers(continuationTokenHeader) token: string | undefined,
    @Res({ passthrough: true }) res: HttpResponse,
  ): Promise<EntityBody[]> {
    return this.list(undefined, query, token, res);
  }

  @Post('clean')
  @HttpCode(200)
  async clean(@Query() query: QueryParams): Promise<CleanEntityStorageBody> {
    return taskHubOf(this.hubs, query).instances.cleanEntityStorage({
      removeEmptyEntities: booleanParam(query, 'removeEmptyEntities', true),
      releaseOrphanedLocks: booleanParam(query, 'releaseOrphanedLocks', true),
    });
  }

  @Get(':entityName')
  listByName(
    @Param('entityName') name: string,
    @Query() query: QueryParams,
    @Headers(continuationTokenHeader) token: string | undefined,
    @Res({ passthrough: true }) res: HttpResponse,
  ): Promise<EntityBody[]> {
    entityId(name, 'key');
    return this.list(name, query, token, res);
  }

  /** The entity's state as the body (200), as in Durable Functions; 404 when it has none. */
  @Get(':entityName/:entityKey')
  async get(
    @Param('entityName') name: string,
    @Param('entityKey') key: string,
    @Query() query: QueryParams,
    @Res() res: HttpResponse & { type(t: string): unknown; send(body: string): unknown },
  ): Promise<void> {
    const id = entityId(name, key);
    const entity = await taskHubOf(this.hubs, query).instances.getEntity(id, { includeState: true });
    if (entity?.state === undefined) {
      throw new HttpApiError(
        404,
        'EntityNotFoundError',
        `entity '${id.name}' with key '${key}' has no state`,
      );
    }
    res.status(200);
    res.type('application/json');
    res.send(entity.state);
  }

  @Post(':entityName/:entityKey')
  @HttpCode(202)
  async signal(
    @Param('entityName') name: string,
    @Param('entityKey') key: string,
    @Query() query: QueryParams,
    @Body() body: string | undefined,
    @Req() req: HttpRequest,
  ): Promise<void> {
    const id = entityId(name, key);
    const hub = taskHubOf(this.hubs, query);
    const operation = stringParam(query, 'op');
    if (operation === undefined) {
      throw new HttpApiError(
        400,
        'InvalidArgumentError',
        "query parameter 'op' (the operation name) is required",
      );
    }
    const scheduledTime = dateParam(query, 'scheduledTime');
    const traceContext = traceContextOf(req);
    await hub.instances.signalEntity(id, operation, jsonBody(body), {
      ...(scheduledTime !== undefined ? { scheduledTime } : {}),
      ...(traceContext !== undefined ? { traceContext } : {}),
    });
  }

  @Delete(':entityName/:entityKey')
  @HttpCode(202)
  async delete(
    @Param('entityName') name: string,
    @Param('entityKey') key: string,
    @Query() query: QueryParams,
  ): Promise<void> {
    const hub = taskHubOf(this.hubs, query);
    await hub.instances.deleteEntity(entityId(name, key));
  }

  private async list(
    name: string | undefined,
    query: QueryParams,
    token: string | undefined,
    res: HttpResponse,
  ): Promise<EntityBody[]> {
    const hub = taskHubOf(this.hubs, query);
    const lastModifiedFrom = dateParam(query, 'lastOperationTimeFrom');
    const lastModifiedTo = dateParam(query, 'lastOperationTimeTo');
    const pageSize = pageSizeParam(query, 'top');
    const keyPrefix = stringParam(query, 'keyPrefix');
    const namePrefix = stringParam(query, 'namePrefix');
    const filter: EntityQuery = {
      ...(name !== undefined ? { name } : {}),
      ...(keyPrefix !== undefined ? { keyPrefix } : {}),
      ...(namePrefix !== undefined ? { namePrefix } : {}),
      ...(lastModifiedFrom !== undefined ? { lastModifiedFrom } : {}),
      ...(lastModifiedTo !== undefined ? { lastModifiedTo } : {}),
      ...(pageSize !== undefined ? { pageSize } : {}),
      ...(token !== undefined && token !== '' ? { continuationToken: token } : {}),
      includeState: booleanParam(query, 'fetchState', false),
    };
    if (keyPrefix !== undefined && name === undefined) {
      throw new HttpApiError(
        400,
        'InvalidArgumentError',
        "'keyPrefix' needs an entity name: GET /entities/{name}",
      );
    }
    const page = await hub.instances.queryEntities(filter);
    if (page.continuationToken !== undefined) res.setHeader(continuationTokenHeader, page.continuationToken);
    return page.entities.map((e) => entityBody(e, filter.includeState === true));
  }
}

function entityBody(entity: EntityMetadata, includeState: boolean): EntityBody {
  return {
    entityId: entity.entityId,
    lastOperationTime: entity.lastModifiedTime,
    ...(includeState ? { state: jsonValue(entity.state) } : {}),
    ...(entity.lockedBy !== undefined ? { lockedBy: entity.lockedBy } : {}),
    backlogQueueSize: entity.backlogQueueSize,
  };
}
