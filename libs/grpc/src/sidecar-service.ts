import * as grpc from '@grpc/grpc-js';
import {
  DurableError,
  InstanceAlreadyExistsError,
  InstanceFinishedError,
  InstanceNotFoundError,
  InvalidArgumentError,
  isTerminalStatus,
  parseEntityInstanceId,
  OrchestratorNotRegisteredError,
  PayloadTooLargeError,
  TaskHubNotFoundError,
  UnavailableError,
  type RuntimeStatus,
} from '@durable/core';
import { silentLogger, type Logger } from '@durable/engine';
import type { EntityMetadata, InstanceService, InstanceStatus, ReusePolicy } from '@durable/runtime';
import {
  epochMsOf,
  payloadOf,
  protoEvent,
  protoFailure,
  protoStatus,
  runtimeStatus,
  stringValue,
  textOf,
  timestamp,
  traceContextOf,
} from './convert';
import { writeQueuedMessagesTogether } from './stream-writes';
import { BoolValue, Empty, pb, sidecarService } from './proto';
import type { WorkItemHub } from './work-item-hub';

type Unary<Req, Res> = grpc.handleUnaryCall<Req, Res>;

/** Maps our errors to gRPC status codes; never CANCELLED, which SDKs take for their own cancel. */
export function grpcStatusOf(error: unknown): grpc.status {
  if (
    error instanceof InstanceNotFoundError ||
    error instanceof OrchestratorNotRegisteredError ||
    error instanceof TaskHubNotFoundError
  )
    return grpc.status.NOT_FOUND;
  if (error instanceof InstanceAlreadyExistsError) return grpc.status.ALREADY_EXISTS;
  if (error instanceof InvalidArgumentError) return grpc.status.INVALID_ARGUMENT;
  if (error instanceof PayloadTooLargeError) return grpc.status.RESOURCE_EXHAUSTED;
  if (error instanceof InstanceFinishedError) return grpc.status.FAILED_PRECONDITION;
  if (error instanceof UnavailableError) return grpc.status.UNAVAILABLE;
  if (error instanceof DurableError && error.retriable) return grpc.status.UNAVAILABLE;
  return grpc.status.INTERNAL;
}

function serviceError(error: unknown): Partial<grpc.StatusObject> {
  return {
    code: grpcStatusOf(error),
    details: error instanceof Error ? error.message : String(error),
  };
}

/** Wraps an async handler: results go to the callback, errors become gRPC statuses. */
function unary<Req, Res>(
  logger: Logger,
  handle: (request: Req, call: grpc.ServerUnaryCall<Req, Res>) => Promise<Res>,
): Unary<Req, Res> {
  return (call, callback) => {
    handle(call.request, call).then(
      (response) => callback(null, response),
      (error: unknown) => {
        if (grpcStatusOf(error) === grpc.status.INTERNAL)
          logger.error('gRPC call failed', { path: call.getPath(), error: String(error) });
        callback(serviceError(error));
      },
    );
  };
}

function unimplemented<Req, Res>(what: string): Unary<Req, Res> {
  return (_call, callback) => callback({ code: grpc.status.UNIMPLEMENTED, details: what });
}

/** An instance id prefix (`@name@keyPrefix`, or the start of a name) as a name and key prefix. */
function entityPrefixQuery(prefix: string | undefined): {
  name?: string;
  keyPrefix?: string;
  namePrefix?: string;
} {
  if (prefix === undefined || prefix === '' || prefix === '@') return {};
  const bare = prefix.startsWith('@') ? prefix.slice(1) : prefix;
  const at = bare.indexOf('@');
  if (at < 0) return { namePrefix: bare };
  const key = bare.slice(at + 1);
  return { name: bare.slice(0, at), ...(key !== '' ? { keyPrefix: key } : {}) };
}

function protoEntity(entity: EntityMetadata): pb.EntityMetadata {
  const out = new pb.EntityMetadata();
  out.setInstanceid(entity.instanceId);
  out.setLastmodifiedtime(timestamp(entity.lastModifiedTime));
  out.setBacklogqueuesize(entity.backlogQueueSize);
  out.setLockedby(stringValue(entity.lockedBy));
  out.setSerializedstate(stringValue(entity.state));
  return out;
}

const finishedStatuses: readonly RuntimeStatus[] = ['Completed', 'Failed', 'Terminated', 'Canceled'];

export function orchestrationState(status: InstanceStatus, withPayloads: boolean): pb.OrchestrationState {
  const state = new pb.OrchestrationState();
  state.setInstanceid(status.instanceId);
  state.setName(status.name);
  state.setVersion(stringValue(status.version));
  state.setOrchestrationstatus(protoStatus(status.runtimeStatus));
  if (status.scheduledStartAt !== undefined)
    state.setScheduledstarttimestamp(timestamp(status.scheduledStartAt));
  state.setCreatedtimestamp(timestamp(status.createdAt));
  state.setLastupdatedtimestamp(timestamp(status.lastUpdatedAt));
  if (status.completedAt !== undefined) state.setCompletedtimestamp(timestamp(status.completedAt));
  if (withPayloads) {
    state.setInput(stringValue(status.input));
    state.setOutput(stringValue(status.output));
    state.setCustomstatus(stringValue(status.customStatus));
  }
  if (status.failureDetails !== undefined) state.setFailuredetails(protoFailure(status.failureDetails));
  state.setExecutionid(stringValue(status.executionId));
  state.setParentinstanceid(stringValue(status.parentInstanceId));
  for (const [k, v] of Object.entries(status.tags ?? {})) state.getTagsMap().set(k, v);
  return state;
}

function instanceResponse(status: InstanceStatus | undefined, withPayloads: boolean): pb.GetInstanceResponse {
  const response = new pb.GetInstanceResponse();
  response.setExists(status !== undefined);
  if (status !== undefined) response.setOrchestrationstate(orchestrationState(status, withPayloads));
  return response;
}

/** The start policy a CreateInstanceRequest asks for. */
function reusePolicyOf(request: pb.CreateInstanceRequest): ReusePolicy | undefined {
  const policy = request.getOrchestrationidreusepolicy();
  if (policy === undefined) return undefined;
  const replaceable = new Set(policy.getReplaceablestatusList().map(runtimeStatus));
  if (replaceable.size === 0) return 'error';
  return finishedStatuses.some((s) => replaceable.has(s)) ? 'replaceFinished' : 'error';
}

/** A scheduled start in the future; epoch 0 (what SDKs send for "no schedule") means now. */
function scheduledStartOf(value: pb.CreateInstanceRequest): Date | undefined {
  const ms = epochMsOf(value.getScheduledstarttimestamp());
  return ms === undefined || ms <= 0 ? undefined : new Date(ms);
}

function waitFor(ms: number, call: { cancelled: boolean }): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, call.cancelled ? 0 : ms));
}

export interface SidecarServiceDeps {
  readonly client: InstanceService;
  readonly hub: WorkItemHub;
  readonly logger?: Logger;
}

/** The `TaskHubSidecarService` handlers: the client API over `InstanceService`, the worker API over the hub. */
export function sidecarHandlers(deps: SidecarServiceDeps): grpc.UntypedServiceImplementation {
  const { client, hub } = deps;
  const logger = deps.logger ?? silentLogger;
  const u = <Req, Res>(handle: (request: Req, call: grpc.ServerUnaryCall<Req, Res>) => Promise<Res>) =>
    unary(logger, handle);

  const handlers = {
    hello: u<Empty, Empty>(async () => new Empty()),

    startInstance: u<pb.CreateInstanceRequest, pb.CreateInstanceResponse>(async (request) => {
      const name = request.getName();
      if (name === '') throw new InvalidArgumentError('an orchestration name is required');
      const tags: Record<string, string> = {};
      request.getTagsMap().forEach((v: string, k: string) => (tags[k] = v));
      const instanceId = request.getInstanceid();
      const version = textOf(request.getVersion());
      const input = payloadOf(request.getInput());
      const scheduled = scheduledStartOf(request);
      const policy = reusePolicyOf(request);
      // The official SDKs' client span (create_orchestration) is the parent of the trace.
      const traceContext = traceContextOf(request.getParenttracecontext());
      const started = await client.start(name, {
        remote: true,
        ...(traceContext !== undefined ? { traceContext } : {}),
        ...(instanceId !== '' ? { instanceId } : {}),
        ...(input !== undefined ? { input } : {}),
        ...(version !== undefined && version !== '' ? { version } : {}),
        ...(scheduled !== undefined ? { scheduledStartTime: scheduled } : {}),
        ...(Object.keys(tags).length > 0 ? { tags } : {}),
        ...(policy !== undefined ? { reusePolicy: policy } : {}),
      });
      const response = new pb.CreateInstanceResponse();
      response.setInstanceid(started.instanceId);
      return response;
    }),

    getInstance: u<pb.GetInstanceRequest, pb.GetInstanceResponse>(async (request) => {
      const withPayloads = request.getGetinputsandoutputs();
      const status = await client.getStatus(request.getInstanceid(), {
        includeInput: withPayloads,
        includeOutput: withPayloads,
      });
      return instanceResponse(status, withPayloads);
    }),

    // Held open without a deadline until the instance leaves Pending, or the caller goes away.
    waitForInstanceStart: u<pb.GetInstanceRequest, pb.GetInstanceResponse>(async (request, call) => {
      const withPayloads = request.getGetinputsandoutputs();
      for (let pollMs = 20; ; pollMs = Math.min(pollMs * 2, 500)) {
        const status = await client.getStatus(request.getInstanceid());
        if (status === undefined) throw new InstanceNotFoundError(request.getInstanceid());
        if (status.runtimeStatus !== 'Pending' || call.cancelled)
          return instanceResponse(status, withPayloads);
        await waitFor(pollMs, call);
      }
    }),

    waitForInstanceCompletion: u<pb.GetInstanceRequest, pb.GetInstanceResponse>(async (request, call) => {
      const withPayloads = request.getGetinputsandoutputs();
      for (;;) {
        const status = await client.waitForCompletion(request.getInstanceid(), { timeoutMs: 10_000 });
        if (status === undefined) throw new InstanceNotFoundError(request.getInstanceid());
        if (isTerminalStatus(status.runtimeStatus) || call.cancelled)
          return instanceResponse(status, withPayloads);
      }
    }),

    rewindInstance: u<pb.RewindInstanceRequest, pb.RewindInstanceResponse>(async (request) => {
      await client.rewind(request.getInstanceid(), textOf(request.getReason()));
      return new pb.RewindInstanceResponse();
    }),

    restartInstance: u<pb.RestartInstanceRequest, pb.RestartInstanceResponse>(async (request) => {
      const restarted = await client.restart(request.getInstanceid(), {
        newInstanceId: request.getRestartwithnewinstanceid(),
        remote: true,
      });
      const response = new pb.RestartInstanceResponse();
      response.setInstanceid(restarted.instanceId);
      return response;
    }),

    raiseEvent: u<pb.RaiseEventRequest, pb.RaiseEventResponse>(async (request) => {
      await client.raiseEvent(request.getInstanceid(), request.getName(), payloadOf(request.getInput()));
      return new pb.RaiseEventResponse();
    }),

    terminateInstance: u<pb.TerminateRequest, pb.TerminateResponse>(async (request) => {
      await client.terminate(request.getInstanceid(), reasonText(payloadOf(request.getOutput())), {
        recursive: request.getRecursive(),
      });
      return new pb.TerminateResponse();
    }),

    suspendInstance: u<pb.SuspendRequest, pb.SuspendResponse>(async (request) => {
      await client.suspend(request.getInstanceid(), textOf(request.getReason()));
      return new pb.SuspendResponse();
    }),

    resumeInstance: u<pb.ResumeRequest, pb.ResumeResponse>(async (request) => {
      await client.resume(request.getInstanceid(), textOf(request.getReason()));
      return new pb.ResumeResponse();
    }),

    queryInstances: u<pb.QueryInstancesRequest, pb.QueryInstancesResponse>(async (request) => {
      const query = request.getQuery() ?? new pb.InstanceQuery();
      const from = epochMsOf(query.getCreatedtimefrom());
      const to = epochMsOf(query.getCreatedtimeto());
      const token = textOf(query.getContinuationtoken());
      const prefix = textOf(query.getInstanceidprefix());
      const statuses = query.getRuntimestatusList().map(runtimeStatus);
      const max = query.getMaxinstancecount();
      const withPayloads = query.getFetchinputsandoutputs();
      const page = await client.list({
        pageSize: max > 0 ? Math.min(max, 1000) : 100,
        includeInput: withPayloads,
        ...(statuses.length > 0 ? { statuses } : {}),
        ...(from !== undefined && from > 0 ? { createdFrom: new Date(from) } : {}),
        ...(to !== undefined && to > 0 ? { createdTo: new Date(to) } : {}),
        ...(token !== undefined && token !== '' ? { continuationToken: token } : {}),
        ...(prefix !== undefined && prefix !== '' ? { instanceIdPrefix: prefix } : {}),
      });
      const response = new pb.QueryInstancesResponse();
      response.setOrchestrationstateList(page.instances.map((s) => orchestrationState(s, withPayloads)));
      response.setContinuationtoken(stringValue(page.continuationToken));
      return response;
    }),

    listInstanceIds: u<pb.ListInstanceIdsRequest, pb.ListInstanceIdsResponse>(async (request) => {
      const statuses = request.getRuntimestatusList().map(runtimeStatus);
      const from = epochMsOf(request.getCompletedtimefrom());
      const to = epochMsOf(request.getCompletedtimeto());
      const token = textOf(request.getLastinstancekey());
      const size = request.getPagesize();
      const page = await client.list({
        pageSize: size > 0 ? Math.min(size, 1000) : 100,
        ...(statuses.length > 0 ? { statuses } : {}),
        ...(token !== undefined && token !== '' ? { continuationToken: token } : {}),
      });
      const completedIn = (s: InstanceStatus): boolean => {
        if ((from === undefined || from <= 0) && (to === undefined || to <= 0)) return true;
        if (s.completedAt === undefined) return false;
        const at = Date.parse(s.completedAt);
        return (from === undefined || from <= 0 || at >= from) && (to === undefined || to <= 0 || at <= to);
      };
      const response = new pb.ListInstanceIdsResponse();
      response.setInstanceidsList(page.instances.filter(completedIn).map((s) => s.instanceId));
      response.setLastinstancekey(stringValue(page.continuationToken));
      return response;
    }),

    purgeInstances: u<pb.PurgeInstancesRequest, pb.PurgeInstancesResponse>(async (request) => {
      const C = pb.PurgeInstancesRequest.RequestCase;
      let deleted = 0;
      switch (request.getRequestCase()) {
        case C.INSTANCEID:
          deleted = (await client.purge(request.getInstanceid())) ? 1 : 0;
          break;
        case C.INSTANCEBATCH:
          for (const id of request.getInstancebatch()?.getInstanceidsList() ?? [])
            if (await client.purge(id)) deleted++;
          break;
        case C.PURGEINSTANCEFILTER: {
          const filter = request.getPurgeinstancefilter() as pb.PurgeInstanceFilter;
          const from = epochMsOf(filter.getCreatedtimefrom());
          const to = epochMsOf(filter.getCreatedtimeto());
          const statuses = filter.getRuntimestatusList().map(runtimeStatus);
          deleted = await client.purgeWhere({
            ...(statuses.length > 0 ? { statuses } : {}),
            ...(from !== undefined && from > 0 ? { createdFrom: new Date(from) } : {}),
            ...(to !== undefined && to > 0 ? { createdTo: new Date(to) } : {}),
          });
          break;
        }
        default:
          throw new InvalidArgumentError('purge needs an instance id, a batch of ids or a filter');
      }
      const response = new pb.PurgeInstancesResponse();
      response.setDeletedinstancecount(deleted);
      const complete = new BoolValue();
      complete.setValue(true);
      response.setIscomplete(complete);
      return response;
    }),

    streamInstanceHistory: (
      call: grpc.ServerWritableStream<pb.StreamInstanceHistoryRequest, pb.HistoryChunk>,
    ) => {
      const run = async (): Promise<void> => {
        const status = await client.getStatus(call.request.getInstanceid(), { includeHistory: true });
        if (status === undefined) throw new InstanceNotFoundError(call.request.getInstanceid());
        const events = status.history ?? [];
        for (let i = 0; i < events.length || i === 0; i += 200) {
          const chunk = new pb.HistoryChunk();
          chunk.setEventsList(events.slice(i, i + 200).map(protoEvent));
          call.write(chunk);
        }
        call.end();
      };
      run().catch((error: unknown) =>
        call.destroy(Object.assign(new Error(String(error)), serviceError(error))),
      );
    },

    getWorkItems: (call: grpc.ServerWritableStream<pb.GetWorkItemsRequest, pb.WorkItem>) => {
      const filters = call.request.getWorkitemfilters();
      const names = (list: Array<{ getName(): string }> | undefined) =>
        list === undefined || list.length === 0 ? undefined : new Set(list.map((f) => f.getName()));
      const entities = names(filters?.getEntitiesList());
      const entityNames =
        entities === undefined ? undefined : new Set([...entities].map((n) => n.toLowerCase()));
      writeQueuedMessagesTogether(call as grpc.ServerWritableStream<unknown, unknown>);
      const release = hub.connect(
        { write: (item) => void call.write(item), end: () => call.end() },
        {
          ...(names(filters?.getOrchestrationsList()) !== undefined
            ? { orchestrations: names(filters?.getOrchestrationsList()) }
            : {}),
          ...(names(filters?.getActivitiesList()) !== undefined
            ? { activities: names(filters?.getActivitiesList()) }
            : {}),
          ...(entityNames !== undefined ? { entities: entityNames } : {}),
        },
        {
          orchestrator: call.request.getMaxconcurrentorchestrationworkitems(),
          activity: call.request.getMaxconcurrentactivityworkitems(),
          entity: call.request.getMaxconcurrententityworkitems(),
        },
      );
      call.on('cancelled', release);
      call.on('close', release);
      call.on('error', release);
      call.on('finish', release);
    },

    completeOrchestratorTask: u<pb.OrchestratorResponse, pb.CompleteTaskResponse>(async (request) => {
      if (!hub.completeOrchestrator(request))
        throw new InstanceNotFoundError(`${request.getInstanceid()} (no open orchestrator work item)`);
      return new pb.CompleteTaskResponse();
    }),

    completeActivityTask: u<pb.ActivityResponse, pb.CompleteTaskResponse>(async (request) => {
      if (!hub.completeActivity(request))
        throw new InstanceNotFoundError(
          `${request.getInstanceid()} (no open activity work item ${request.getTaskid()})`,
        );
      return new pb.CompleteTaskResponse();
    }),

    abandonTaskOrchestratorWorkItem: u<
      pb.AbandonOrchestrationTaskRequest,
      pb.AbandonOrchestrationTaskResponse
    >(async (request) => {
      hub.abandon(request.getCompletiontoken());
      return new pb.AbandonOrchestrationTaskResponse();
    }),

    abandonTaskActivityWorkItem: u<pb.AbandonActivityTaskRequest, pb.AbandonActivityTaskResponse>(
      async (request) => {
        hub.abandon(request.getCompletiontoken());
        return new pb.AbandonActivityTaskResponse();
      },
    ),

    // The task hub is created with the platform; there is nothing to create or delete per client.
    createTaskHub: u<pb.CreateTaskHubRequest, pb.CreateTaskHubResponse>(
      async () => new pb.CreateTaskHubResponse(),
    ),
    deleteTaskHub: unimplemented('deleting the task hub is not supported over gRPC'),

    completeEntityTask: u<pb.EntityBatchResult, pb.CompleteTaskResponse>(async (request) => {
      if (!hub.completeEntity(request))
        throw new InstanceNotFoundError(
          `no open entity work item has token '${request.getCompletiontoken()}'`,
        );
      return new pb.CompleteTaskResponse();
    }),

    abandonTaskEntityWorkItem: u<pb.AbandonEntityTaskRequest, pb.AbandonEntityTaskResponse>(
      async (request) => {
        hub.abandon(request.getCompletiontoken());
        return new pb.AbandonEntityTaskResponse();
      },
    ),

    // Any entity name: one no in-process entity has runs on a remote worker.
    signalEntity: u<pb.SignalEntityRequest, pb.SignalEntityResponse>(async (request) => {
      const entity = parseEntityInstanceId(request.getInstanceid());
      const at = epochMsOf(request.getScheduledtime());
      await client.signalEntity(entity, request.getName(), payloadOf(request.getInput()), {
        remote: true,
        ...(at !== undefined && at > 0 ? { scheduledTime: new Date(at) } : {}),
      });
      return new pb.SignalEntityResponse();
    }),

    getEntity: u<pb.GetEntityRequest, pb.GetEntityResponse>(async (request) => {
      const entity = await client.getEntity(parseEntityInstanceId(request.getInstanceid()), {
        includeState: request.getIncludestate(),
      });
      const response = new pb.GetEntityResponse();
      response.setExists(entity !== undefined);
      if (entity !== undefined) response.setEntity(protoEntity(entity));
      return response;
    }),

    queryEntities: u<pb.QueryEntitiesRequest, pb.QueryEntitiesResponse>(async (request) => {
      const query = request.getQuery() ?? new pb.EntityQuery();
      const prefix = textOf(query.getInstanceidstartswith());
      const from = epochMsOf(query.getLastmodifiedfrom());
      const to = epochMsOf(query.getLastmodifiedto());
      const size = query.getPagesize()?.getValue();
      const token = textOf(query.getContinuationtoken());
      const page = await client.queryEntities({
        includeState: query.getIncludestate(),
        includeDeleted: query.getIncludetransient(),
        ...entityPrefixQuery(prefix),
        ...(from !== undefined && from > 0 ? { lastModifiedFrom: new Date(from) } : {}),
        ...(to !== undefined && to > 0 ? { lastModifiedTo: new Date(to) } : {}),
        ...(size !== undefined && size > 0 ? { pageSize: Math.min(size, 1000) } : {}),
        ...(token !== undefined && token !== '' ? { continuationToken: token } : {}),
      });
      const response = new pb.QueryEntitiesResponse();
      response.setEntitiesList(page.entities.map(protoEntity));
      response.setContinuationtoken(stringValue(page.continuationToken));
      return response;
    }),

    // Cleans everything in one call, so it never hands back a continuation token.
    cleanEntityStorage: u<pb.CleanEntityStorageRequest, pb.CleanEntityStorageResponse>(async (request) => {
      const result = await client.cleanEntityStorage({
        removeEmptyEntities: request.getRemoveemptyentities(),
        releaseOrphanedLocks: request.getReleaseorphanedlocks(),
      });
      const response = new pb.CleanEntityStorageResponse();
      response.setEmptyentitiesremoved(result.emptyEntitiesRemoved);
      response.setOrphanedlocksreleased(result.orphanedLocksReleased);
      return response;
    }),
    skipGracefulOrchestrationTerminations: unimplemented('graceful terminations are not supported'),
  };
  return handlers as unknown as grpc.UntypedServiceImplementation;
}

/** Terminate carries its reason as a JSON payload; keep a JSON string as text. */
function reasonText(payload: string | undefined): string | undefined {
  if (payload === undefined) return undefined;
  try {
    const value: unknown = JSON.parse(payload);
    return typeof value === 'string' ? value : payload;
  } catch {
    return payload;
  }
}

export { sidecarService };
