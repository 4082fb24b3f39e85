/**
 * Named points between the steps of the commit protocol. Tests install a hook that throws (or
 * kills the process) at a point, to prove that a crash there loses nothing.
 */
export const FaultPoint = {
  /** State committed, outbox not yet sent. */
  AfterStateCommit: 'afterStateCommit',
  /** Outbox sent, log offset not yet committed. */
  AfterOutboxSend: 'afterOutboxSend',
  /** Activity ran, result not yet sent. */
  AfterActivityRun: 'afterActivityRun',
  /** Activity result sent, activity offset not yet committed. */
  AfterActivityResultSend: 'afterActivityResultSend',
} as const;
export type FaultPoint = (typeof FaultPoint)[keyof typeof FaultPoint];

export type FaultHook = (point: FaultPoint, detail: { partition: number }) => void | Promise<void>;
