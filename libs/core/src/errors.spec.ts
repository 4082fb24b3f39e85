import * as core from './index';
import {
  ActivityFailedError,
  ActivityNotRegisteredError,
  ConflictError,
  DurableError,
  EntityNotRegisteredError,
  EntityOperationFailedError,
  EntityOperationNotFoundError,
  InstanceAlreadyExistsError,
  InstanceFinishedError,
  InstanceNotFoundError,
  InvalidArgumentError,
  isRetriable,
  NonDeterminismError,
  OrchestratorNotRegisteredError,
  OwnershipLostError,
  PayloadTooLargeError,
  SubOrchestrationFailedError,
  TaskCanceledError,
  TaskFailedError,
  TaskHubNotFoundError,
  TimeoutError,
  UnavailableError,
  WorkerUnavailableError,
  type FailureDetails,
} from './index';

const details: FailureDetails = { errorType: 'PaymentError', errorMessage: 'card declined' };

/** Every error class: its stable name (written out, so a rename fails here), an instance, and whether it is retriable. */
const cases: ReadonlyArray<readonly [name: string, make: () => DurableError, retriable: boolean]> = [
  ['InvalidArgumentError', () => new InvalidArgumentError('bad id'), false],
  ['PayloadTooLargeError', () => new PayloadTooLargeError(2048, 1024), false],
  ['InstanceNotFoundError', () => new InstanceNotFoundError('order-42'), false],
  ['InstanceAlreadyExistsError', () => new InstanceAlreadyExistsError('order-42'), false],
  ['InstanceFinishedError', () => new InstanceFinishedError('order-42', 'Completed'), false],
  ['OrchestratorNotRegisteredError', () => new OrchestratorNotRegisteredError('Checkout'), false],
  ['ActivityNotRegisteredError', () => new ActivityNotRegisteredError('Charge'), false],
  ['NonDeterminismError', () => new NonDeterminismError('ScheduleTask Charge', 'CreateTimer'), false],
  ['TaskFailedError', () => new TaskFailedError('task failed', 1, 'Charge', details), true],
  ['ActivityFailedError', () => new ActivityFailedError(1, 'Charge', details), true],
  ['SubOrchestrationFailedError', () => new SubOrchestrationFailedError(2, 'Checkout', details), true],
  ['EntityOperationFailedError', () => new EntityOperationFailedError(3, '@counter@a', 'add', details), true],
  ['EntityNotRegisteredError', () => new EntityNotRegisteredError('counter'), false],
  ['EntityOperationNotFoundError', () => new EntityOperationNotFoundError('counter', 'fly'), false],
  ['TaskCanceledError', () => new TaskCanceledError(4, 'Charge'), false],
  ['TimeoutError', () => new TimeoutError('waited too long'), true],
  ['ConflictError', () => new ConflictError('etag mismatch'), true],
  ['OwnershipLostError', () => new OwnershipLostError('partition 3 moved'), false],
  ['UnavailableError', () => new UnavailableError('throttled', 250), true],
  ['WorkerUnavailableError', () => new WorkerUnavailableError('no worker serves Checkout'), true],
  ['TaskHubNotFoundError', () => new TaskHubNotFoundError('billing', ['orders']), false],
];

describe('error classes', () => {
  it('covers every DurableError subclass the package exports', () => {
    const exported = Object.entries(core)
      .filter(([, value]) => typeof value === 'function' && value.prototype instanceof DurableError)
      .map(([name]) => name)
      .sort();
    expect(cases.map(([name]) => name).sort()).toEqual(exported);
  });

  describe.each(cases)('%s', (name, make, retriable) => {
    it(`has the stable name '${name}', equal to its class name`, () => {
      const error = make();
      expect(error.name).toBe(name);
      expect(error.constructor.name).toBe(name);
    });

    it('is a DurableError and an Error', () => {
      const error = make();
      expect(error).toBeInstanceOf(DurableError);
      expect(error).toBeInstanceOf(Error);
    });

    it(`is ${retriable ? '' : 'not '}retriable, and isRetriable agrees`, () => {
      const error = make();
      expect(error.retriable).toBe(retriable);
      expect(isRetriable(error)).toBe(retriable);
    });

    it('prints as "<name>: <message>" with a non-empty message', () => {
      const error = make();
      expect(error.message.length).toBeGreaterThan(0);
      expect(String(error)).toBe(`${name}: ${error.message}`);
    });
  });

  it('keeps the cause given to a DurableError', () => {
    const cause = new Error('root');
    expect(new InvalidArgumentError('bad', { cause }).cause).toBe(cause);
    expect(new ConflictError('lost race', { cause }).cause).toBe(cause);
    expect(new UnavailableError('down', undefined, { cause }).cause).toBe(cause);
  });

  it('PayloadTooLargeError reports the size and the limit', () => {
    const error = new PayloadTooLargeError(2048, 1024);
    expect(error).toMatchObject({
      size: 2048,
      limit: 1024,
      message: 'payload of 2048 bytes exceeds the limit of 1024 bytes',
    });
  });

  it('InstanceNotFoundError and InstanceAlreadyExistsError name the instance', () => {
    expect(new InstanceNotFoundError('order-42')).toMatchObject({
      instanceId: 'order-42',
      message: "no orchestration instance with id 'order-42'",
    });
    expect(new InstanceAlreadyExistsError('order-42')).toMatchObject({
      instanceId: 'order-42',
      message: "an orchestration instance with id 'order-42' already exists",
    });
  });

  it('InstanceFinishedError names the instance and its status', () => {
    expect(new InstanceFinishedError('order-42', 'Failed')).toMatchObject({
      instanceId: 'order-42',
      status: 'Failed',
      message: "orchestration instance 'order-42' has already finished (Failed)",
    });
  });

  it('the not-registered errors name what is missing', () => {
    expect(new OrchestratorNotRegisteredError('Checkout')).toMatchObject({
      orchestratorName: 'Checkout',
      message: "no orchestrator named 'Checkout' is registered",
    });
    expect(new ActivityNotRegisteredError('Charge')).toMatchObject({
      activityName: 'Charge',
      message: "no activity named 'Charge' is registered",
    });
  });

  it('NonDeterminismError says what history expected and what the code did', () => {
    expect(new NonDeterminismError('ScheduleTask Charge', 'CreateTimer')).toMatchObject({
      expected: 'ScheduleTask Charge',
      actual: 'CreateTimer',
      message:
        'non-deterministic orchestrator: history expects ScheduleTask Charge, but the code did CreateTimer',
    });
  });

  it('ActivityFailedError and SubOrchestrationFailedError are TaskFailedErrors carrying the remote failure', () => {
    const activity = new ActivityFailedError(3, 'Charge', details);
    expect(activity).toBeInstanceOf(TaskFailedError);
    expect(activity).toMatchObject({
      taskId: 3,
      taskName: 'Charge',
      details,
      message: "activity 'Charge' (task 3) failed: card declined",
    });
    const sub = new SubOrchestrationFailedError(4, 'Checkout', details);
    expect(sub).toBeInstanceOf(TaskFailedError);
    expect(sub).toMatchObject({
      taskId: 4,
      taskName: 'Checkout',
      details,
      message: "sub-orchestration 'Checkout' (task 4) failed: card declined",
    });
  });

  it('UnavailableError carries an optional retry-after hint', () => {
    expect(new UnavailableError('throttled', 250).retryAfterMs).toBe(250);
    expect(new UnavailableError('down').retryAfterMs).toBeUndefined();
  });
});

describe('isRetriable', () => {
  it.each([
    ['a ConflictError', new ConflictError('c')],
    ['an ActivityFailedError whose remote failure may be retried', new ActivityFailedError(0, 'A', details)],
    ['an UnavailableError', new UnavailableError('u')],
    ['a TimeoutError', new TimeoutError('t')],
  ])('is true for %s', (_label, error) => {
    expect(isRetriable(error)).toBe(true);
  });

  it.each([
    ['an InvalidArgumentError', new InvalidArgumentError('i')],
    ['an OwnershipLostError', new OwnershipLostError('o')],
    [
      'an ActivityFailedError whose remote failure is non-retriable',
      new ActivityFailedError(0, 'A', { ...details, isNonRetriable: true }),
    ],
    ['a plain Error', new Error('plain')],
    ['a TypeError', new TypeError('type')],
    ['an object that only claims to be retriable', { name: 'ConflictError', retriable: true }],
    ['an Error that only claims to be retriable', Object.assign(new Error('x'), { retriable: true })],
    ['a string', 'ConflictError'],
    ['null', null],
    ['undefined', undefined],
  ])('is false for %s', (_label, error) => {
    expect(isRetriable(error)).toBe(false);
  });
});
