import type { HistoryEvent } from '@durable/core';
import type { ActivityOutcome, ActivityRequest } from './activity';
import type { ExecutionResult } from './executor';
import type { Registry } from './registry';

/**
 * The executor contract a host runs orchestrations on: "history in, actions out". The in-process
 * `OrchestrationExecutor` is one implementation; a remote worker speaking the Durable Task gRPC
 * protocol is another.
 */
export interface EpisodeExecutor {
  /** The in-process registrations (entities, and the names that run in process). */
  readonly registry: Registry;
  /** A session holds one execution's state between episodes (see `OrchestrationSession`). */
  createSession(): EpisodeSession;
  /**
   * True when the orchestration's episodes run out of process (a remote worker): the host then
   * runs them beside its partition's batches instead of inside them. Absent: all in process.
   */
  runsRemotely?(name: string): boolean;
}

export interface EpisodeSession {
  /** Replays `pastEvents`, applies `newEvents`, and returns the new actions. */
  execute(pastEvents: readonly HistoryEvent[], newEvents: readonly HistoryEvent[]): Promise<ExecutionResult>;
}

/** Runs one activity work item; never throws for a failure of the activity itself. */
export type ActivityRunner = (
  request: ActivityRequest & { readonly version?: string },
) => Promise<ActivityOutcome>;
