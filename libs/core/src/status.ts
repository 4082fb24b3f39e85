/** Runtime statuses of an orchestration instance, named as in the Durable Task protocol. */
export const RuntimeStatus = {
  Pending: 'Pending',
  Running: 'Running',
  Completed: 'Completed',
  ContinuedAsNew: 'ContinuedAsNew',
  Failed: 'Failed',
  Canceled: 'Canceled',
  Terminated: 'Terminated',
  Suspended: 'Suspended',
} as const;
export type RuntimeStatus = (typeof RuntimeStatus)[keyof typeof RuntimeStatus];

const terminal: ReadonlySet<RuntimeStatus> = new Set<RuntimeStatus>([
  RuntimeStatus.Completed,
  RuntimeStatus.Failed,
  RuntimeStatus.Canceled,
  RuntimeStatus.Terminated,
]);

/** True when the instance will not run again unless restarted or rewound. */
export function isTerminalStatus(status: RuntimeStatus): boolean {
  return terminal.has(status);
}

export function isRuntimeStatus(value: unknown): value is RuntimeStatus {
  return typeof value === 'string' && Object.prototype.hasOwnProperty.call(RuntimeStatus, value);
}
