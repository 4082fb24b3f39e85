import { RuntimeStatus } from '@durable/core';
import { schedulePaths, scheduleSchemas } from './openapi-schedules';
import { continuationTokenHeader, durableBasePath, retryAfterSeconds } from './routes';

type Json = Readonly<Record<string, unknown>>;

const ref = (kind: 'schemas' | 'responses' | 'parameters' | 'headers', name: string): Json => ({
  $ref: `#/components/${kind}/${name}`,
});

const json = (schema: Json): Json => ({ 'application/json': { schema } });

// Every operation that needs a role can answer these (the access table: libs/auth).
const authResponses = { '401': ref('responses', 'Unauthorized'), '403': ref('responses', 'Forbidden') };

const errorResponses = (
  ...names: ReadonlyArray<'BadRequest' | 'NotFound' | 'Conflict' | 'Gone' | 'PayloadTooLarge'>
) => ({
  ...authResponses,
  ...Object.fromEntries(
    names.map((name) => [
      { BadRequest: '400', NotFound: '404', Conflict: '409', Gone: '410', PayloadTooLarge: '413' }[name],
      ref('responses', name),
    ]),
  ),
  '500': ref('responses', 'InternalServerError'),
});

const pollHeaders = { Location: ref('headers', 'Location'), 'Retry-After': ref('headers', 'RetryAfter') };

const query = (name: string, schema: Json, description: string, required = false): Json => ({
  name,
  in: 'query',
  required,
  schema,
  description,
});

const flag = (name: string, byDefault: boolean, description: string): Json =>
  query(name, { type: 'boolean', default: byDefault }, description);

const reason = query('reason', { type: 'string' }, 'Why; recorded in the instance history.');

const createdFrom = query(
  'createdTimeFrom',
  { type: 'string', format: 'date-time' },
  'Only instances created at or after this time (ISO-8601; UTC when no offset).',
);
const createdTo = query(
  'createdTimeTo',
  { type: 'string', format: 'date-time' },
  'Only instances created at or before this time (ISO-8601; UTC when no offset).',
);

const statusFilter = query(
  'runtimeStatus',
  { type: 'string', example: 'Running,Pending' },
  `Comma-separated runtime statuses: ${Object.values(RuntimeStatus).join(', ')}.`,
);

// The filters `GET /instances` and `GET /instance-counts` share.
const instanceFilters: readonly Json[] = [
  createdFrom,
  createdTo,
  statusFilter,
  query('name', { type: 'string' }, 'Only instances of this orchestration name (exact).'),
  query('instanceIdPrefix', { type: 'string' }, 'Only instances whose id starts with this.'),
  query(
    'instanceIdContains',
    { type: 'string' },
    'Only instances whose id contains this text (case-sensitive).',
  ),
];

const controlOperation = (operationId: string, summary: string, extra: readonly Json[] = []): Json => ({
  post: {
    operationId,
    summary,
    tags: ['instances'],
    parameters: [ref('parameters', 'instanceId'), reason, ...extra],
    responses: { '202': { description: 'Accepted.' }, ...errorResponses('BadRequest', 'NotFound', 'Gone') },
  },
});

const startOperation = (operationId: string, withId: boolean): Json => ({
  post: {
    operationId,
    summary: withId
      ? 'Start an orchestration under a given instance id'
      : 'Start an orchestration under a new instance id',
    tags: ['orchestrators'],
    parameters: [
      {
        name: 'name',
        in: 'path',
        required: true,
        schema: { type: 'string' },
        description: 'Orchestrator name.',
      },
      ...(withId ? [ref('parameters', 'instanceId')] : []),
      query('version', { type: 'string' }, 'Orchestration version.'),
    ],
    requestBody: {
      required: false,
      description: 'The orchestration input: any JSON value. An empty body starts it without input.',
      content: { 'application/json': { schema: {} } },
    },
    responses: {
      '202': { description: 'Started.', headers: pollHeaders, content: json(ref('schemas', 'CheckStatus')) },
      ...errorResponses('BadRequest', 'NotFound', 'Conflict', 'PayloadTooLarge'),
    },
  },
});

const statusSchema: Json = {
  type: 'object',
  required: [
    'name',
    'instanceId',
    'runtimeStatus',
    'input',
    'customStatus',
    'output',
    'createdTime',
    'lastUpdatedTime',
  ],
  properties: {
    name: { type: 'string' },
    instanceId: { type: 'string' },
    runtimeStatus: ref('schemas', 'RuntimeStatus'),
    input: { nullable: true, description: 'The input as JSON; null when absent or not asked for.' },
    customStatus: { nullable: true, description: 'The custom status as JSON; null when none.' },
    output: { nullable: true, description: 'The output as JSON; null when none.' },
    createdTime: { type: 'string', format: 'date-time' },
    lastUpdatedTime: { type: 'string', format: 'date-time' },
    historyEvents: {
      type: 'array',
      description: 'With showHistory=true: the history of the current execution.',
      items: ref('schemas', 'HistoryEvent'),
    },
    failureDetails: ref('schemas', 'FailureDetails'),
    version: { type: 'string', description: 'When started with a version.' },
    tags: {
      type: 'object',
      additionalProperties: { type: 'string' },
      description: 'When started with tags.',
    },
    parentInstanceId: {
      type: 'string',
      description: 'For a sub-orchestration: the instance that started it.',
    },
    completedTime: { type: 'string', format: 'date-time', description: 'When it finished.' },
  },
};

const time: Json = { type: 'string', format: 'date-time' };
const objectOf = (properties: Record<string, Json>): Json => ({
  type: 'object',
  required: Object.keys(properties),
  properties,
});

const retainedStatusesOf = (value: Json, description: string): Json => ({
  type: 'object',
  description,
  properties: Object.fromEntries(['Completed', 'Failed', 'Terminated', 'Canceled'].map((s) => [s, value])),
});

const waitingSchema: Json = objectOf({
  instanceId: { type: 'string' },
  name: { type: 'string' },
  runtimeStatus: ref('schemas', 'RuntimeStatus'),
  partition: { type: 'integer', description: 'The partition of the instance log holding its messages.' },
  partitionOwned: {
    type: 'boolean',
    nullable: true,
    description:
      "Whether an orchestration worker holds that partition now (the log's consumer-group assignment); " +
      'null when unknown: finished, rebalancing, or the log could not be asked.',
  },
  activities: {
    type: 'array',
    items: objectOf({
      taskId: { type: 'integer' },
      name: { type: 'string' },
      scheduledAt: time,
      attempt: { type: 'integer', minimum: 1, description: '1 + earlier failed tries with the same input.' },
    }),
  },
  timers: { type: 'array', items: objectOf({ timerId: { type: 'integer' }, createdAt: time, fireAt: time }) },
  events: {
    type: 'array',
    nullable: true,
    description:
      'External events awaited, oldest wait first, as the orchestration worker recorded them after the ' +
      'last episode it ran; null when unknown (a remote gRPC worker runs the orchestration).',
    items: objectOf({ name: { type: 'string' }, since: time }),
  },
  subOrchestrations: {
    type: 'array',
    items: objectOf({
      taskId: { type: 'integer' },
      instanceId: { type: 'string' },
      name: { type: 'string' },
      since: time,
    }),
  },
  entityCalls: {
    type: 'array',
    items: objectOf({
      requestId: { type: 'string' },
      entityId: { type: 'string' },
      operation: { type: 'string' },
      since: time,
    }),
  },
  entityLocks: {
    type: 'object',
    required: ['held', 'awaiting'],
    properties: {
      held: { type: 'array', items: { type: 'string' }, description: 'Entity instance ids (@name@key).' },
      awaiting: { type: 'array', items: { type: 'string' } },
      awaitingSince: time,
    },
  },
  notes: { type: 'array', items: { type: 'string' } },
});

const uri = (description: string): Json => ({ type: 'string', format: 'uri', description });
// The action URLs keep Durable Functions' `{text}` / `{eventName}` placeholders, which a URI may not hold.
const uriTemplate = (description: string): Json => ({ type: 'string', format: 'uri-template', description });

/** The OpenAPI 3.0 description of the durable HTTP API, optionally naming the server it is served from. */
export function openApiDocument(serverUrl?: string): Json {
  const base = durableBasePath;
  const instance = `${base}/instances/{instanceId}`;
  return {
    openapi: '3.0.3',
    info: {
      title: 'Durable HTTP management API',
      version: '1.0.0',
      description:
        "Start, query and control orchestration instances; the shape of Azure Durable Functions' HTTP API. " +
        'Every error answers { error, message } with a stable error name.',
    },
    ...(serverUrl !== undefined ? { servers: [{ url: serverUrl }] } : {}),
    tags: [{ name: 'orchestrators' }, { name: 'instances' }, { name: 'meta' }],
    security: [{ bearer: [] }],
    paths: withTaskHub({
      [`${base}/orchestrators`]: {
        get: {
          operationId: 'listOrchestrators',
          summary: 'List the orchestrations registered in this process (the names a start accepts)',
          tags: ['orchestrators'],
          responses: {
            '200': {
              description: 'The registered names, sorted.',
              content: json(ref('schemas', 'OrchestratorList')),
            },
            ...authResponses,
            '500': ref('responses', 'InternalServerError'),
          },
        },
      },
      [`${base}/orchestrators/{name}`]: startOperation('startOrchestration', false),
      [`${base}/orchestrators/{name}/{instanceId}`]: startOperation('startOrchestrationWithId', true),
      [`${base}/instances`]: {
        get: {
          operationId: 'listInstances',
          summary: 'List instances, a page at a time',
          tags: ['instances'],
          parameters: [
            ...instanceFilters,
            query(
              'orderBy',
              { type: 'string', enum: ['createdTime', 'lastUpdatedTime'], default: 'createdTime' },
              'The time to order by; ties by instance id. A continuation token holds for its order only.',
            ),
            flag('descending', false, 'Newest first.'),
            query('top', { type: 'integer', minimum: 1, maximum: 1000 }, 'Page size (default 100).'),
            flag('showInput', true, 'Include each input.'),
            {
              name: continuationTokenHeader,
              in: 'header',
              required: false,
              schema: { type: 'string' },
              description: 'The token from the previous page.',
            },
          ],
          responses: {
            '200': {
              description: 'A page of instances.',
              headers: {
                [continuationTokenHeader]: {
                  description: 'Present when more instances follow: send it back to get the next page.',
                  schema: { type: 'string' },
                },
              },
              content: json({ type: 'array', items: ref('schemas', 'InstanceStatus') }),
            },
            ...errorResponses('BadRequest'),
          },
        },
        delete: {
          operationId: 'purgeInstances',
          summary: 'Purge the history of finished instances matching a filter',
          tags: ['instances'],
          parameters: [
            { ...createdFrom, required: true },
            createdTo,
            {
              ...statusFilter,
              description: 'Comma-separated finished statuses: Completed, Failed, Terminated, Canceled.',
            },
          ],
          responses: {
            '200': { description: 'Purged.', content: json(ref('schemas', 'PurgeResult')) },
            ...errorResponses('BadRequest', 'NotFound'),
          },
        },
      },
      [`${base}/instance-counts`]: {
        get: {
          operationId: 'countInstances',
          summary: 'Count the instances matching the list filters, per runtime status',
          description:
            'Counted by the store (one query per status), without paging or a cap. byRuntimeStatus has ' +
            'the statuses asked for, or every status when none is.',
          tags: ['instances'],
          parameters: instanceFilters,
          responses: {
            '200': { description: 'The counts.', content: json(ref('schemas', 'InstanceCounts')) },
            ...errorResponses('BadRequest'),
          },
        },
      },
      [instance]: {
        get: {
          operationId: 'getInstanceStatus',
          summary: 'Get the status of an instance',
          tags: ['instances'],
          parameters: [
            ref('parameters', 'instanceId'),
            flag('showHistory', false, 'Include the execution history.'),
            flag('showHistoryOutput', false, 'Include payloads (inputs, results) in the history.'),
            flag('showInput', true, 'Include the input.'),
            flag(
              'returnInternalServerErrorOnFailure',
              false,
              'Answer 500 instead of 400 when the instance failed.',
            ),
          ],
          responses: {
            '200': { description: 'Completed.', content: json(ref('schemas', 'InstanceStatus')) },
            '202': {
              description: 'Pending, Running, Suspended or ContinuedAsNew: poll again.',
              headers: pollHeaders,
              content: json(ref('schemas', 'InstanceStatus')),
            },
            '400': {
              description:
                'Failed, Terminated or Canceled (status body); or an invalid id or flag (error body).',
              content: json({ oneOf: [ref('schemas', 'InstanceStatus'), ref('schemas', 'Error')] }),
            },
            ...authResponses,
            '404': ref('responses', 'NotFound'),
            '500': {
              description:
                'Failed, with returnInternalServerErrorOnFailure=true (status body); or a server fault.',
              content: json({ oneOf: [ref('schemas', 'InstanceStatus'), ref('schemas', 'Error')] }),
            },
          },
        },
        delete: {
          operationId: 'purgeInstance',
          summary: 'Purge a finished instance and its history',
          tags: ['instances'],
          parameters: [ref('parameters', 'instanceId')],
          responses: {
            '200': { description: 'Purged.', content: json(ref('schemas', 'PurgeResult')) },
            ...errorResponses('BadRequest', 'NotFound'),
          },
        },
      },
      [`${instance}/waiting`]: {
        get: {
          operationId: 'getInstanceWaiting',
          summary: 'What a live instance waits on now',
          description:
            'Computed from the history of the current execution: activities scheduled and not answered ' +
            '(with the attempt of a retried one), timers not fired, sub-orchestrations not finished, entity ' +
            'calls and locks; the external events awaited as the orchestration worker recorded them (null ' +
            'when a remote worker runs the code); whether the partition has an owner; notes for what no ' +
            'pending step explains (suspended, no owner, no connected worker for the name). A finished ' +
            'instance waits on nothing.',
          tags: ['instances'],
          parameters: [ref('parameters', 'instanceId')],
          responses: {
            '200': { description: 'What it waits on.', content: json(ref('schemas', 'InstanceWaiting')) },
            ...errorResponses('BadRequest', 'NotFound'),
          },
        },
      },
      [`${instance}/raiseEvent/{eventName}`]: {
        post: {
          operationId: 'raiseEvent',
          summary: 'Raise an external event on an instance',
          tags: ['instances'],
          parameters: [
            ref('parameters', 'instanceId'),
            { name: 'eventName', in: 'path', required: true, schema: { type: 'string' } },
          ],
          requestBody: {
            required: false,
            description: 'The event data: any JSON value.',
            content: { 'application/json': { schema: {} } },
          },
          responses: {
            '202': { description: 'Accepted.' },
            ...errorResponses('BadRequest', 'NotFound', 'Gone', 'PayloadTooLarge'),
          },
        },
      },
      [`${instance}/terminate`]: controlOperation('terminateInstance', 'Terminate a running instance', [
        flag('recursive', false, 'Also terminate its sub-orchestrations.'),
      ]),
      [`${instance}/suspend`]: controlOperation('suspendInstance', 'Suspend a running instance'),
      [`${instance}/resume`]: controlOperation('resumeInstance', 'Resume a suspended instance'),
      [`${instance}/rewind`]: controlOperation(
        'rewindInstance',
        'Re-run the failed steps of a failed instance',
      ),
      [`${instance}/reset`]: controlOperation(
        'resetInstance',
        'Re-run a Completed, Failed or Terminated instance from a point of its history',
        [
          query(
            'eventId',
            { type: 'integer', minimum: 0 },
            "The event to re-run from: its EventId in the history (showHistory=true); the events before it are kept. Give this or 'to'.",
          ),
          query(
            'to',
            { type: 'string', enum: ['lastCompletedActivity'] },
            "lastCompletedActivity: re-run from just after the last completed activity. Give this or 'eventId'.",
          ),
        ],
      ),
      [`${instance}/restart`]: {
        post: {
          operationId: 'restartInstance',
          summary: 'Start the same orchestration with the same input again',
          tags: ['instances'],
          parameters: [
            ref('parameters', 'instanceId'),
            flag('restartWithNewInstanceId', true, 'Restart under a new id instead of the same one.'),
          ],
          responses: {
            '202': {
              description: 'Restarted.',
              headers: pollHeaders,
              content: json(ref('schemas', 'CheckStatus')),
            },
            ...errorResponses('BadRequest', 'NotFound', 'Conflict'),
          },
        },
      },
      [`${base}/entities`]: {
        get: entityListOperation('listEntities', 'List entities of every name', false),
      },
      [`${base}/entities/clean`]: {
        post: {
          operationId: 'cleanEntityStorage',
          summary: 'Remove empty entities and release locks held by orchestrations that have ended',
          tags: ['entities'],
          parameters: [
            flag('removeEmptyEntities', true, 'Delete documents of entities with no state, lock or queue.'),
            flag('releaseOrphanedLocks', true, 'Release locks whose orchestration has ended or is gone.'),
          ],
          responses: {
            '200': { description: 'Cleaned.', content: json(ref('schemas', 'CleanEntityStorageResult')) },
            ...errorResponses('BadRequest'),
          },
        },
      },
      [`${base}/retention`]: {
        get: {
          operationId: 'getRetention',
          summary: 'The automatic purge of finished instances: its policy per status and its last sweep',
          tags: ['instances'],
          responses: {
            '200': { description: 'Retention.', content: json(ref('schemas', 'RetentionState')) },
            ...errorResponses(),
          },
        },
      },
      [`${base}/retention/sweep`]: {
        post: {
          operationId: 'sweepRetention',
          summary: 'Purge now what the retention policy says is due (at most its batch size)',
          tags: ['instances'],
          responses: {
            '200': { description: 'Swept.', content: json(ref('schemas', 'SweepResult')) },
            ...errorResponses('BadRequest'),
          },
        },
      },
      [`${base}/entities/{entityName}`]: {
        get: entityListOperation('listEntitiesByName', 'List the entities of one name', true),
      },
      [`${base}/entities/{entityName}/{entityKey}`]: {
        get: {
          operationId: 'getEntityState',
          summary: "Get an entity's state",
          tags: ['entities'],
          parameters: [ref('parameters', 'entityName'), ref('parameters', 'entityKey')],
          responses: {
            '200': { description: 'The state: any JSON value.', content: json({}) },
            ...errorResponses('BadRequest', 'NotFound'),
          },
        },
        post: {
          operationId: 'signalEntity',
          summary: 'Signal an entity: queue a one-way operation',
          tags: ['entities'],
          parameters: [
            ref('parameters', 'entityName'),
            ref('parameters', 'entityKey'),
            query('op', { type: 'string' }, "The operation name (not starting with '$').", true),
            query(
              'scheduledTime',
              { type: 'string', format: 'date-time' },
              'Run the operation no earlier than this time.',
            ),
          ],
          requestBody: {
            required: false,
            description: 'The operation input: any JSON value.',
            content: { 'application/json': { schema: {} } },
          },
          responses: {
            '202': { description: 'Accepted.' },
            ...errorResponses('BadRequest', 'NotFound', 'PayloadTooLarge'),
          },
        },
        delete: {
          operationId: 'deleteEntity',
          summary: "Delete an entity's state (queued operations still run)",
          tags: ['entities'],
          parameters: [ref('parameters', 'entityName'), ref('parameters', 'entityKey')],
          responses: { '202': { description: 'Accepted.' }, ...errorResponses('BadRequest', 'NotFound') },
        },
      },
      ...schedulePaths(base, { ref, json, query, errorResponses, pollHeaders, continuationTokenHeader }),
      [`${base}/openapi.json`]: openApiOperation('getOpenApiDocument'),
      '/openapi.json': openApiOperation('getOpenApiDocumentAtRoot'),
      [`${base}/auth/whoami`]: {
        get: {
          operationId: 'whoAmI',
          summary: 'Who the caller is: authenticated or not, and its roles',
          tags: ['meta'],
          security: [{}, { bearer: [] }],
          responses: {
            '200': {
              description: "The caller's roles; with authentication off, an unauthenticated admin.",
              content: json(ref('schemas', 'WhoAmI')),
            },
            '401': ref('responses', 'Unauthorized'),
          },
        },
      },
    }),
    components: {
      securitySchemes: {
        bearer: {
          type: 'http',
          scheme: 'bearer',
          description: 'An API key (DURABLE_API_KEYS) or a JWT of the configured OpenID issuer.',
        },
      },
      parameters: {
        taskHub: {
          name: 'taskHub',
          in: 'query',
          required: false,
          description:
            "The task hub of the request (any case); default: the deployment's default hub (TASK_HUB). " +
            'A hub this deployment does not serve answers 404.',
          schema: { type: 'string', pattern: '^[A-Za-z][A-Za-z0-9-]{0,40}$' },
        },
        entityName: {
          name: 'entityName',
          in: 'path',
          required: true,
          description: "The entity's name (case-insensitive); no '@', '/', backslash, '#' or '?'.",
          schema: { type: 'string', minLength: 1 },
        },
        entityKey: {
          name: 'entityKey',
          in: 'path',
          required: true,
          description: 'The entity key.',
          schema: { type: 'string', minLength: 1 },
        },
        instanceId: {
          name: 'instanceId',
          in: 'path',
          required: true,
          description:
            "1 to 256 characters; no '/', backslash, '#', '?' or control characters, and no leading '@'.",
          schema: { type: 'string', minLength: 1, maxLength: 256 },
        },
      },
      headers: {
        Location: { description: 'The status query URL to poll.', schema: { type: 'string', format: 'uri' } },
        RetryAfter: {
          description: 'Seconds to wait before polling again.',
          schema: { type: 'integer', example: retryAfterSeconds },
        },
      },
      responses: {
        BadRequest: {
          description: 'An invalid id, query parameter or body.',
          content: json(ref('schemas', 'Error')),
        },
        NotFound: {
          description: 'No such instance, orchestration or task hub.',
          content: json(ref('schemas', 'Error')),
        },
        Conflict: {
          description: 'An instance with this id already exists.',
          content: json(ref('schemas', 'Error')),
        },
        Gone: { description: 'The instance has already finished.', content: json(ref('schemas', 'Error')) },
        PayloadTooLarge: {
          description: 'The body is over the size limit.',
          content: json(ref('schemas', 'Error')),
        },
        Unauthorized: {
          description: 'No credentials, or credentials that are not valid (WWW-Authenticate: Bearer).',
          content: json(ref('schemas', 'Error')),
        },
        Forbidden: {
          description: "The caller's roles do not include one this operation needs.",
          content: json(ref('schemas', 'Error')),
        },
        InternalServerError: {
          description: 'A server fault (logged).',
          content: json(ref('schemas', 'Error')),
        },
      },
      schemas: {
        ...scheduleSchemas(),
        RuntimeStatus: { type: 'string', enum: Object.values(RuntimeStatus) },
        CheckStatus: {
          type: 'object',
          required: [
            'id',
            'statusQueryGetUri',
            'sendEventPostUri',
            'terminatePostUri',
            'rewindPostUri',
            'purgeHistoryDeleteUri',
            'restartPostUri',
            'suspendPostUri',
            'resumePostUri',
          ],
          properties: {
            id: { type: 'string' },
            statusQueryGetUri: uri('GET: the instance status.'),
            sendEventPostUri: uriTemplate('POST: raise an event; replace {eventName}.'),
            terminatePostUri: uriTemplate('POST: terminate; replace {text} with the reason.'),
            rewindPostUri: uriTemplate('POST: rewind; replace {text} with the reason.'),
            purgeHistoryDeleteUri: uri('DELETE: purge the instance.'),
            restartPostUri: uri('POST: restart.'),
            suspendPostUri: uriTemplate('POST: suspend; replace {text} with the reason.'),
            resumePostUri: uriTemplate('POST: resume; replace {text} with the reason.'),
          },
        },
        InstanceStatus: statusSchema,
        OrchestratorList: {
          type: 'object',
          required: ['orchestrators'],
          properties: {
            orchestrators: {
              type: 'array',
              items: { type: 'object', required: ['name'], properties: { name: { type: 'string' } } },
            },
          },
        },
        InstanceWaiting: waitingSchema,
        InstanceCounts: objectOf({
          count: { type: 'integer', minimum: 0 },
          byRuntimeStatus: {
            type: 'object',
            properties: Object.fromEntries(
              Object.values(RuntimeStatus).map((s) => [s, { type: 'integer', minimum: 0 }]),
            ),
          },
        }),
        HistoryEvent: {
          type: 'object',
          required: ['EventType', 'Timestamp'],
          properties: {
            EventType: { type: 'string' },
            EventId: {
              type: 'integer',
              description: "The event's position in the execution's history: what a reset names.",
            },
            Timestamp: { type: 'string', format: 'date-time' },
          },
          additionalProperties: true,
        },
        FailureDetails: {
          type: 'object',
          required: ['errorType', 'errorMessage'],
          properties: {
            errorType: { type: 'string' },
            errorMessage: { type: 'string' },
            stackTrace: { type: 'string' },
            innerFailure: ref('schemas', 'FailureDetails'),
            isNonRetriable: { type: 'boolean' },
            properties: {
              type: 'object',
              additionalProperties: true,
              description: "The thrown error's own fields (e.g. code), as JSON values.",
            },
          },
        },
        Entity: {
          type: 'object',
          required: ['entityId', 'lastOperationTime', 'backlogQueueSize'],
          properties: {
            entityId: {
              type: 'object',
              required: ['name', 'key'],
              properties: { name: { type: 'string' }, key: { type: 'string' } },
            },
            lastOperationTime: { type: 'string', format: 'date-time' },
            state: { description: 'With fetchState=true: any JSON value.' },
            lockedBy: { type: 'string', description: 'The orchestration whose critical section holds it.' },
            backlogQueueSize: { type: 'integer', description: 'Operations waiting for the lock.' },
          },
        },
        CleanEntityStorageResult: {
          type: 'object',
          required: ['emptyEntitiesRemoved', 'orphanedLocksReleased'],
          properties: {
            emptyEntitiesRemoved: { type: 'integer' },
            orphanedLocksReleased: { type: 'integer' },
          },
        },
        SweepResult: {
          type: 'object',
          required: ['startedAt', 'finishedAt', 'purged', 'total', 'limited'],
          properties: {
            startedAt: time,
            finishedAt: time,
            purged: retainedStatusesOf({ type: 'integer', minimum: 1 }, 'Instances purged, by status.'),
            total: { type: 'integer', minimum: 0 },
            limited: {
              type: 'boolean',
              description: 'Stopped at the batch size: the next sweeps take the rest.',
            },
          },
        },
        RetentionState: {
          type: 'object',
          required: ['enabled', 'policy', 'purgedSinceStart'],
          properties: {
            enabled: { type: 'boolean' },
            policy: retainedStatusesOf(
              { type: 'string', example: '30d' },
              'How long a finished instance is kept, by status; a status not named is kept forever.',
            ),
            interval: { type: 'string', description: 'Time between background sweeps, like 5m.' },
            maxPurgesPerSweep: { type: 'integer', minimum: 1 },
            lastSweep: ref('schemas', 'SweepResult'),
            purgedSinceStart: { type: 'integer', minimum: 0 },
          },
        },
        PurgeResult: {
          type: 'object',
          required: ['instancesDeleted'],
          properties: { instancesDeleted: { type: 'integer', minimum: 1 } },
        },
        WhoAmI: {
          type: 'object',
          required: ['authenticated', 'roles'],
          properties: {
            authenticated: { type: 'boolean' },
            roles: {
              type: 'array',
              items: { type: 'string', enum: ['reader', 'contributor', 'worker', 'admin'] },
            },
          },
        },
        Error: {
          type: 'object',
          required: ['error', 'message'],
          properties: {
            error: {
              type: 'string',
              description:
                'A stable name: InvalidArgumentError, OrchestratorNotRegisteredError, InstanceNotFoundError, ' +
                'InstanceAlreadyExistsError, InstanceFinishedError, PayloadTooLargeError, InternalServerError, …',
            },
            message: { type: 'string', description: 'The reason, for people.' },
          },
        },
      },
    },
  };
}

function entityListOperation(operationId: string, summary: string, byName: boolean): Json {
  return {
    operationId,
    summary,
    tags: ['entities'],
    parameters: [
      ...(byName
        ? [
            ref('parameters', 'entityName'),
            query('keyPrefix', { type: 'string' }, 'Only keys starting with this text.'),
          ]
        : [query('namePrefix', { type: 'string' }, 'Only entities whose name starts with this text.')]),
      flag('fetchState', false, 'Include each entity state.'),
      query('lastOperationTimeFrom', { type: 'string', format: 'date-time' }, 'Last operation at or after.'),
      query('lastOperationTimeTo', { type: 'string', format: 'date-time' }, 'Last operation at or before.'),
      query('top', { type: 'integer', minimum: 1, maximum: 1000 }, 'Page size (default 100).'),
      {
        name: continuationTokenHeader,
        in: 'header',
        required: false,
        schema: { type: 'string' },
        description: 'The token of the page to read, from the previous response.',
      },
    ],
    responses: {
      '200': {
        description: 'A page of entities; more follow when the response has the continuation header.',
        content: json({ type: 'array', items: ref('schemas', 'Entity') }),
      },
      ...errorResponses('BadRequest'),
    },
  };
}

/**
 * Every operation of the API takes `taskHub` (Durable Functions' parameter), and can answer 400 for a
 * malformed one and 404 for a hub not served; the documents themselves are the same in every hub.
 */
function withTaskHub(paths: Record<string, Json>): Record<string, Json> {
  const taskHub = ref('parameters', 'taskHub');
  return Object.fromEntries(
    Object.entries(paths).map(([path, operations]) => {
      if (path.endsWith('/openapi.json')) return [path, operations];
      const withParameter = Object.fromEntries(
        Object.entries(operations).map(([method, operation]) => {
          const op = operation as { parameters?: Json[]; responses: Record<string, Json> };
          return [
            method,
            {
              ...op,
              parameters: [...(op.parameters ?? []), taskHub],
              responses: {
                ...op.responses,
                '400': op.responses['400'] ?? ref('responses', 'BadRequest'),
                '404': op.responses['404'] ?? ref('responses', 'NotFound'),
              },
            },
          ];
        }),
      );
      return [path, withParameter];
    }),
  );
}

function openApiOperation(operationId: string): Json {
  return {
    get: {
      operationId,
      summary: 'This document',
      tags: ['meta'],
      security: [],
      responses: { '200': { description: 'The OpenAPI document.', content: json({ type: 'object' }) } },
    },
  };
}
