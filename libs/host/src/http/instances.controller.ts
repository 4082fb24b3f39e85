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
import { InstanceNotFoundError, type TaskHubs } from '@durable/core';
import type { InstanceWaiting } from '@durable/runtime';
import { HttpApiError } from './error-response';
import {
  apiBaseUrlOf,
  setPollHeaders,
  traceContextOf,
  type HttpRequest,
  type HttpResponse,
} from './http-request';
import {
  booleanParam,
  instanceIdParam,
  parseListQuery,
  parsePurgeQuery,
  parseStatusQuery,
  stringParam,
  type QueryParams,
} from './query';
import { jsonBody } from './request-body';
import { resetTargetParam } from './reset-query';
import { continuationTokenHeader, durableBasePath } from './routes';
import { statusBody, statusHttpCode, type StatusBody } from './status-body';
import { taskHubOf, type RequestTaskHub, type ServedTaskHub } from './task-hub';
import { TASK_HUBS } from './tokens';
import { checkStatusPayload, statusQueryUri, type CheckStatusPayload } from './urls';

export interface PurgeResult {
  readonly instancesDeleted: number;
}

/** `/instances`: query, signal, control and purge orchestration instances. */
@Controller(`${durableBasePath}/instances`)
export class InstancesController {
  constructor(@Inject(TASK_HUBS) private readonly hubs: TaskHubs<ServedTaskHub>) {}

  private hub(query: QueryParams): RequestTaskHub {
    return taskHubOf(this.hubs, query);
  }

  @Get()
  async list(
    @Query() query: QueryParams,
    @Headers(continuationTokenHeader) continuationToken: string | undefined,
    @Res({ passthrough: true }) res: HttpResponse,
  ): Promise<StatusBody[]> {
    const hub = this.hub(query);
    const filter = parseListQuery(query, continuationToken);
    const page = await hub.instances.list(filter);
    if (page.continuationToken !== undefined) res.setHeader(continuationTokenHeader, page.continuationToken);
    const options = { showInput: filter.includeInput ?? true, showHistory: false, showHistoryOutput: false };
    return page.instances.map((status) => statusBody(status, options));
  }

  @Get(':instanceId')
  async status(
    @Param('instanceId') id: string,
    @Query() query: QueryParams,
    @Req() req: HttpRequest,
    @Res({ passthrough: true }) res: HttpResponse,
  ): Promise<StatusBody> {
    const instanceId = instanceIdParam(id);
    const hub = this.hub(query);
    const flags = parseStatusQuery(query);
    const status = await hub.instances.getStatus(instanceId, {
      includeInput: flags.showInput,
      includeOutput: true,
      includeHistory: flags.showHistory,
    });
    if (status === undefined) throw new InstanceNotFoundError(instanceId);
    const code = statusHttpCode(status.runtimeStatus, flags.returnInternalServerErrorOnFailure);
    res.status(code);
    if (code === 202) setPollHeaders(res, statusQueryUri(apiBaseUrlOf(req), instanceId, hub.urlQuery));
    return statusBody(status, flags);
  }

  /** What a live instance waits on now: open activities, timers, awaited events, locks, notes. */
  @Get(':instanceId/waiting')
  async waiting(@Param('instanceId') id: string, @Query() query: QueryParams): Promise<InstanceWaiting> {
    const instanceId = instanceIdParam(id);
    const waiting = await this.hub(query).instances.getWaiting(instanceId);
    if (waiting === undefined) throw new InstanceNotFoundError(instanceId);
    return waiting;
  }

  @Post(':instanceId/raiseEvent/:eventName')
  @HttpCode(202)
  async raiseEvent(
    @Param('instanceId') id: string,
    @Param('eventName') eventName: string,
    @Query() query: QueryParams,
    @Body() body: string | undefined,
    @Req() req: HttpRequest,
  ): Promise<void> {
    const instanceId = instanceIdParam(id);
    const hub = this.hub(query);
    const traceContext = traceContextOf(req);
    await hub.instances.raiseEvent(
      instanceId,
      eventName,
      jsonBody(body),
      traceContext !== undefined ? { traceContext } : {},
    );
  }

  @Post(':instanceId/terminate')
  @HttpCode(202)
  async terminate(@Param('instanceId') id: string, @Query() query: QueryParams): Promise<void> {
    const instanceId = instanceIdParam(id);
    const reason = stringParam(query, 'reason');
    const recursive = booleanParam(query, 'recursive', false);
    await this.hub(query).instances.terminate(instanceId, reason, recursive ? { recursive } : undefined);
  }

  @Post(':instanceId/suspend')
  @HttpCode(202)
  async suspend(@Param('instanceId') id: string, @Query() query: QueryParams): Promise<void> {
    const instanceId = instanceIdParam(id);
    await this.hub(query).instances.suspend(instanceId, stringParam(query, 'reason'));
  }

  @Post(':instanceId/resume')
  @HttpCode(202)
  async resume(@Param('instanceId') id: string, @Query() query: QueryParams): Promise<void> {
    const instanceId = instanceIdParam(id);
    await this.hub(query).instances.resume(instanceId, stringParam(query, 'reason'));
  }

  @Post(':instanceId/rewind')
  @HttpCode(202)
  async rewind(@Param('instanceId') id: string, @Query() query: QueryParams): Promise<void> {
    const instanceId = instanceIdParam(id);
    await this.hub(query).instances.rewind(instanceId, stringParam(query, 'reason'));
  }

  /** Re-runs a finished instance from a point of its history (see InstanceService.reset). */
  @Post(':instanceId/reset')
  @HttpCode(202)
  async reset(@Param('instanceId') id: string, @Query() query: QueryParams): Promise<void> {
    const instanceId = instanceIdParam(id);
    const hub = this.hub(query);
    const target = resetTargetParam(query);
    await hub.instances.reset(instanceId, target, stringParam(query, 'reason'));
  }

  @Post(':instanceId/restart')
  @HttpCode(202)
  async restart(
    @Param('instanceId') id: string,
    @Query() query: QueryParams,
    @Req() req: HttpRequest,
    @Res({ passthrough: true }) res: HttpResponse,
  ): Promise<CheckStatusPayload> {
    const instanceId = instanceIdParam(id);
    const hub = this.hub(query);
    const newInstanceId = booleanParam(query, 'restartWithNewInstanceId', true);
    const restarted = await hub.instances.restart(instanceId, { newInstanceId });
    const payload = checkStatusPayload(apiBaseUrlOf(req), restarted.instanceId, hub.urlQuery);
    setPollHeaders(res, payload.statusQueryGetUri);
    return payload;
  }

  @Delete(':instanceId')
  async purge(@Param('instanceId') id: string, @Query() query: QueryParams): Promise<PurgeResult> {
    const instanceId = instanceIdParam(id);
    if (!(await this.hub(query).instances.purge(instanceId))) throw new InstanceNotFoundError(instanceId);
    return { instancesDeleted: 1 };
  }

  @Delete()
  async purgeWhere(@Query() query: QueryParams): Promise<PurgeResult> {
    const hub = this.hub(query);
    const instancesDeleted = await hub.instances.purgeWhere(parsePurgeQuery(query));
    if (instancesDeleted === 0) {
      throw new HttpApiError(404, 'InstanceNotFoundError', 'no finished instance matched the purge filter');
    }
    return { instancesDeleted };
  }
}
