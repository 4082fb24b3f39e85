import { Body, Controller, Get, HttpCode, Inject, Param, Post, Query, Req, Res } from '@nestjs/common';
import { InvalidArgumentError, type TaskHubs } from '@durable/core';
import {
  apiBaseUrlOf,
  setPollHeaders,
  traceContextOf,
  type HttpRequest,
  type HttpResponse,
} from './http-request';
import { instanceIdParam, stringParam, type QueryParams } from './query';
import { jsonBody } from './request-body';
import { durableBasePath } from './routes';
import { taskHubOf, type ServedTaskHub } from './task-hub';
import { TASK_HUBS } from './tokens';
import { checkStatusPayload, type CheckStatusPayload } from './urls';

export interface OrchestratorList {
  readonly orchestrators: ReadonlyArray<{ readonly name: string }>;
}

/**
 * `POST /orchestrators/{name}[/{instanceId}]`: starts an orchestration with the body as input;
 * `GET /orchestrators`: the names registered in this process.
 */
@Controller(`${durableBasePath}/orchestrators`)
export class OrchestratorsController {
  constructor(@Inject(TASK_HUBS) private readonly hubs: TaskHubs<ServedTaskHub>) {}

  @Get()
  list(@Query() query: QueryParams): OrchestratorList {
    const names = [...taskHubOf(this.hubs, query).instances.orchestrationNames()].sort((a, b) =>
      a.localeCompare(b),
    );
    return { orchestrators: names.map((name) => ({ name })) };
  }

  @Post(':name')
  @HttpCode(202)
  startNew(
    @Param('name') name: string,
    @Query() query: QueryParams,
    @Body() body: string | undefined,
    @Req() req: HttpRequest,
    @Res({ passthrough: true }) res: HttpResponse,
  ): Promise<CheckStatusPayload> {
    return this.start(name, undefined, query, body, req, res);
  }

  @Post(':name/:instanceId')
  @HttpCode(202)
  startWithId(
    @Param('name') name: string,
    @Param('instanceId') instanceId: string,
    @Query() query: QueryParams,
    @Body() body: string | undefined,
    @Req() req: HttpRequest,
    @Res({ passthrough: true }) res: HttpResponse,
  ): Promise<CheckStatusPayload> {
    return this.start(name, instanceIdParam(instanceId), query, body, req, res);
  }

  /**
   * Signal-with-start: raises the event on the instance, starting it first when it does not exist
   * (or has finished). 202 when this call started it, 200 when the event went to a live instance.
   */
  @Post(':name/:instanceId/raiseEvent/:eventName')
  async signalWithStart(
    @Param('name') name: string,
    @Param('instanceId') instanceId: string,
    @Param('eventName') eventName: string,
    @Query() query: QueryParams,
    @Body() body: string | undefined,
    @Req() req: HttpRequest,
    @Res({ passthrough: true }) res: HttpResponse,
  ): Promise<CheckStatusPayload> {
    const hub = taskHubOf(this.hubs, query);
    const id = instanceIdParam(instanceId);
    const { input, eventData } = signalWithStartBody(body);
    const version = stringParam(query, 'version');
    const traceContext = traceContextOf(req);
    const result = await hub.instances.signalWithStart(name, eventName, {
      instanceId: id,
      ...(input !== undefined ? { input } : {}),
      ...(eventData !== undefined ? { eventData } : {}),
      ...(version !== undefined ? { version } : {}),
      ...(traceContext !== undefined ? { traceContext } : {}),
    });
    const payload = checkStatusPayload(apiBaseUrlOf(req), id, hub.urlQuery);
    setPollHeaders(res, payload.statusQueryGetUri);
    res.status(result.started ? 202 : 200);
    return payload;
  }

  private async start(
    name: string,
    instanceId: string | undefined,
    query: QueryParams,
    body: string | undefined,
    req: HttpRequest,
    res: HttpResponse,
  ): Promise<CheckStatusPayload> {
    const hub = taskHubOf(this.hubs, query);
    const input = jsonBody(body);
    const version = stringParam(query, 'version');
    const traceContext = traceContextOf(req);
    const started = await hub.instances.start(name, {
      ...(instanceId !== undefined ? { instanceId } : {}),
      ...(traceContext !== undefined ? { traceContext } : {}),
      ...(input !== undefined ? { input } : {}),
      ...(version !== undefined ? { version } : {}),
    });
    const payload = checkStatusPayload(apiBaseUrlOf(req), started.instanceId, hub.urlQuery);
    setPollHeaders(res, payload.statusQueryGetUri);
    return payload;
  }
}

/** `{ "input": …, "eventData": … }`, both optional: each as JSON text, or undefined when absent. */
function signalWithStartBody(body: string | undefined): { input?: string; eventData?: string } {
  const text = jsonBody(body);
  if (text === undefined) return {};
  const value = JSON.parse(text) as unknown;
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new InvalidArgumentError('the body must be a JSON object: { "input": …, "eventData": … }');
  const unknown = Object.keys(value).filter((key) => key !== 'input' && key !== 'eventData');
  if (unknown.length > 0)
    throw new InvalidArgumentError(
      `unknown field(s) ${unknown.join(', ')}: the body takes input and eventData`,
    );
  const { input, eventData } = value as { input?: unknown; eventData?: unknown };
  return {
    ...(input !== undefined ? { input: JSON.stringify(input) } : {}),
    ...(eventData !== undefined ? { eventData: JSON.stringify(eventData) } : {}),
  };
}
