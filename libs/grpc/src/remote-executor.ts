import { newEvent, parseEntityInstanceId, type HistoryEvent } from '@durable/core';
import {
  EntityExecutor,
  executeActivity,
  silentLogger,
  type ActivityRunner,
  type EpisodeExecutor,
  type EntityBatchResult,
  type EntityOperationRequest,
  type EpisodeSession,
  type ExecutionResult,
  type Logger,
  type Registry,
} from '@durable/engine';
import {
  entityBatchRequest,
  entityBatchResultOf,
  executionResultOf,
  failureOf,
  payloadOf,
  protoEvent,
  protoTraceContext,
  recordedEvent,
  stringValue,
} from './convert';
import { pb } from './proto';

/** Where remote work goes: the hub in this process, or a bridge to the process that has it. */
export interface RemoteWork {
  runOrchestrator(name: string, request: pb.OrchestratorRequest): Promise<pb.OrchestratorResponse>;
  runActivity(request: pb.ActivityRequest): Promise<pb.ActivityResponse>;
  runEntity(name: string, request: pb.EntityBatchRequest): Promise<pb.EntityBatchResult>;
}

/**
 * Remote workers as an implementation of the executor contract. Orchestrations registered in
 * process run on the local executor; every other name goes to a remote worker.
 */
export class RoutingExecutor implements EpisodeExecutor {
  constructor(
    readonly registry: Registry,
    private readonly local: EpisodeExecutor,
    private readonly remote: RemoteWork,
  ) {}

  runsRemotely(name: string): boolean {
    return this.registry.getOrchestrator(name) === undefined;
  }

  createSession(): EpisodeSession {
    let target: EpisodeSession | undefined;
    return {
      execute: (past, fresh) => {
        if (target === undefined) {
          const started = [...past, ...fresh].find((e) => e.type === 'ExecutionStarted');
          const name = started?.type === 'ExecutionStarted' ? started.name : undefined;
          target =
            name === undefined || this.registry.getOrchestrator(name) !== undefined
              ? this.local.createSession()
              : new RemoteSession(this.remote, name);
        }
        return target.execute(past, fresh);
      },
    };
  }
}

const noActions: ExecutionResult = { actions: [], customStatus: undefined, completion: undefined };

/**
 * One execution run by a stateless remote worker: it keeps the history the host recorded, and sends
 * it as past events with each episode's new events. A failed call leaves the session as it was, so
 * the host can run the same episode again later (see parking in the runtime).
 */
export class RemoteSession implements EpisodeSession {
  /** The recorded history, converted once: each episode sends it whole to a stateless worker. */
  private readonly history: pb.HistoryEvent[] = [];
  private instance: { readonly instanceId: string; readonly executionId: string } | undefined;

  constructor(
    private readonly remote: RemoteWork,
    private readonly name: string,
  ) {}

  async execute(past: readonly HistoryEvent[], fresh: readonly HistoryEvent[]): Promise<ExecutionResult> {
    this.record(past);
    // Replaying recorded history asks nothing new of the orchestrator.
    if (fresh.length === 0) return noActions;
    const freshEvents = fresh.map(protoEvent);
    if (this.instance === undefined) this.findInstance(fresh);
    const instance = this.instance ?? { instanceId: '', executionId: '' };
    const request = new pb.OrchestratorRequest();
    request.setInstanceid(instance.instanceId);
    if (this.instance !== undefined) request.setExecutionid(stringValue(instance.executionId));
    request.setPasteventsList([...this.history]);
    request.setNeweventsList(freshEvents);
    const response = await this.remote.runOrchestrator(this.name, request);
    const result = executionResultOf(response, instance.instanceId);
    const stamp =
      [...fresh].reverse().find((e) => e.type === 'OrchestratorStarted')?.timestamp ??
      (fresh[0] as HistoryEvent).timestamp;
    this.history.push(...freshEvents);
    const recorded: HistoryEvent[] = [];
    for (const action of result.actions) {
      const event = recordedEvent(action, stamp, instance);
      if (event !== undefined) recorded.push(event);
    }
    recorded.push(newEvent('OrchestratorCompleted', stamp, {}));
    this.record(recorded);
    return result;
  }

  private record(events: readonly HistoryEvent[]): void {
    if (this.instance === undefined) this.findInstance(events);
    for (const event of events) this.history.push(protoEvent(event));
  }

  private findInstance(events: readonly HistoryEvent[]): void {
    const started = events.find((e) => e.type === 'ExecutionStarted');
    if (started?.type === 'ExecutionStarted') this.instance = started.orchestrationInstance;
  }
}

/**
 * The runtime's `EntityRunner` seam: entities registered in process run locally; every other name
 * goes to a remote worker as one `EntityBatchRequest`.
 */
export class RoutingEntityRunner {
  private readonly local: EntityExecutor;

  constructor(
    private readonly registry: Registry,
    private readonly remote: RemoteWork,
    logger: Logger = silentLogger,
  ) {
    this.local = new EntityExecutor(registry, { logger });
  }

  runsRemotely(name: string): boolean {
    return this.registry.getEntity(name) === undefined;
  }

  async execute(
    instanceId: string,
    state: string | undefined,
    requests: readonly EntityOperationRequest[],
  ): Promise<EntityBatchResult> {
    const { name } = parseEntityInstanceId(instanceId);
    if (this.registry.getEntity(name) !== undefined) return this.local.execute(instanceId, state, requests);
    const result = await this.remote.runEntity(name, entityBatchRequest(instanceId, state, requests));
    return entityBatchResultOf(result, requests.length, state);
  }
}

/** Activities registered in process run locally; every other name goes to a remote worker. */
export function routingActivityRunner(
  registry: Registry,
  remote: RemoteWork,
  logger: Logger = silentLogger,
): ActivityRunner {
  return async (item) => {
    if (registry.getActivity(item.name) !== undefined) return executeActivity(registry, item, logger);
    const request = new pb.ActivityRequest();
    request.setName(item.name);
    request.setVersion(stringValue(item.version));
    request.setInput(stringValue(item.input));
    request.setTaskid(item.taskId);
    const ref = new pb.OrchestrationInstance();
    ref.setInstanceid(item.instanceId);
    request.setOrchestrationinstance(ref);
    // The SDK worker's activity span joins the orchestration's trace under this client span.
    if (item.traceParent !== undefined)
      request.setParenttracecontext(protoTraceContext({ traceParent: item.traceParent }));
    const response = await remote.runActivity(request);
    const failure = response.getFailuredetails();
    if (failure !== undefined) return { ok: false, failureDetails: failureOf(failure) };
    const result = payloadOf(response.getResult());
    return result === undefined ? { ok: true } : { ok: true, result };
  };
}
