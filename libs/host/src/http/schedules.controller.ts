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
import type { TaskHubs } from '@durable/core';
import { ScheduleClient, ScheduleNotFoundError } from '@durable/runtime';
import {
  validateScheduleId,
  type ScheduleDescription,
  type ScheduleOptions,
  type ScheduleUpdate,
} from '@durable/schedules';
import { apiBaseUrlOf, type HttpRequest, type HttpResponse } from './http-request';
import { pageSizeParam, stringParam, type QueryParams } from './query';
import { jsonBody } from './request-body';
import { continuationTokenHeader, durableBasePath } from './routes';
import { taskHubOf, type ServedTaskHub } from './task-hub';
import { TASK_HUBS } from './tokens';

/** What a create answers: where to read the schedule once its partition has applied it. */
export interface ScheduleAccepted {
  readonly scheduleId: string;
  readonly scheduleUri: string;
}

/**
 * `/schedules`: orchestrations started on an interval or a cron expression. Each schedule is a
 * durable entity; changes are accepted (202) and applied in order in its partition.
 */
@Controller(`${durableBasePath}/schedules`)
export class SchedulesController {
  constructor(@Inject(TASK_HUBS) private readonly hubs: TaskHubs<ServedTaskHub>) {}

  @Get()
  async list(
    @Query() query: QueryParams,
    @Headers(continuationTokenHeader) token: string | undefined,
    @Res({ passthrough: true }) res: HttpResponse,
  ): Promise<readonly ScheduleDescription[]> {
    const schedules = this.client(query);
    const idPrefix = stringParam(query, 'idPrefix');
    const pageSize = pageSizeParam(query, 'top');
    const page = await schedules.list({
      ...(idPrefix !== undefined ? { idPrefix } : {}),
      ...(pageSize !== undefined ? { pageSize } : {}),
      ...(token !== undefined && token !== '' ? { continuationToken: token } : {}),
    });
    if (page.continuationToken !== undefined) res.setHeader(continuationTokenHeader, page.continuationToken);
    return page.schedules;
  }

  @Post(':scheduleId')
  @HttpCode(202)
  async create(
    @Param('scheduleId') scheduleId: string,
    @Query() query: QueryParams,
    @Body() body: string | undefined,
    @Req() req: HttpRequest,
    @Res({ passthrough: true }) res: HttpResponse,
  ): Promise<ScheduleAccepted> {
    const schedules = this.client(query);
    await schedules.create(scheduleId, scheduleBody<ScheduleOptions>(body));
    const hubQuery = taskHubOf(this.hubs, query).urlQuery;
    const scheduleUri = `${apiBaseUrlOf(req)}/schedules/${encodeURIComponent(scheduleId)}${
      hubQuery !== undefined ? `?${hubQuery}` : ''
    }`;
    res.setHeader('Location', scheduleUri);
    return { scheduleId, scheduleUri };
  }

  @Get(':scheduleId')
  async get(
    @Param('scheduleId') scheduleId: string,
    @Query() query: QueryParams,
  ): Promise<ScheduleDescription> {
    const schedule = await this.client(query).get(scheduleId);
    if (schedule === undefined) throw new ScheduleNotFoundError(scheduleId);
    return schedule;
  }

  @Delete(':scheduleId')
  @HttpCode(202)
  async delete(@Param('scheduleId') scheduleId: string, @Query() query: QueryParams): Promise<void> {
    await this.client(query).delete(scheduleId);
  }

  @Post(':scheduleId/update')
  @HttpCode(202)
  async update(
    @Param('scheduleId') scheduleId: string,
    @Query() query: QueryParams,
    @Body() body: string | undefined,
  ): Promise<void> {
    validateScheduleId(scheduleId);
    await this.client(query).update(scheduleId, scheduleBody<ScheduleUpdate>(body));
  }

  @Post(':scheduleId/pause')
  @HttpCode(202)
  async pause(@Param('scheduleId') scheduleId: string, @Query() query: QueryParams): Promise<void> {
    await this.client(query).pause(scheduleId);
  }

  @Post(':scheduleId/resume')
  @HttpCode(202)
  async resume(@Param('scheduleId') scheduleId: string, @Query() query: QueryParams): Promise<void> {
    await this.client(query).resume(scheduleId);
  }

  private client(query: QueryParams): ScheduleClient {
    return new ScheduleClient(taskHubOf(this.hubs, query).instances);
  }
}

/** The body as schedule options: the JSON object is checked field by field by the schedule itself. */
function scheduleBody<T extends ScheduleOptions | ScheduleUpdate>(body: string | undefined): T {
  const text = jsonBody(body);
  return (text === undefined ? undefined : JSON.parse(text)) as T;
}
