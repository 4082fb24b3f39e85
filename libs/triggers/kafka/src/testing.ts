/**
 * A TriggerTarget for tests that behaves like the runtime's InstanceClient for triggers: it knows a
 * set of orchestrations, validates ids, applies the reuse policy, and can be told to fail.
 * Not for production use.
 */
import {
  InstanceAlreadyExistsError,
  OrchestratorNotRegisteredError,
  UnavailableError,
  validateInstanceId,
} from '@durable/core';
import type { TriggerTarget } from './kafka-trigger-consumer';

export interface RecordedStart {
  readonly name: string;
  readonly instanceId: string;
  readonly input: string | undefined;
}

export class RecordingTarget implements TriggerTarget {
  /** Instances actually created, in order. */
  readonly started: RecordedStart[] = [];
  /** Every start call that reached the target (including ignored redeliveries and failures). */
  calls = 0;
  private readonly failures = new Map<string, { error: () => unknown; times: number }>();

  constructor(
    private readonly names: readonly string[],
    /** Milliseconds each start takes, to widen race windows. */
    private readonly delayMs = 0,
  ) {}

  orchestrationNames(): readonly string[] {
    return this.names;
  }

  /** Makes the next `times` starts of `instanceId` throw (by default a retriable UnavailableError). */
  failNext(
    instanceId: string,
    times: number,
    error: () => unknown = () => new UnavailableError('store throttled'),
  ): void {
    this.failures.set(instanceId, { error, times });
  }

  /** Starts of `instanceId` fail retriably until the returned function is called. */
  failUntilReleased(instanceId: string): () => void {
    const failure = {
      error: () => new UnavailableError('held by the test'),
      times: Number.POSITIVE_INFINITY,
    };
    this.failures.set(instanceId, failure);
    return () => {
      failure.times = 0;
    };
  }

  has(instanceId: string): boolean {
    return this.started.some((s) => s.instanceId === instanceId);
  }

  async start(
    name: string,
    options: { instanceId?: string; input?: string; reusePolicy?: 'replaceFinished' | 'error' | 'ignore' },
  ): Promise<{ instanceId: string }> {
    this.calls++;
    if (this.delayMs > 0) await new Promise((resolve) => setTimeout(resolve, this.delayMs));
    if (!this.names.includes(name)) throw new OrchestratorNotRegisteredError(name);
    const instanceId = options.instanceId ?? `generated-${this.calls}`;
    validateInstanceId(instanceId);
    const failure = this.failures.get(instanceId);
    if (failure !== undefined && failure.times > 0) {
      failure.times--;
      throw failure.error();
    }
    if (this.has(instanceId)) {
      if (options.reusePolicy === 'ignore') return { instanceId };
      throw new InstanceAlreadyExistsError(instanceId);
    }
    this.started.push({ name, instanceId, input: options.input });
    return { instanceId };
  }
}
