// The OpenAPI part of schedules and signal-with-start; `openapi.ts` passes its helpers in.
type Json = Readonly<Record<string, unknown>>;

type ErrorName = 'BadRequest' | 'NotFound' | 'Conflict' | 'Gone' | 'PayloadTooLarge';

export interface OpenApiHelpers {
  readonly ref: (kind: 'schemas' | 'responses' | 'parameters' | 'headers', name: string) => Json;
  readonly json: (schema: Json) => Json;
  readonly query: (name: string, schema: Json, description: string, required?: boolean) => Json;
  readonly errorResponses: (...names: ErrorName[]) => Json;
  readonly pollHeaders: Json;
  readonly continuationTokenHeader: string;
}

const scheduleIdParameter: Json = {
  name: 'scheduleId',
  in: 'path',
  required: true,
  description:
    "1 to 200 characters; no '/', backslash, '#', '?' or control characters, and no leading '@'. " +
    'Each tick starts the instance `<scheduleId>-<tick time, ISO-8601>`.',
  schema: { type: 'string', minLength: 1, maxLength: 200 },
};

const scheduleOptionsProperties: Json = {
  orchestrationName: { type: 'string', description: 'The orchestration each tick starts.' },
  input: { description: 'Its input: any JSON value.' },
  interval: {
    oneOf: [
      { type: 'string', example: '15m' },
      { type: 'integer', minimum: 1000 },
    ],
    description: 'Ticks every span (30s, 15m, 12h, 1d, 500ms, or ms; at least 1 s), from startAt.',
  },
  cron: {
    type: 'string',
    example: '0 9 * * 1-5',
    description: 'A cron expression: five fields, or six with seconds first. Instead of interval.',
  },
  timeZone: {
    type: 'string',
    example: 'Europe/Paris',
    description: 'IANA zone of the cron expression (UTC).',
  },
  startAt: {
    type: 'string',
    format: 'date-time',
    description: 'No tick before; the anchor of interval ticks (default: the creation time).',
  },
  endAt: { type: 'string', format: 'date-time', description: 'No tick after.' },
  catchupPolicy: {
    type: 'string',
    enum: ['all', 'latest'],
    description: 'Ticks missed (downtime): start each one (all, default) or only the most recent (latest).',
  },
  catchupWindow: {
    oneOf: [{ type: 'string', example: '1h' }, { type: 'integer' }],
    description: 'A missed tick older than this is skipped (default 1d, at least 1 s).',
  },
};

export function scheduleSchemas(): Json {
  return {
    ScheduleOptions: {
      type: 'object',
      additionalProperties: false,
      required: ['orchestrationName'],
      description: 'Exactly one of interval and cron.',
      properties: scheduleOptionsProperties,
    },
    ScheduleUpdate: {
      type: 'object',
      additionalProperties: false,
      description: 'The fields to change; null removes an optional one. interval replaces cron and back.',
      properties: scheduleOptionsProperties,
    },
    Schedule: {
      type: 'object',
      required: [
        'scheduleId',
        'orchestrationName',
        'catchupPolicy',
        'catchupWindow',
        'status',
        'createdAt',
        'lastUpdatedAt',
        'runs',
      ],
      properties: {
        scheduleId: { type: 'string' },
        orchestrationName: { type: 'string' },
        input: {},
        interval: { type: 'integer', description: 'Milliseconds.' },
        cron: { type: 'string' },
        timeZone: { type: 'string' },
        startAt: { type: 'string', format: 'date-time' },
        endAt: { type: 'string', format: 'date-time' },
        catchupPolicy: { type: 'string', enum: ['all', 'latest'] },
        catchupWindow: { type: 'integer', description: 'Milliseconds.' },
        status: { type: 'string', enum: ['Active', 'Paused', 'Ended'] },
        createdAt: { type: 'string', format: 'date-time' },
        lastUpdatedAt: { type: 'string', format: 'date-time' },
        nextRunAt: { type: 'string', format: 'date-time' },
        lastRunAt: { type: 'string', format: 'date-time' },
        lastInstanceId: { type: 'string' },
        runs: { type: 'integer', description: 'Orchestrations started so far.' },
      },
    },
    ScheduleAccepted: {
      type: 'object',
      required: ['scheduleId', 'scheduleUri'],
      properties: { scheduleId: { type: 'string' }, scheduleUri: { type: 'string', format: 'uri' } },
    },
  };
}

export function schedulePaths(base: string, h: OpenApiHelpers): Record<string, Json> {
  const accepted = { '202': { description: 'Accepted: applied in order by the schedule.' } };
  const action = (operationId: string, summary: string): Json => ({
    post: {
      operationId,
      summary,
      tags: ['schedules'],
      parameters: [scheduleIdParameter],
      responses: { ...accepted, ...h.errorResponses('BadRequest', 'NotFound') },
    },
  });
  return {
    [`${base}/orchestrators/{name}/{instanceId}/raiseEvent/{eventName}`]: {
      post: {
        operationId: 'signalWithStart',
        summary: 'Raise an event on an instance, starting it first if it does not exist (signal-with-start)',
        description:
          'One step: when no live instance has the id, the start and the event are written together, ' +
          'so of concurrent callers one starts it and every event is delivered, after the start.',
        tags: ['orchestrators'],
        parameters: [
          {
            name: 'name',
            in: 'path',
            required: true,
            schema: { type: 'string' },
            description: 'Orchestrator name.',
          },
          h.ref('parameters', 'instanceId'),
          { name: 'eventName', in: 'path', required: true, schema: { type: 'string', minLength: 1 } },
          h.query('version', { type: 'string' }, 'Orchestration version, when it starts.'),
        ],
        requestBody: {
          required: false,
          description: 'Both optional: the input if it starts, and the event data.',
          content: h.json({
            type: 'object',
            additionalProperties: false,
            properties: { input: {}, eventData: {} },
          }),
        },
        responses: {
          '200': {
            description: 'The event was sent to the live instance.',
            headers: h.pollHeaders,
            content: h.json(h.ref('schemas', 'CheckStatus')),
          },
          '202': {
            description: 'This call started the instance, with the event.',
            headers: h.pollHeaders,
            content: h.json(h.ref('schemas', 'CheckStatus')),
          },
          ...h.errorResponses('BadRequest', 'NotFound', 'PayloadTooLarge'),
        },
      },
    },
    [`${base}/schedules`]: {
      get: {
        operationId: 'listSchedules',
        summary: 'List schedules',
        tags: ['schedules'],
        parameters: [
          h.query('idPrefix', { type: 'string' }, 'Only schedules whose id starts with this.'),
          h.query('top', { type: 'integer', minimum: 1, maximum: 1000 }, 'Page size (default 100).'),
          {
            name: h.continuationTokenHeader,
            in: 'header',
            required: false,
            schema: { type: 'string' },
            description: 'The token of the page to read, from the previous response.',
          },
        ],
        responses: {
          '200': {
            description: 'A page of schedules; more follow when the response has the continuation header.',
            content: h.json({ type: 'array', items: h.ref('schemas', 'Schedule') }),
          },
          ...h.errorResponses('BadRequest'),
        },
      },
    },
    [`${base}/schedules/{scheduleId}`]: {
      get: {
        operationId: 'getSchedule',
        summary: 'Get a schedule: its spec, status, next and last run',
        tags: ['schedules'],
        parameters: [scheduleIdParameter],
        responses: {
          '200': { description: 'The schedule.', content: h.json(h.ref('schemas', 'Schedule')) },
          ...h.errorResponses('BadRequest', 'NotFound'),
        },
      },
      post: {
        operationId: 'createSchedule',
        summary: 'Create a schedule that starts an orchestration on an interval or a cron expression',
        tags: ['schedules'],
        parameters: [scheduleIdParameter],
        requestBody: { required: true, content: h.json(h.ref('schemas', 'ScheduleOptions')) },
        responses: {
          '202': {
            description: 'Accepted; readable at scheduleUri (Location) once its partition applied it.',
            headers: { Location: h.ref('headers', 'Location') },
            content: h.json(h.ref('schemas', 'ScheduleAccepted')),
          },
          ...h.errorResponses('BadRequest', 'NotFound', 'Conflict', 'PayloadTooLarge'),
        },
      },
      delete: {
        operationId: 'deleteSchedule',
        summary: 'Delete a schedule (the orchestrations it started stay)',
        tags: ['schedules'],
        parameters: [scheduleIdParameter],
        responses: { ...accepted, ...h.errorResponses('BadRequest', 'NotFound') },
      },
    },
    [`${base}/schedules/{scheduleId}/update`]: {
      post: {
        operationId: 'updateSchedule',
        summary: 'Change fields of a schedule; its next tick is planned anew',
        tags: ['schedules'],
        parameters: [scheduleIdParameter],
        requestBody: { required: true, content: h.json(h.ref('schemas', 'ScheduleUpdate')) },
        responses: { ...accepted, ...h.errorResponses('BadRequest', 'NotFound', 'PayloadTooLarge') },
      },
    },
    [`${base}/schedules/{scheduleId}/pause`]: action(
      'pauseSchedule',
      'Pause a schedule: no tick starts anything',
    ),
    [`${base}/schedules/{scheduleId}/resume`]: action(
      'resumeSchedule',
      'Resume a paused schedule from now on (ticks missed while paused are not caught up)',
    ),
  };
}
