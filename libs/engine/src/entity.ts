import {
  entityId as normalEntityId,
  entityInstanceId,
  EntityNotRegisteredError,
  EntityOperationNotFoundError,
  failureDetailsFromError,
  InvalidArgumentError,
  parseEntityInstanceId,
  parsePayload,
  PayloadTooLargeError,
  payloadSize,
  serializePayload,
  toTimestamp,
  validateInstanceId,
  type EntityId,
  type FailureDetails,
} from '@durable/core';
import type { OrchestrationDefinition } from './definitions';
import { uuidV5 } from './guid';
import { silentLogger, type Logger } from './logger';
import type { Registry } from './registry';

export interface SignalEntityOptions {
  /** Deliver the signal no earlier than this time. */
  readonly scheduledTime?: Date;
}

/** What an entity operation sees: its entity, the operation, the state, and what it may send. */
export interface EntityContext<S = unknown> {
  readonly entityId: EntityId;
  readonly operationName: string;
  /** When the host runs this operation (the partition owner's clock): entities do not replay. */
  readonly currentUtcDateTime: Date;
  getInput<T = unknown>(): T;
  readonly hasState: boolean;
  /** The state, or `initializer()` (then stored) when the entity has none yet. */
  getState(initializer?: () => S): S | undefined;
  setState(state: S): void;
  /** Removes the state: the entity no longer exists once the operation completes. */
  deleteState(): void;
  /** One-way message to an entity (this one included), sent once the operation succeeds. */
  signalEntity(entity: EntityId, operation: string, input?: unknown, options?: SignalEntityOptions): void;
  /** Starts an orchestration once the operation succeeds; returns its instance id. */
  startNewOrchestration(
    orchestration: string | OrchestrationDefinition<never, unknown>,
    input?: unknown,
    instanceId?: string,
  ): string;
  readonly log: Logger;
}

/** A function-style entity: switch on `ctx.operationName`; the return value is the operation's result. */
export type EntityFunction<S = unknown> = (ctx: EntityContext<S>) => unknown;

/**
 * Base of class-style entities: public methods are operations (the method's argument is the input,
 * its return value the result) and `state` is loaded before and saved after each operation.
 */
export abstract class DurableEntity<S> {
  /** The entity's state; starts as `initialState()` for an entity that has none. */
  state!: S;
  /** Set before each operation. */
  context!: EntityContext<S>;
  /** @internal */ deleted = false;

  abstract initialState(): S;

  /** Removes the entity's state once this operation completes. */
  deleteState(): void {
    this.deleted = true;
  }
}

type EntityClass<S> = new () => DurableEntity<S>;

export interface EntityDefinition<S = unknown> {
  readonly kind: 'entity';
  /** Lower case: entity names are case-insensitive. */
  readonly name: string;
  readonly fn: EntityFunction<S>;
  /** Operation names of a class-style entity; undefined for a function-style one. */
  readonly operations?: readonly string[];
}

const reservedMethods = new Set(['constructor', 'initialState', 'deleteState']);

/** Declares an entity from a function `(ctx) => …` or a class extending `DurableEntity`. */
export function defineEntity<S>(name: string, impl: EntityFunction<S> | EntityClass<S>): EntityDefinition<S> {
  normalEntityId(name, 'key');
  const lower = name.toLowerCase();
  if (typeof impl !== 'function')
    throw new InvalidArgumentError(`entity '${name}' must be a function or class`);
  if (!(impl.prototype instanceof DurableEntity))
    return { kind: 'entity', name: lower, fn: impl as EntityFunction<S> };
  const cls = impl as EntityClass<S>;
  const methods = new Map<string, string>();
  for (let proto = cls.prototype; proto !== DurableEntity.prototype; proto = Object.getPrototypeOf(proto)) {
    for (const key of Object.getOwnPropertyNames(proto)) {
      const descriptor = Object.getOwnPropertyDescriptor(proto, key);
      if (reservedMethods.has(key) || key.startsWith('_') || typeof descriptor?.value !== 'function')
        continue;
      if (!methods.has(key.toLowerCase())) methods.set(key.toLowerCase(), key);
    }
  }
  const fn: EntityFunction<S> = (ctx) => {
    const method = methods.get(ctx.operationName.toLowerCase());
    if (method === undefined) throw new EntityOperationNotFoundError(lower, ctx.operationName);
    const entity = new cls();
    entity.context = ctx;
    entity.state = ctx.getState(() => entity.initialState()) as S;
    const settle = (result: unknown): unknown => {
      if (entity.deleted) ctx.deleteState();
      else ctx.setState(entity.state);
      return result;
    };
    const result = (entity as unknown as Record<string, (input: unknown) => unknown>)[method]?.(
      ctx.getInput(),
    );
    return result instanceof Promise ? result.then(settle) : settle(result);
  };
  return { kind: 'entity', name: lower, fn, operations: [...methods.values()] };
}

/** One operation for an entity to run. */
export interface EntityOperationRequest {
  readonly operation: string;
  readonly input?: string;
  /** Unique per request; seeds the ids of orchestrations the operation starts. */
  readonly requestId: string;
  /** Epoch ms the host runs the operation at; `currentUtcDateTime` (epoch 0 when not given). */
  readonly time?: number;
}

export type EntityOperationOutcome =
  | { readonly ok: true; readonly result?: string }
  | { readonly ok: false; readonly failureDetails: FailureDetails };

/** What a successful operation asked to send. */
export type EntityAction =
  | {
      readonly type: 'signal';
      readonly targetInstanceId: string;
      readonly operation: string;
      readonly input?: string;
      readonly scheduledTime?: string;
    }
  | {
      readonly type: 'startOrchestration';
      readonly name: string;
      readonly instanceId: string;
      readonly input?: string;
    };

export interface EntityBatchResult {
  /** The state after the batch as JSON text; undefined when the entity has none. */
  readonly state: string | undefined;
  /** One outcome per request, in order. */
  readonly outcomes: readonly EntityOperationOutcome[];
  /** From successful operations only, in order. */
  readonly actions: readonly EntityAction[];
}

/** Largest entity state kept (as JSON text): one stored document must hold it. */
export const maxEntityStateBytes = 1024 * 1024;

/**
 * Runs operations one after another on an entity's state. A failed operation changes nothing: its
 * state changes and its messages are rolled back, and the next operation sees the state before it.
 */
export async function executeEntityBatch(
  registry: Registry,
  instanceId: string,
  state: string | undefined,
  requests: readonly EntityOperationRequest[],
  logger: Logger = silentLogger,
): Promise<EntityBatchResult> {
  const id = parseEntityInstanceId(instanceId);
  const definition = registry.getEntity(id.name);
  const outcomes: EntityOperationOutcome[] = [];
  const actions: EntityAction[] = [];
  let current = state;
  for (const request of requests) {
    if (definition === undefined) {
      outcomes.push({
        ok: false,
        failureDetails: {
          ...failureDetailsFromError(new EntityNotRegisteredError(id.name)),
          isNonRetriable: true,
        },
      });
      continue;
    }
    const operation = new OperationContext(id, instanceId, request, current, logger);
    try {
      const output = await definition.fn(operation);
      const result = serializePayload(output);
      const next = operation.stateText();
      const size = payloadSize(next);
      if (size > maxEntityStateBytes) throw new PayloadTooLargeError(size, maxEntityStateBytes);
      current = next;
      actions.push(...operation.actions);
      outcomes.push(result === undefined ? { ok: true } : { ok: true, result });
    } catch (error) {
      outcomes.push({ ok: false, failureDetails: failureDetailsFromError(error) });
    }
  }
  return { state: current, outcomes, actions };
}

class OperationContext implements EntityContext<unknown> {
  readonly actions: EntityAction[] = [];
  private state: unknown;
  private exists: boolean;
  private started = 0;
  readonly log: Logger;

  constructor(
    readonly entityId: EntityId,
    private readonly instanceId: string,
    private readonly request: EntityOperationRequest,
    stateText: string | undefined,
    logger: Logger,
  ) {
    this.exists = stateText !== undefined;
    this.state = parsePayload(stateText);
    this.log = logger;
  }

  get operationName(): string {
    return this.request.operation;
  }

  get hasState(): boolean {
    return this.exists;
  }

  get currentUtcDateTime(): Date {
    return new Date(this.request.time ?? 0);
  }

  getInput<T>(): T {
    return parsePayload(this.request.input) as T;
  }

  getState(initializer?: () => unknown): unknown {
    if (!this.exists && initializer !== undefined) this.setState(initializer());
    return this.state;
  }

  setState(state: unknown): void {
    this.state = state;
    this.exists = true;
  }

  deleteState(): void {
    this.state = undefined;
    this.exists = false;
  }

  /** The state as stored; throws (failing the operation) when it cannot be serialized. */
  stateText(): string | undefined {
    if (!this.exists) return undefined;
    return serializePayload(this.state) ?? 'null';
  }

  signalEntity(entity: EntityId, operation: string, input?: unknown, options?: SignalEntityOptions): void {
    checkOperationName(operation);
    const text = serializePayload(input);
    this.actions.push({
      type: 'signal',
      targetInstanceId: entityInstanceId(entity),
      operation,
      ...(text !== undefined ? { input: text } : {}),
      ...(options?.scheduledTime !== undefined
        ? { scheduledTime: scheduledTimestamp(options.scheduledTime) }
        : {}),
    });
  }

  startNewOrchestration(
    orchestration: string | OrchestrationDefinition<never, unknown>,
    input?: unknown,
    instanceId?: string,
  ): string {
    const name = typeof orchestration === 'string' ? orchestration : orchestration.name;
    // Deterministic per request, so a batch run again after a crash starts the same instance.
    const id = instanceId ?? uuidV5(`${this.instanceId}:${this.request.requestId}:${this.started++}`);
    validateInstanceId(id);
    const text = serializePayload(input);
    this.actions.push({
      type: 'startOrchestration',
      name,
      instanceId: id,
      ...(text !== undefined ? { input: text } : {}),
    });
    return id;
  }
}

/** Throws InvalidArgumentError unless `operation` is a usable operation name. */
export function checkOperationName(operation: unknown): asserts operation is string {
  if (
    typeof operation !== 'string' ||
    operation === '' ||
    operation.length > 256 ||
    /[\u0000-\u001f]/.test(operation)
  )
    throw new InvalidArgumentError(
      'an entity operation name must be a non-empty string of at most 256 characters',
    );
  if (operation.startsWith('$'))
    throw new InvalidArgumentError(
      `entity operation names starting with '$' are reserved (got '${operation}')`,
    );
}

export function scheduledTimestamp(time: Date): string {
  const ms = time instanceof Date ? time.getTime() : Number.NaN;
  if (!Number.isFinite(ms)) throw new InvalidArgumentError('scheduledTime must be a valid Date');
  return toTimestamp(ms);
}

/** Runs entity operation batches for a host; the in-process counterpart of a remote entity worker. */
export class EntityExecutor {
  constructor(
    private readonly registry: Registry,
    private readonly options: { readonly logger?: Logger } = {},
  ) {}

  execute(
    instanceId: string,
    state: string | undefined,
    requests: readonly EntityOperationRequest[],
  ): Promise<EntityBatchResult> {
    return executeEntityBatch(this.registry, instanceId, state, requests, this.options.logger);
  }
}
