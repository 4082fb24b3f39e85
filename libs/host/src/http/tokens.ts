/** Injection token of the InstanceService (from `@durable/runtime`) behind the durable HTTP API. */
export const INSTANCE_SERVICE = Symbol('INSTANCE_SERVICE');

/** Injection token of the resolved DurableHttpSettings. */
export const DURABLE_HTTP_SETTINGS = Symbol('DURABLE_HTTP_SETTINGS');

export interface DurableHttpSettings {
  /** Largest accepted request body in bytes. */
  readonly maxPayloadBytes: number;
}

/** Injection token of the task hubs the durable HTTP API serves (`TaskHubs<ServedTaskHub>`). */
export const TASK_HUBS = Symbol('TASK_HUBS');
