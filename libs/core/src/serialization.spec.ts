import {
  ActionType,
  HistoryEventType,
  InvalidArgumentError,
  newEvent,
  parseActions,
  parseHistory,
  RuntimeStatus,
  serializeActions,
  serializeHistory,
  toHistoryEvent,
  toOrchestratorAction,
  toTimestamp,
  type FailureDetails,
  type HistoryEvent,
  type HistoryEventOf,
  type OrchestratorAction,
} from './index';
import { events as e, testEpoch } from './testing';

type ActionOf<T extends ActionType> = Extract<OrchestratorAction, { type: T }>;
type EventFieldOf<T extends HistoryEventType> = Exclude<
  keyof HistoryEventOf<T>,
  'type' | 'eventId' | 'timestamp'
>;
type ActionFieldOf<T extends ActionType> = Exclude<keyof ActionOf<T>, 'type' | 'id'>;

const ts = (offsetMs = 0): string => toTimestamp(testEpoch + offsetMs);

const nestedFailure: FailureDetails = {
  errorType: 'ActivityFailedError',
  errorMessage: "activity 'Charge' (task 3) failed: card declined",
  stackTrace: 'ActivityFailedError: card declined\n    at charge (billing.ts:10:5)',
  isNonRetriable: false,
  innerFailure: {
    errorType: 'PaymentError',
    errorMessage: 'card declined: "insufficient funds"',
    innerFailure: { errorType: 'HttpError', errorMessage: '402 Payment Required', isNonRetriable: true },
  },
};

/** Events as the spec builders and `newEvent` produce them; together they cover every type. */
const builtEvents: HistoryEvent[] = [
  e.orchestratorStarted(),
  e.executionStarted(
    'Checkout',
    { cart: ['book', 'pen'], total: 12.5 },
    { instanceId: 'order-42', executionId: 'exec-1', version: '2.0' },
  ),
  newEvent('ExecutionStarted', ts(), {
    name: 'Child',
    version: '1',
    input: '"from parent"',
    orchestrationInstance: { instanceId: 'order-42:child', executionId: 'exec-2' },
    parentInstance: { taskScheduledId: 4, name: 'Checkout', instanceId: 'order-42', executionId: 'exec-1' },
    scheduledStartTimestamp: ts(60_000),
    tags: { team: 'payments', région: 'Zürich ☃', empty: '' },
  }),
  newEvent('ExecutionStarted', ts(), {
    name: 'NoParentExecution',
    orchestrationInstance: { instanceId: 'p:1', executionId: 'e' },
    parentInstance: { taskScheduledId: 0, name: 'P', instanceId: 'p' },
  }),
  e.taskScheduled(0, 'SayHello', 'Tokyo'),
  e.taskCompleted(0, 'Hello Tokyo!'),
  e.taskScheduled(1, 'NoInput'),
  e.taskCompleted(1),
  e.taskFailed(2, nestedFailure),
  e.taskFailed(3),
  e.timerCreated(5, testEpoch + 3_600_000),
  e.timerFired(5, testEpoch + 3_600_000),
  e.subOrchestrationCreated(6, 'Child', 'order-42:child', { depth: 1 }),
  e.subOrchestrationCompleted(6, [1, 2, 3]),
  e.subOrchestrationFailed(7, { errorType: 'TypeError', errorMessage: 'x is undefined' }),
  e.eventRaised('Approval', { approved: true, by: 'Zoë' }),
  e.eventRaised('NoPayload'),
  e.eventSent(8, 'other-instance', 'Ping', 'pong'),
  e.executionSuspended('maintenance window'),
  e.executionResumed('maintenance over'),
  e.executionTerminated('cancelled by "admin"\nsee ticket #12'),
  e.executionTerminated(),
  newEvent('ExecutionTerminated', ts(), { input: '"cascade"', recurse: true }),
  newEvent('ContinueAsNew', ts(), { input: '{"iteration":2}' }),
  newEvent('ContinueAsNew', ts(), {}),
  newEvent('ExecutionCompleted', ts(), { orchestrationStatus: 'Completed', result: '{"ok":true}' }),
  newEvent('ExecutionCompleted', ts(), { orchestrationStatus: 'Failed', failureDetails: nestedFailure }),
  newEvent('ExecutionCompleted', ts(), { orchestrationStatus: 'Terminated' }),
  newEvent('GenericEvent', ts(), { data: 'anything at all: {"a":[1]}' }),
  newEvent('GenericEvent', ts(), {}),
  newEvent('OrchestratorCompleted', ts(10), {}),
  e.entitySignaled(20, '@counter@a', 'add', 1),
  e.entityCalled(21, '@counter@a', 'get'),
  e.entityCompleted('req-21', 1),
  e.entityFailed('req-21', { errorMessage: 'no' }),
  e.lockRequested(22, ['@account@a', '@account@b']),
  e.lockGranted('req-22'),
  e.unlockSent(23, '@account@a', 'req-22'),
  e.taskCanceled(24, 3),
  e.orchestratorCompleted(),
];

/** One event of each type with every optional field set; `Required` makes the compiler enforce that. */
const fullEvents: { readonly [T in HistoryEventType]: Required<HistoryEventOf<T>> } = {
  ExecutionStarted: {
    type: 'ExecutionStarted',
    eventId: -1,
    timestamp: ts(),
    name: 'Full',
    version: '3',
    input: '{"x":1}',
    orchestrationInstance: { instanceId: 'full-1', executionId: 'exec-9' },
    parentInstance: { taskScheduledId: 1, name: 'Parent', instanceId: 'parent-1', executionId: 'exec-0' },
    scheduledStartTimestamp: ts(1000),
    tags: { a: 'b' },
    parentTraceContext: {
      traceParent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
      traceState: 'k=v',
    },
  },
  ExecutionCompleted: {
    type: 'ExecutionCompleted',
    eventId: -1,
    timestamp: ts(),
    orchestrationStatus: 'Failed',
    result: 'null',
    failureDetails: nestedFailure,
  },
  ExecutionTerminated: {
    type: 'ExecutionTerminated',
    eventId: -1,
    timestamp: ts(),
    input: '"why"',
    recurse: false,
  },
  ExecutionSuspended: { type: 'ExecutionSuspended', eventId: -1, timestamp: ts(), input: '"why"' },
  ExecutionResumed: { type: 'ExecutionResumed', eventId: -1, timestamp: ts(), input: '"why"' },
  ContinueAsNew: { type: 'ContinueAsNew', eventId: -1, timestamp: ts(), input: '[1]' },
  OrchestratorStarted: { type: 'OrchestratorStarted', eventId: -1, timestamp: ts() },
  OrchestratorCompleted: { type: 'OrchestratorCompleted', eventId: -1, timestamp: ts() },
  TaskScheduled: { type: 'TaskScheduled', eventId: 0, timestamp: ts(), name: 'A', version: '1', input: '1' },
  TaskCompleted: { type: 'TaskCompleted', eventId: -1, timestamp: ts(), taskScheduledId: 0, result: '2' },
  TaskFailed: {
    type: 'TaskFailed',
    eventId: -1,
    timestamp: ts(),
    taskScheduledId: 0,
    failureDetails: nestedFailure,
  },
  TimerCreated: { type: 'TimerCreated', eventId: 1, timestamp: ts(), fireAt: ts(5000) },
  TimerFired: { type: 'TimerFired', eventId: -1, timestamp: ts(5000), timerId: 1, fireAt: ts(5000) },
  SubOrchestrationInstanceCreated: {
    type: 'SubOrchestrationInstanceCreated',
    eventId: 2,
    timestamp: ts(),
    name: 'Child',
    instanceId: 'child-1',
    version: '1',
    input: '{}',
  },
  SubOrchestrationInstanceCompleted: {
    type: 'SubOrchestrationInstanceCompleted',
    eventId: -1,
    timestamp: ts(),
    taskScheduledId: 2,
    result: '"done"',
  },
  SubOrchestrationInstanceFailed: {
    type: 'SubOrchestrationInstanceFailed',
    eventId: -1,
    timestamp: ts(),
    taskScheduledId: 2,
    failureDetails: { errorType: 'Error', errorMessage: 'child failed' },
  },
  EventRaised: { type: 'EventRaised', eventId: -1, timestamp: ts(), name: 'Go', input: 'true' },
  EventSent: {
    type: 'EventSent',
    eventId: 3,
    timestamp: ts(),
    instanceId: 'other',
    name: 'Ping',
    input: '"x"',
  },
  GenericEvent: { type: 'GenericEvent', eventId: -1, timestamp: ts(), data: 'opaque' },
  EntityOperationSignaled: {
    type: 'EntityOperationSignaled',
    eventId: 4,
    timestamp: ts(),
    requestId: 'r-4',
    operation: 'add',
    input: '1',
    targetInstanceId: '@counter@a',
    scheduledTime: ts(100),
  },
  EntityOperationCalled: {
    type: 'EntityOperationCalled',
    eventId: 5,
    timestamp: ts(),
    requestId: 'r-5',
    operation: 'get',
    input: 'null',
    targetInstanceId: '@counter@a',
    parentInstanceId: 'orch',
    parentExecutionId: 'exec',
  },
  EntityOperationCompleted: {
    type: 'EntityOperationCompleted',
    eventId: -1,
    timestamp: ts(),
    requestId: 'r-5',
    result: '3',
  },
  EntityOperationFailed: {
    type: 'EntityOperationFailed',
    eventId: -1,
    timestamp: ts(),
    requestId: 'r-5',
    failureDetails: { errorType: 'Error', errorMessage: 'no' },
  },
  EntityLockRequested: {
    type: 'EntityLockRequested',
    eventId: 6,
    timestamp: ts(),
    criticalSectionId: 'cs-6',
    lockSet: ['@account@a', '@account@b'],
    position: 0,
    parentInstanceId: 'orch',
    parentExecutionId: 'exec',
  },
  EntityLockGranted: { type: 'EntityLockGranted', eventId: -1, timestamp: ts(), criticalSectionId: 'cs-6' },
  EntityUnlockSent: {
    type: 'EntityUnlockSent',
    eventId: 7,
    timestamp: ts(),
    criticalSectionId: 'cs-6',
    parentInstanceId: 'orch',
    targetInstanceId: '@account@a',
  },
  TaskCanceled: { type: 'TaskCanceled', eventId: 8, timestamp: ts(), taskScheduledId: 2 },
};

/** The fields an event of each type cannot do without; everything else is optional. */
const requiredEventFields: { readonly [T in HistoryEventType]: ReadonlyArray<EventFieldOf<T>> } = {
  ExecutionStarted: ['name', 'orchestrationInstance'],
  ExecutionCompleted: ['orchestrationStatus'],
  ExecutionTerminated: [],
  ExecutionSuspended: [],
  ExecutionResumed: [],
  ContinueAsNew: [],
  OrchestratorStarted: [],
  OrchestratorCompleted: [],
  TaskScheduled: ['name'],
  TaskCompleted: ['taskScheduledId'],
  TaskFailed: ['taskScheduledId', 'failureDetails'],
  TimerCreated: ['fireAt'],
  TimerFired: ['timerId', 'fireAt'],
  SubOrchestrationInstanceCreated: ['name', 'instanceId'],
  SubOrchestrationInstanceCompleted: ['taskScheduledId'],
  SubOrchestrationInstanceFailed: ['taskScheduledId', 'failureDetails'],
  EventRaised: ['name'],
  EventSent: ['instanceId', 'name'],
  GenericEvent: [],
  EntityOperationSignaled: ['requestId', 'operation', 'targetInstanceId'],
  EntityOperationCalled: [
    'requestId',
    'operation',
    'targetInstanceId',
    'parentInstanceId',
    'parentExecutionId',
  ],
  EntityOperationCompleted: ['requestId'],
  EntityOperationFailed: ['requestId', 'failureDetails'],
  EntityLockRequested: ['criticalSectionId', 'lockSet', 'position', 'parentInstanceId'],
  EntityLockGranted: ['criticalSectionId'],
  EntityUnlockSent: ['criticalSectionId', 'parentInstanceId', 'targetInstanceId'],
  TaskCanceled: ['taskScheduledId'],
};

const builtActions: OrchestratorAction[] = [
  { type: 'ScheduleTask', id: 0, name: 'SayHello', input: '"Tokyo"' },
  { type: 'ScheduleTask', id: 1, name: 'Versioned', version: '2.1' },
  {
    type: 'CreateSubOrchestration',
    id: 2,
    name: 'Child',
    instanceId: 'order-42:child',
    version: '1',
    input: '{"n":1}',
  },
  { type: 'CreateSubOrchestration', id: 3, name: 'Bare', instanceId: 'bare' },
  { type: 'CreateTimer', id: 4, fireAt: ts(86_400_000) },
  { type: 'SendEvent', id: 5, instanceId: 'other', name: 'Ping', data: '"pong"' },
  { type: 'SendEvent', id: 6, instanceId: 'other', name: 'NoData' },
  { type: 'CompleteOrchestration', id: 7, orchestrationStatus: 'Completed', result: '["a","b"]' },
  { type: 'CompleteOrchestration', id: 8, orchestrationStatus: 'Failed', failureDetails: nestedFailure },
  {
    type: 'CompleteOrchestration',
    id: 9,
    orchestrationStatus: 'ContinuedAsNew',
    result: '{"iteration":3}',
    newVersion: '2.0',
    carryoverEvents: [e.eventRaised('Pending', 1), e.eventRaised('AlsoPending', 'two')],
  },
  { type: 'CompleteOrchestration', id: 10, orchestrationStatus: 'Terminated', result: '"stopped"' },
  {
    type: 'TerminateOrchestration',
    id: 11,
    instanceId: 'child-1',
    reason: '"no longer needed"',
    recurse: true,
  },
  { type: 'TerminateOrchestration', id: 12, instanceId: 'child-2', recurse: false },
  {
    type: 'SendEntityMessage',
    id: 13,
    kind: 'signal',
    targetInstanceId: '@counter@user-1',
    operation: 'add',
    input: '5',
    requestId: 'req-1',
    scheduledTime: ts(1000),
  },
  {
    type: 'SendEntityMessage',
    id: 14,
    kind: 'call',
    targetInstanceId: '@counter@user-1',
    operation: 'get',
    requestId: 'req-2',
  },
  { type: 'SendEntityMessage', id: 15, kind: 'lock', targetInstanceId: '@lock@a', requestId: 'req-3' },
  { type: 'SendEntityMessage', id: 16, kind: 'unlock', targetInstanceId: '@lock@a', requestId: 'req-4' },
  { type: 'CancelTask', id: 17, taskId: 0, kind: 'activity' },
  { type: 'CancelTask', id: 18, taskId: 2, kind: 'subOrchestration', instanceId: 'order-42:child' },
];

const fullActions: { readonly [T in ActionType]: Required<ActionOf<T>> } = {
  ScheduleTask: {
    type: 'ScheduleTask',
    id: 0,
    name: 'A',
    version: '1',
    input: '1',
    parentTraceContext: {
      traceParent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
      traceState: 'k=v',
    },
  },
  CreateSubOrchestration: {
    type: 'CreateSubOrchestration',
    id: 1,
    name: 'C',
    instanceId: 'c-1',
    version: '1',
    input: '2',
    parentTraceContext: {
      traceParent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
      traceState: 'k=v',
    },
  },
  CreateTimer: { type: 'CreateTimer', id: 2, fireAt: ts(100) },
  SendEvent: { type: 'SendEvent', id: 3, instanceId: 'x', name: 'E', data: '3' },
  CompleteOrchestration: {
    type: 'CompleteOrchestration',
    id: 4,
    orchestrationStatus: 'ContinuedAsNew',
    result: '4',
    failureDetails: nestedFailure,
    newVersion: '5',
    carryoverEvents: [e.eventRaised('Later', { a: 1 })],
  },
  TerminateOrchestration: {
    type: 'TerminateOrchestration',
    id: 5,
    instanceId: 'y',
    reason: '"r"',
    recurse: true,
  },
  SendEntityMessage: {
    type: 'SendEntityMessage',
    id: 6,
    kind: 'signal',
    targetInstanceId: '@e@k',
    operation: 'op',
    input: '6',
    requestId: 'r-6',
    scheduledTime: ts(200),
    lockSet: ['@e@k'],
  },
  CancelTask: { type: 'CancelTask', id: 7, taskId: 1, kind: 'subOrchestration', instanceId: 'c-1' },
};

const requiredActionFields: { readonly [T in ActionType]: ReadonlyArray<ActionFieldOf<T>> } = {
  ScheduleTask: ['name'],
  CreateSubOrchestration: ['name', 'instanceId'],
  CreateTimer: ['fireAt'],
  SendEvent: ['instanceId', 'name'],
  CompleteOrchestration: ['orchestrationStatus'],
  TerminateOrchestration: ['instanceId', 'recurse'],
  SendEntityMessage: ['kind', 'targetInstanceId', 'requestId'],
  CancelTask: ['taskId', 'kind'],
};

const allEventTypes = Object.values(HistoryEventType);
const allActionTypes = Object.values(ActionType);
const sorted = (values: Iterable<string>): string[] => [...new Set(values)].sort();

/** A JSON-able copy as a plain record, for tampering with one field. */
const recordOf = (value: object): Record<string, unknown> =>
  JSON.parse(JSON.stringify(value)) as Record<string, unknown>;
const historyText = (...records: unknown[]): string => JSON.stringify(records);

/** Runs `fn` and returns the InvalidArgumentError it throws (failing the test if it throws anything else). */
function invalid(fn: () => unknown): InvalidArgumentError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidArgumentError);
    return error as InvalidArgumentError;
  }
  throw new Error('expected an InvalidArgumentError, but nothing was thrown');
}

/** A value of a JSON type different from `value`'s, so that no field kind accepts it in `value`'s place. */
function wrongTypeFor(value: unknown): unknown {
  if (typeof value === 'string') return 42;
  if (typeof value === 'number') return '1';
  if (typeof value === 'boolean') return 'true';
  return 'not an object';
}

describe('history serialization round-trip', () => {
  it('covers every history event type with the builder samples and the full samples', () => {
    expect(sorted(builtEvents.map((event) => event.type))).toEqual(sorted(allEventTypes));
    expect(sorted(Object.keys(fullEvents))).toEqual(sorted(allEventTypes));
    expect(sorted(Object.keys(requiredEventFields))).toEqual(sorted(allEventTypes));
    for (const [type, event] of Object.entries(fullEvents)) expect(event.type).toBe(type);
  });

  it('parses a serialized history back to exactly the events that were written', () => {
    const text = serializeHistory(builtEvents);
    expect(parseHistory(text)).toStrictEqual(builtEvents);
  });

  it.each(allEventTypes)('round-trips every %s sample on its own', (type) => {
    const samples = [...builtEvents.filter((event) => event.type === type), fullEvents[type]];
    expect(samples.length).toBeGreaterThanOrEqual(2);
    for (const sample of samples) expect(parseHistory(serializeHistory([sample]))).toStrictEqual([sample]);
  });

  it.each(allEventTypes)('round-trips a %s event with every optional field set', (type) => {
    const full = fullEvents[type];
    expect(parseHistory(serializeHistory([full]))).toStrictEqual([full]);
  });

  it.each(allEventTypes)('accepts a %s event with every optional field left out', (type) => {
    const required = new Set<string>(['type', 'eventId', 'timestamp', ...requiredEventFields[type]]);
    const minimal = Object.fromEntries(Object.entries(fullEvents[type]).filter(([key]) => required.has(key)));
    expect(parseHistory(serializeHistory([minimal as HistoryEvent]))).toStrictEqual([minimal]);
  });

  it('writes one event per line so that recorded histories diff line by line', () => {
    const history = [
      e.orchestratorStarted(),
      e.executionStarted('A', 'multi\nline'),
      e.taskScheduled(0, 'B'),
    ];
    const lines = serializeHistory(history).split('\n');
    expect(lines).toEqual([
      '[',
      `${JSON.stringify(history[0])},`,
      `${JSON.stringify(history[1])},`,
      JSON.stringify(history[2]),
      ']',
      '',
    ]);
  });

  it('round-trips an empty history', () => {
    expect(parseHistory(serializeHistory([]))).toEqual([]);
  });

  it('serializes deterministically: serializing a parsed history gives the same text', () => {
    const text = serializeHistory(builtEvents);
    expect(serializeHistory(parseHistory(text))).toBe(text);
  });

  it('keeps payload strings byte-for-byte (quotes, backslashes, newlines, unicode)', () => {
    const input = '{"text":"line 1\\nline 2 \\"quoted\\" \\\\ 😀 é \u2028"}';
    const [parsed] = parseHistory(
      serializeHistory([newEvent('EventRaised', ts(), { name: 'Tricky "name"\n', input })]),
    );
    expect(parsed).toMatchObject({ name: 'Tricky "name"\n', input });
  });
});

describe('action serialization round-trip', () => {
  it('covers every action type with the samples', () => {
    expect(sorted(builtActions.map((action) => action.type))).toEqual(sorted(allActionTypes));
    expect(sorted(Object.keys(fullActions))).toEqual(sorted(allActionTypes));
    expect(sorted(Object.keys(requiredActionFields))).toEqual(sorted(allActionTypes));
    for (const [type, action] of Object.entries(fullActions)) expect(action.type).toBe(type);
  });

  it('parses serialized actions back to exactly the actions that were written', () => {
    expect(parseActions(serializeActions(builtActions))).toStrictEqual(builtActions);
  });

  it.each(allActionTypes)('round-trips every %s sample on its own', (type) => {
    const samples = [...builtActions.filter((action) => action.type === type), fullActions[type]];
    for (const sample of samples) expect(parseActions(serializeActions([sample]))).toStrictEqual([sample]);
  });

  it.each(allActionTypes)('accepts a %s action with every optional field left out', (type) => {
    const required = new Set<string>(['type', 'id', ...requiredActionFields[type]]);
    const minimal = Object.fromEntries(
      Object.entries(fullActions[type]).filter(([key]) => required.has(key)),
    );
    expect(parseActions(serializeActions([minimal as OrchestratorAction]))).toStrictEqual([minimal]);
  });

  it('keeps nested failure details (innerFailure chain, isNonRetriable) of a failed completion', () => {
    const [action] = parseActions(serializeActions([fullActions.CompleteOrchestration]));
    expect(action?.type === 'CompleteOrchestration' ? action.failureDetails : undefined).toStrictEqual(
      nestedFailure,
    );
  });

  it('keeps carryover events of a continue-as-new completion as valid history events', () => {
    const [action] = parseActions(serializeActions([fullActions.CompleteOrchestration]));
    const carried = action?.type === 'CompleteOrchestration' ? action.carryoverEvents : undefined;
    expect(carried).toStrictEqual([e.eventRaised('Later', { a: 1 })]);
  });

  it('round-trips an empty action list', () => {
    expect(parseActions(serializeActions([]))).toEqual([]);
  });
});

/** Mulberry32: a tiny seeded PRNG, so that "random" cases are the same on every run. */
function prng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

class Gen {
  private static readonly alphabet = [
    'a',
    'Z',
    '0',
    ' ',
    '-',
    '"',
    "'",
    '\\',
    '/',
    '\n',
    '\r',
    '\t',
    '\u0000',
    '\u001f',
    '\u007f',
    '{',
    '}',
    '[',
    ']',
    ',',
    ':',
    'é',
    'ß',
    '€',
    '☃',
    '注',
    '😀',
    '👩‍👩‍👧',
    '\u2028',
    '\u2029',
    '\ufeff',
    '\u{10ffff}',
  ];
  constructor(private readonly next: () => number) {}
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }
  bool(): boolean {
    return this.next() < 0.5;
  }
  pick<T>(values: readonly T[]): T {
    const value = values[this.int(0, values.length - 1)];
    if (value === undefined) throw new Error('pick from an empty list');
    return value;
  }
  string(maxLength = 12): string {
    let text = '';
    const length = this.int(0, maxLength);
    for (let i = 0; i < length; i++) text += this.pick(Gen.alphabet);
    return text;
  }
  number(): number {
    return this.pick([
      () => this.int(-1, 1000),
      () => this.int(-2_147_483_648, 2_147_483_647),
      () => Number.MAX_SAFE_INTEGER,
      () => Number.MIN_SAFE_INTEGER,
      () => (this.next() - 0.5) * 1e6,
    ])();
  }
  timestamp(): string {
    return toTimestamp(testEpoch + this.int(-1e9, 1e9));
  }
  /** `{ [key]: value }` half of the time, `{}` otherwise: an optional field present or absent. */
  maybe<K extends string, V>(key: K, value: () => V): { [P in K]?: V } {
    return (this.bool() ? { [key]: value() } : {}) as { [P in K]?: V };
  }
  failure(depth = 0): FailureDetails {
    return {
      errorType: this.string(),
      errorMessage: this.string(40),
      ...this.maybe('stackTrace', () => this.string(80)),
      ...this.maybe('isNonRetriable', () => this.bool()),
      ...(depth < 3 && this.bool() ? { innerFailure: this.failure(depth + 1) } : {}),
    };
  }
  tags(): Record<string, string> {
    const tags: Record<string, string> = {};
    const count = this.int(0, 4);
    for (let i = 0; i < count; i++) tags[this.string(6)] = this.string();
    return tags;
  }
}

const randomEvent: { readonly [T in HistoryEventType]: (g: Gen, ts: string) => HistoryEventOf<T> } = {
  ExecutionStarted: (g, at) =>
    newEvent('ExecutionStarted', at, {
      name: g.string(),
      ...g.maybe('version', () => g.string()),
      ...g.maybe('input', () => g.string(30)),
      orchestrationInstance: { instanceId: g.string(), executionId: g.string() },
      ...g.maybe('parentInstance', () => ({
        taskScheduledId: g.number(),
        name: g.string(),
        instanceId: g.string(),
        ...g.maybe('executionId', () => g.string()),
      })),
      ...g.maybe('scheduledStartTimestamp', () => g.timestamp()),
      ...g.maybe('tags', () => g.tags()),
    }),
  ExecutionCompleted: (g, at) =>
    newEvent('ExecutionCompleted', at, {
      orchestrationStatus: g.pick(Object.values(RuntimeStatus)),
      ...g.maybe('result', () => g.string(30)),
      ...g.maybe('failureDetails', () => g.failure()),
    }),
  ExecutionTerminated: (g, at) =>
    newEvent('ExecutionTerminated', at, {
      ...g.maybe('input', () => g.string()),
      ...g.maybe('recurse', () => g.bool()),
    }),
  ExecutionSuspended: (g, at) =>
    newEvent(
      'ExecutionSuspended',
      at,
      g.maybe('input', () => g.string()),
    ),
  ExecutionResumed: (g, at) =>
    newEvent(
      'ExecutionResumed',
      at,
      g.maybe('input', () => g.string()),
    ),
  ContinueAsNew: (g, at) =>
    newEvent(
      'ContinueAsNew',
      at,
      g.maybe('input', () => g.string()),
    ),
  OrchestratorStarted: (_g, at) => newEvent('OrchestratorStarted', at, {}),
  OrchestratorCompleted: (_g, at) => newEvent('OrchestratorCompleted', at, {}),
  TaskScheduled: (g, at) =>
    newEvent(
      'TaskScheduled',
      at,
      { name: g.string(), ...g.maybe('version', () => g.string()), ...g.maybe('input', () => g.string(30)) },
      g.int(0, 10_000),
    ),
  TaskCompleted: (g, at) =>
    newEvent('TaskCompleted', at, { taskScheduledId: g.number(), ...g.maybe('result', () => g.string(30)) }),
  TaskFailed: (g, at) =>
    newEvent('TaskFailed', at, { taskScheduledId: g.number(), failureDetails: g.failure() }),
  TimerCreated: (g, at) => newEvent('TimerCreated', at, { fireAt: g.timestamp() }, g.int(0, 10_000)),
  TimerFired: (g, at) => newEvent('TimerFired', at, { timerId: g.number(), fireAt: g.timestamp() }),
  SubOrchestrationInstanceCreated: (g, at) =>
    newEvent(
      'SubOrchestrationInstanceCreated',
      at,
      {
        name: g.string(),
        instanceId: g.string(),
        ...g.maybe('version', () => g.string()),
        ...g.maybe('input', () => g.string(30)),
      },
      g.int(0, 10_000),
    ),
  SubOrchestrationInstanceCompleted: (g, at) =>
    newEvent('SubOrchestrationInstanceCompleted', at, {
      taskScheduledId: g.number(),
      ...g.maybe('result', () => g.string()),
    }),
  SubOrchestrationInstanceFailed: (g, at) =>
    newEvent('SubOrchestrationInstanceFailed', at, {
      taskScheduledId: g.number(),
      failureDetails: g.failure(),
    }),
  EventRaised: (g, at) =>
    newEvent('EventRaised', at, { name: g.string(), ...g.maybe('input', () => g.string(30)) }),
  EventSent: (g, at) =>
    newEvent(
      'EventSent',
      at,
      { instanceId: g.string(), name: g.string(), ...g.maybe('input', () => g.string()) },
      g.int(0, 10_000),
    ),
  GenericEvent: (g, at) =>
    newEvent(
      'GenericEvent',
      at,
      g.maybe('data', () => g.string(50)),
    ),
  EntityOperationSignaled: (g, at) =>
    newEvent(
      'EntityOperationSignaled',
      at,
      {
        requestId: g.string(),
        operation: g.string(),
        targetInstanceId: g.string(),
        ...g.maybe('input', () => g.string(30)),
        ...g.maybe('scheduledTime', () => g.timestamp()),
      },
      g.int(-1, 10_000),
    ),
  EntityOperationCalled: (g, at) =>
    newEvent(
      'EntityOperationCalled',
      at,
      {
        requestId: g.string(),
        operation: g.string(),
        targetInstanceId: g.string(),
        parentInstanceId: g.string(),
        parentExecutionId: g.string(),
        ...g.maybe('input', () => g.string(30)),
      },
      g.int(-1, 10_000),
    ),
  EntityOperationCompleted: (g, at) =>
    newEvent('EntityOperationCompleted', at, {
      requestId: g.string(),
      ...g.maybe('result', () => g.string(30)),
    }),
  EntityOperationFailed: (g, at) =>
    newEvent('EntityOperationFailed', at, { requestId: g.string(), failureDetails: g.failure() }),
  EntityLockRequested: (g, at) =>
    newEvent(
      'EntityLockRequested',
      at,
      {
        criticalSectionId: g.string(),
        lockSet: [g.string(), g.string()],
        position: g.int(0, 1),
        parentInstanceId: g.string(),
        ...g.maybe('parentExecutionId', () => g.string()),
      },
      g.int(-1, 10_000),
    ),
  EntityLockGranted: (g, at) => newEvent('EntityLockGranted', at, { criticalSectionId: g.string() }),
  EntityUnlockSent: (g, at) =>
    newEvent(
      'EntityUnlockSent',
      at,
      { criticalSectionId: g.string(), parentInstanceId: g.string(), targetInstanceId: g.string() },
      g.int(-1, 10_000),
    ),
  TaskCanceled: (g, at) =>
    newEvent('TaskCanceled', at, { taskScheduledId: g.int(0, 10_000) }, g.int(0, 10_000)),
};

function randomHistoryEvent(g: Gen): HistoryEvent {
  return randomEvent[g.pick(allEventTypes)](g, g.timestamp());
}

const randomAction: { readonly [T in ActionType]: (g: Gen, id: number) => ActionOf<T> } = {
  ScheduleTask: (g, id) => ({
    type: 'ScheduleTask',
    id,
    name: g.string(),
    ...g.maybe('version', () => g.string()),
    ...g.maybe('input', () => g.string(30)),
  }),
  CreateSubOrchestration: (g, id) => ({
    type: 'CreateSubOrchestration',
    id,
    name: g.string(),
    instanceId: g.string(),
    ...g.maybe('version', () => g.string()),
    ...g.maybe('input', () => g.string(30)),
  }),
  CreateTimer: (g, id) => ({ type: 'CreateTimer', id, fireAt: g.timestamp() }),
  SendEvent: (g, id) => ({
    type: 'SendEvent',
    id,
    instanceId: g.string(),
    name: g.string(),
    ...g.maybe('data', () => g.string(30)),
  }),
  CompleteOrchestration: (g, id) => ({
    type: 'CompleteOrchestration',
    id,
    orchestrationStatus: g.pick(['Completed', 'Failed', 'ContinuedAsNew', 'Terminated'] as const),
    ...g.maybe('result', () => g.string(30)),
    ...g.maybe('failureDetails', () => g.failure()),
    ...g.maybe('newVersion', () => g.string()),
    ...g.maybe('carryoverEvents', () => Array.from({ length: g.int(0, 3) }, () => randomHistoryEvent(g))),
  }),
  TerminateOrchestration: (g, id) => ({
    type: 'TerminateOrchestration',
    id,
    instanceId: g.string(),
    ...g.maybe('reason', () => g.string()),
    recurse: g.bool(),
  }),
  SendEntityMessage: (g, id) => ({
    type: 'SendEntityMessage',
    id,
    kind: g.pick(['signal', 'call', 'lock', 'unlock'] as const),
    targetInstanceId: g.string(),
    ...g.maybe('operation', () => g.string()),
    ...g.maybe('input', () => g.string(30)),
    requestId: g.string(),
    ...g.maybe('scheduledTime', () => g.timestamp()),
  }),
  CancelTask: (g, id) => ({
    type: 'CancelTask',
    id,
    taskId: g.int(0, 10_000),
    kind: g.pick(['activity', 'timer', 'subOrchestration'] as const),
    ...g.maybe('instanceId', () => g.string()),
  }),
};

describe('serialization round-trip of generated events and actions (seeded, deterministic)', () => {
  const seeds = [1, 42, 2026, 0xdeadbeef];

  it('the generator is deterministic: the same seed gives the same events', () => {
    const run = () => {
      const g = new Gen(prng(7));
      return Array.from({ length: 20 }, () => randomHistoryEvent(g));
    };
    expect(run()).toStrictEqual(run());
  });

  it.each(seeds)('round-trips 500 random history events, one history per seed (seed %i)', (seed) => {
    const g = new Gen(prng(seed));
    const history = Array.from({ length: 500 }, () => randomHistoryEvent(g));
    expect(sorted(history.map((event) => event.type))).toEqual(sorted(allEventTypes));
    expect(parseHistory(serializeHistory(history))).toStrictEqual(history);
  });

  it.each(seeds)('round-trips every random event on its own and through toHistoryEvent (seed %i)', (seed) => {
    const g = new Gen(prng(seed));
    for (let i = 0; i < 300; i++) {
      const event = randomHistoryEvent(g);
      expect(parseHistory(serializeHistory([event]))).toStrictEqual([event]);
      expect(toHistoryEvent(JSON.parse(JSON.stringify(event)))).toStrictEqual(event);
    }
  });

  it.each(seeds)('round-trips 200 random action lists (seed %i)', (seed) => {
    const g = new Gen(prng(seed));
    const seen = new Set<string>();
    for (let i = 0; i < 200; i++) {
      const actions = Array.from({ length: g.int(0, 6) }, (_, id) => {
        const action = randomAction[g.pick(allActionTypes)](g, id);
        seen.add(action.type);
        return action;
      });
      expect(parseActions(serializeActions(actions))).toStrictEqual(actions);
    }
    expect(sorted(seen)).toEqual(sorted(allActionTypes));
  });
});

describe('parseHistory and toHistoryEvent reject malformed input with InvalidArgumentError', () => {
  const valid = recordOf(e.taskScheduled(0, 'SayHello', 'Tokyo'));

  it.each(['', 'not json', '[{]', '[1, 2', "[{'type': 'TaskScheduled'}]", 'undefined'])(
    'rejects text that is not JSON: %j',
    (text) => {
      expect(invalid(() => parseHistory(text)).message).toMatch(/^history is not valid JSON: /);
    },
  );

  it.each(['{}', 'null', '42', '"history"', 'true', JSON.stringify(valid)])(
    'rejects JSON that is not an array: %s',
    (text) => {
      expect(invalid(() => parseHistory(text)).message).toBe('history must be a JSON array of events');
    },
  );

  it.each([['1'], ['null'], ['"TaskScheduled"'], ['[]'], ['true']])(
    'rejects an array element that is not an object: %s',
    (item) => {
      expect(invalid(() => parseHistory(`[${item}]`)).message).toBe('event 0: expected an object');
    },
  );

  it('names the position of the first bad event', () => {
    const text = historyText(valid, valid, { ...valid, type: 'Bogus' });
    expect(invalid(() => parseHistory(text)).message).toBe('event 2: unknown history event type "Bogus"');
  });

  it.each([
    ['an unknown name', 'TaskExploded', '"TaskExploded"'],
    ['a different case', 'taskscheduled', '"taskscheduled"'],
    ['an action type', 'ScheduleTask', '"ScheduleTask"'],
    ['an Object.prototype member', 'toString', '"toString"'],
    ['__proto__', '__proto__', '"__proto__"'],
    ['a number', 7, '7'],
    ['null', null, 'null'],
  ])('rejects an event whose type is %s', (_label, type, shown) => {
    const message = invalid(() => parseHistory(historyText({ ...valid, type }))).message;
    expect(message).toBe(`event 0: unknown history event type ${shown}`);
  });

  it('rejects an event without a type, saying the type is undefined', () => {
    const { type: _type, ...untyped } = valid;
    expect(invalid(() => parseHistory(historyText(untyped))).message).toBe(
      'event 0: unknown history event type undefined',
    );
  });

  it.each([
    ['eventId', undefined, 'a number'],
    ['eventId', '0', 'a number'],
    ['eventId', null, 'a number'],
    ['timestamp', undefined, 'a string'],
    ['timestamp', testEpoch, 'a string'],
  ])("rejects a base field '%s' set to %j", (field, value, kind) => {
    const record = { ...valid, [field]: value };
    expect(invalid(() => parseHistory(historyText(record))).message).toBe(
      `event 0: field '${field}' must be ${kind}`,
    );
  });

  it.each([NaN, Infinity, -Infinity])(
    'rejects a non-finite eventId (%p) passed to toHistoryEvent',
    (eventId) => {
      expect(invalid(() => toHistoryEvent({ ...valid, eventId })).message).toBe(
        "event: field 'eventId' must be a number",
      );
    },
  );

  describe.each(allEventTypes)('%s', (type) => {
    // Looked up defensively: a type added without samples must fail the coverage tests, not crash the suite.
    const full = recordOf((fullEvents as Partial<Record<string, object>>)[type] ?? {});
    const required: readonly string[] =
      (requiredEventFields as Partial<Record<string, readonly string[]>>)[type] ?? [];
    if (required.length > 0) {
      it.each(required)("rejects the event without its required field '%s', naming it", (field) => {
        const record = { ...full };
        delete record[field];
        const message = invalid(() => parseHistory(historyText(record))).message;
        expect(message).toBe(`event 0 (${type}): missing field '${field}'`);
      });
    }

    const fields = Object.keys(full).filter(
      (key) => key !== 'type' && key !== 'eventId' && key !== 'timestamp',
    );
    if (fields.length > 0) {
      it.each(fields)("rejects the event when field '%s' has the wrong JSON type, naming it", (field) => {
        const record = { ...full, [field]: wrongTypeFor(full[field]) };
        const message = invalid(() => parseHistory(historyText(record))).message;
        expect(message).toMatch(new RegExp(`^event 0 \\(${type}\\): field '${field}' must be `));
      });

      it.each(fields)("rejects the event when field '%s' is null", (field) => {
        const record = { ...full, [field]: null };
        expect(invalid(() => parseHistory(historyText(record))).message).toContain(
          `field '${field}' must be `,
        );
      });
    }
  });

  it('says which kind of value a string field needs', () => {
    const record = { ...valid, name: 42 };
    expect(invalid(() => parseHistory(historyText(record))).message).toBe(
      "event 0 (TaskScheduled): field 'name' must be a string",
    );
  });

  it('says which kind of value a number field needs', () => {
    const record = recordOf({ ...e.taskCompleted(0, 1), taskScheduledId: '0' });
    expect(invalid(() => parseHistory(historyText(record))).message).toBe(
      "event 0 (TaskCompleted): field 'taskScheduledId' must be a number",
    );
  });

  it('says which kind of value a boolean field needs', () => {
    const record = { ...recordOf(fullEvents.ExecutionTerminated), recurse: 'yes' };
    expect(invalid(() => parseHistory(historyText(record))).message).toBe(
      "event 0 (ExecutionTerminated): field 'recurse' must be a boolean",
    );
  });

  describe('failure details', () => {
    const base = recordOf(e.taskFailed(0, { errorType: 'E', errorMessage: 'm' }));
    const expected =
      "event 0 (TaskFailed): field 'failureDetails' must be failure details ({ errorType, errorMessage, ... })";

    it.each([
      ['a string', 'boom'],
      ['an empty object', {}],
      ['missing errorMessage', { errorType: 'E' }],
      ['missing errorType', { errorMessage: 'm' }],
      ['a numeric errorType', { errorType: 1, errorMessage: 'm' }],
      ['a non-string stackTrace', { errorType: 'E', errorMessage: 'm', stackTrace: ['at x'] }],
      ['a non-boolean isNonRetriable', { errorType: 'E', errorMessage: 'm', isNonRetriable: 'yes' }],
      [
        'an innerFailure that is not failure details',
        { errorType: 'E', errorMessage: 'm', innerFailure: 'cause' },
      ],
      [
        'a bad failure two levels down',
        {
          errorType: 'E',
          errorMessage: 'm',
          innerFailure: { errorType: 'I', errorMessage: 'i', innerFailure: { errorType: 'X' } },
        },
      ],
    ])('rejects failureDetails that is %s', (_label, failureDetails) => {
      expect(invalid(() => parseHistory(historyText({ ...base, failureDetails }))).message).toBe(expected);
    });

    it('rejects bad optional failureDetails on ExecutionCompleted too', () => {
      const record = { ...recordOf(fullEvents.ExecutionCompleted), failureDetails: { errorType: 'E' } };
      expect(invalid(() => parseHistory(historyText(record))).message).toBe(
        "event 0 (ExecutionCompleted): field 'failureDetails' must be failure details ({ errorType, errorMessage, ... })",
      );
    });
  });

  describe('runtime status', () => {
    const base = recordOf(fullEvents.ExecutionCompleted);

    it.each(['Done', 'completed', 'COMPLETED', '', 'toString', 3])(
      'rejects orchestrationStatus %j',
      (orchestrationStatus) => {
        expect(invalid(() => parseHistory(historyText({ ...base, orchestrationStatus }))).message).toBe(
          "event 0 (ExecutionCompleted): field 'orchestrationStatus' must be a runtime status",
        );
      },
    );

    it.each(Object.values(RuntimeStatus))('accepts orchestrationStatus %s', (orchestrationStatus) => {
      const [event] = parseHistory(historyText({ ...base, orchestrationStatus }));
      expect(event).toMatchObject({ orchestrationStatus });
    });
  });

  describe('instance references', () => {
    const base = recordOf(fullEvents.ExecutionStarted);
    const expected =
      "event 0 (ExecutionStarted): field 'orchestrationInstance' must be an instance reference ({ instanceId, executionId })";

    it.each([
      ['a string', 'instance-1'],
      ['an empty object', {}],
      ['missing executionId', { instanceId: 'i' }],
      ['missing instanceId', { executionId: 'e' }],
      ['a numeric instanceId', { instanceId: 1, executionId: 'e' }],
      ['a null executionId', { instanceId: 'i', executionId: null }],
      ['an array', ['i', 'e']],
    ])('rejects an orchestrationInstance that is %s', (_label, orchestrationInstance) => {
      expect(invalid(() => parseHistory(historyText({ ...base, orchestrationInstance }))).message).toBe(
        expected,
      );
    });

    it.each([
      ['a string', 'parent'],
      ['missing taskScheduledId', { name: 'P', instanceId: 'p' }],
      ['a string taskScheduledId', { taskScheduledId: '1', name: 'P', instanceId: 'p' }],
      ['missing name', { taskScheduledId: 1, instanceId: 'p' }],
      ['missing instanceId', { taskScheduledId: 1, name: 'P' }],
    ])('rejects a parentInstance that is %s', (_label, parentInstance) => {
      expect(invalid(() => parseHistory(historyText({ ...base, parentInstance }))).message).toBe(
        "event 0 (ExecutionStarted): field 'parentInstance' must be a parent instance ({ taskScheduledId, name, instanceId })",
      );
    });

    it.each([
      ['a string', 'a=b'],
      ['an array', ['a', 'b']],
      ['an object with a numeric value', { a: 1 }],
      ['an object with a nested object', { a: { b: 'c' } }],
    ])('rejects tags that are %s', (_label, tags) => {
      expect(invalid(() => parseHistory(historyText({ ...base, tags }))).message).toBe(
        "event 0 (ExecutionStarted): field 'tags' must be an object of string values",
      );
    });
  });

  it('labels errors from toHistoryEvent with "event" by default and with the caller\'s label otherwise', () => {
    expect(invalid(() => toHistoryEvent(42)).message).toBe('event: expected an object');
    expect(invalid(() => toHistoryEvent({ ...valid, name: 1 }, 'stored event 7')).message).toBe(
      "stored event 7 (TaskScheduled): field 'name' must be a string",
    );
  });

  it('returns a valid value from toHistoryEvent unchanged', () => {
    const event = recordOf(fullEvents.ExecutionStarted);
    expect(toHistoryEvent(event)).toStrictEqual(fullEvents.ExecutionStarted);
  });

  it('reports errors as non-retriable', () => {
    expect(invalid(() => parseHistory('nope')).retriable).toBe(false);
  });
});

describe('parseActions and toOrchestratorAction reject malformed input with InvalidArgumentError', () => {
  const valid = recordOf({ type: 'ScheduleTask', id: 0, name: 'SayHello' });
  const actionsText = (...records: unknown[]): string => JSON.stringify(records);

  it.each(['', 'nope', '[{', '{"type":"ScheduleTask"'])('rejects text that is not JSON: %j', (text) => {
    expect(invalid(() => parseActions(text)).message).toMatch(/^actions are not valid JSON: /);
  });

  it.each(['{}', 'null', '0', '"ScheduleTask"', JSON.stringify(valid)])(
    'rejects JSON that is not an array: %s',
    (text) => {
      expect(invalid(() => parseActions(text)).message).toBe('actions must be a JSON array');
    },
  );

  it.each(['1', 'null', '[]', '"x"'])('rejects an array element that is not an object: %s', (item) => {
    expect(invalid(() => parseActions(`[${item}]`)).message).toBe('action 0: expected an object');
  });

  it.each([
    ['an unknown name', 'Explode', '"Explode"'],
    ['a history event type', 'TaskScheduled', '"TaskScheduled"'],
    ['an Object.prototype member', 'hasOwnProperty', '"hasOwnProperty"'],
    ['a number', 1, '1'],
    ['missing', undefined, 'undefined'],
  ])('rejects an action whose type is %s', (_label, type, shown) => {
    const message = invalid(() => parseActions(actionsText(valid, { ...valid, type }))).message;
    expect(message).toBe(`action 1: unknown action type ${shown}`);
  });

  it.each([
    ['missing', undefined],
    ['a string', '0'],
    ['null', null],
  ])('rejects an action whose id is %s', (_label, id) => {
    expect(invalid(() => parseActions(actionsText({ ...valid, id }))).message).toBe(
      "action 0: field 'id' must be a number",
    );
  });

  describe.each(allActionTypes)('%s', (type) => {
    const full = recordOf((fullActions as Partial<Record<string, object>>)[type] ?? {});
    const required: readonly string[] =
      (requiredActionFields as Partial<Record<string, readonly string[]>>)[type] ?? [];
    if (required.length > 0) {
      it.each(required)("rejects the action without its required field '%s', naming it", (field) => {
        const record = { ...full };
        delete record[field];
        expect(invalid(() => parseActions(actionsText(record))).message).toBe(
          `action 0 (${type}): missing field '${field}'`,
        );
      });
    }

    const fields = Object.keys(full).filter((key) => key !== 'type' && key !== 'id');
    if (fields.length > 0) {
      it.each(fields)("rejects the action when field '%s' has the wrong JSON type, naming it", (field) => {
        const record = { ...full, [field]: wrongTypeFor(full[field]) };
        const message = invalid(() => parseActions(actionsText(record))).message;
        expect(message).toMatch(new RegExp(`^action 0 \\(${type}\\): field '${field}' must be `));
      });
    }
  });

  it('rejects a boolean field given as a string', () => {
    const record = { ...recordOf(fullActions.TerminateOrchestration), recurse: 'true' };
    expect(invalid(() => parseActions(actionsText(record))).message).toBe(
      "action 0 (TerminateOrchestration): field 'recurse' must be a boolean",
    );
  });

  it('rejects a completion with an unknown status', () => {
    const record = { ...recordOf(fullActions.CompleteOrchestration), orchestrationStatus: 'Finished' };
    expect(invalid(() => parseActions(actionsText(record))).message).toBe(
      "action 0 (CompleteOrchestration): field 'orchestrationStatus' must be one of Completed, Failed, ContinuedAsNew, Terminated",
    );
  });

  it.each([
    ['missing errorMessage', { errorType: 'E' }],
    ['a bad innerFailure', { errorType: 'E', errorMessage: 'm', innerFailure: { errorMessage: 'no type' } }],
    ['a string', 'failed'],
  ])('rejects a completion whose failureDetails is %s', (_label, failureDetails) => {
    const record = { ...recordOf(fullActions.CompleteOrchestration), failureDetails };
    expect(invalid(() => parseActions(actionsText(record))).message).toBe(
      "action 0 (CompleteOrchestration): field 'failureDetails' must be failure details ({ errorType, errorMessage, ... })",
    );
  });

  it.each([
    ['an object', { 0: {} }],
    ['a string', '[]'],
  ])('rejects carryoverEvents that is %s', (_label, carryoverEvents) => {
    const record = { ...recordOf(fullActions.CompleteOrchestration), carryoverEvents };
    expect(invalid(() => parseActions(actionsText(record))).message).toBe(
      "action 0 (CompleteOrchestration): field 'carryoverEvents' must be an array of history events",
    );
  });

  it('rejects carryoverEvents holding an invalid event, naming the carried event and its problem', () => {
    const broken = recordOf(e.eventRaised('Later'));
    delete broken['name'];
    const record = {
      ...recordOf(fullActions.CompleteOrchestration),
      carryoverEvents: [recordOf(e.eventRaised('Ok')), broken],
    };
    expect(invalid(() => parseActions(actionsText(record))).message).toBe(
      "carried event 1 (EventRaised): missing field 'name'",
    );
  });

  it('rejects carryoverEvents holding an event with a bad instance reference', () => {
    const started = { ...recordOf(fullEvents.ExecutionStarted), orchestrationInstance: { instanceId: 'i' } };
    const record = { ...recordOf(fullActions.CompleteOrchestration), carryoverEvents: [started] };
    expect(invalid(() => parseActions(actionsText(record))).message).toMatch(
      /^carried event 0 \(ExecutionStarted\): field 'orchestrationInstance' must be an instance reference/,
    );
  });

  it('labels errors from toOrchestratorAction with "action" by default and with the caller\'s label otherwise', () => {
    expect(invalid(() => toOrchestratorAction('ScheduleTask')).message).toBe('action: expected an object');
    expect(
      invalid(() => toOrchestratorAction({ ...valid, name: undefined }, 'worker action 3')).message,
    ).toBe("worker action 3 (ScheduleTask): missing field 'name'");
  });

  it('returns a valid value from toOrchestratorAction unchanged', () => {
    expect(toOrchestratorAction(recordOf(fullActions.SendEntityMessage))).toStrictEqual(
      fullActions.SendEntityMessage,
    );
  });
});

describe('stricter checks of actions and parents', () => {
  it('rejects a parent instance whose executionId is not a string', () => {
    const started = {
      type: 'ExecutionStarted',
      eventId: -1,
      timestamp: '2026-01-01T00:00:00.000Z',
      name: 'X',
      orchestrationInstance: { instanceId: 'i', executionId: 'e' },
      parentInstance: { taskScheduledId: 1, name: 'P', instanceId: 'p', executionId: 42 },
    };
    expect(() => toHistoryEvent(started)).toThrow(InvalidArgumentError);
  });

  it('rejects a completion with a status an orchestrator cannot complete with', () => {
    expect(() =>
      toOrchestratorAction({ type: 'CompleteOrchestration', id: 1, orchestrationStatus: 'Running' }),
    ).toThrow("field 'orchestrationStatus' must be one of Completed, Failed, ContinuedAsNew, Terminated");
  });

  it('rejects an entity message of an unknown kind', () => {
    expect(() =>
      toOrchestratorAction({
        type: 'SendEntityMessage',
        id: 1,
        kind: 'shout',
        targetInstanceId: '@a@b',
        requestId: 'r',
      }),
    ).toThrow("field 'kind' must be one of signal, call, lock, unlock");
  });
});
