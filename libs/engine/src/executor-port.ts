import type { HistoryEvent } from '@durable/core';
import type { ActivityOutcome, ActivityRequest } from './activity';
import type { ExecutionResult } from './executor';

/**
 * The executor contract a host runs orchestrations on: "history in, actions out". The in-process
 * `OrchestrationExecutor` is one implementation; a remote worker speaking the Durable Task gRPC
 * protocol is another.
 */
export interface EpisodeExecutor {
  /** A session holds one execution's state between episodes (see `OrchestrationSession`). */
  createSession(): EpisodeSession;
}

export interface EpisodeSession {
  /** Replays `pastEvents`, applies `newEvents`, and returns the new actions. */
  execute(pastEvents: readonly HistoryEvent[], newEvents: readonly HistoryEvent[]): Promise<ExecutionResult>;
}

/** Runs one activity work item; never throws for a failure of the activity itself. */
export type ActivityRunner = (
  request: ActivityRequest & { readonly version?: string },
) => Promise<ActivityOutcome>;
