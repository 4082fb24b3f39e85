import {
  ActivityFailedError,
  ConflictError,
  failureDetailsFromError,
  InvalidArgumentError,
  isFailureDetails,
  SubOrchestrationFailedError,
  TaskFailedError,
  UnavailableError,
  type FailureDetails,
} from './index';

const remote: FailureDetails = {
  errorType: 'PaymentError',
  errorMessage: 'card declined',
  stackTrace: 'PaymentError: card declined\n    at charge (billing.ts:1:1)',
  innerFailure: { errorType: 'HttpError', errorMessage: '402' },
};

/** How many failures are chained, the outer one included. */
function depthOf(failure: FailureDetails | undefined): number {
  let depth = 0;
  for (let f = failure; f !== undefined; f = f.innerFailure) depth++;
  return depth;
}

describe('failureDetailsFromError', () => {
  it('captures the name, message and stack of an Error', () => {
    const error = new Error('something broke');
    expect(failureDetailsFromError(error)).toStrictEqual({
      errorType: 'Error',
      errorMessage: 'something broke',
      stackTrace: error.stack,
    });
  });

  it('uses the name of built-in subclasses', () => {
    expect(failureDetailsFromError(new TypeError('x is not a function')).errorType).toBe('TypeError');
    expect(failureDetailsFromError(new RangeError('too big')).errorType).toBe('RangeError');
  });

  it('uses a custom name set by a user error class', () => {
    class PaymentError extends Error {
      override name = 'PaymentError';
    }
    expect(failureDetailsFromError(new PaymentError('declined'))).toMatchObject({
      errorType: 'PaymentError',
      errorMessage: 'declined',
    });
  });

  it('falls back to "Error" when the name is empty', () => {
    const error = new Error('nameless');
    error.name = '';
    expect(failureDetailsFromError(error).errorType).toBe('Error');
  });

  it('leaves stackTrace out when the error has no stack', () => {
    const error = new Error('no stack');
    error.stack = undefined;
    expect(failureDetailsFromError(error)).toStrictEqual({ errorType: 'Error', errorMessage: 'no stack' });
  });

  it('turns the cause chain into nested innerFailure entries', () => {
    const root = new TypeError('root');
    const middle = new Error('middle', { cause: root });
    const outer = new Error('outer', { cause: middle });
    const failure = failureDetailsFromError(outer);
    expect(failure).toMatchObject({
      errorType: 'Error',
      errorMessage: 'outer',
      innerFailure: {
        errorType: 'Error',
        errorMessage: 'middle',
        stackTrace: middle.stack,
        innerFailure: { errorType: 'TypeError', errorMessage: 'root', stackTrace: root.stack },
      },
    });
    expect(failure.innerFailure?.innerFailure?.innerFailure).toBeUndefined();
  });

  it('captures a cause that is not an Error as described text', () => {
    expect(failureDetailsFromError(new Error('outer', { cause: 'disk full' })).innerFailure).toStrictEqual({
      errorType: 'Error',
      errorMessage: 'disk full',
    });
    expect(
      failureDetailsFromError(new Error('outer', { cause: { code: 'ENOSPC' } })).innerFailure,
    ).toStrictEqual({
      errorType: 'Error',
      errorMessage: '{"code":"ENOSPC"}',
    });
  });

  it('ignores a cause that is explicitly undefined', () => {
    expect(failureDetailsFromError(new Error('outer', { cause: undefined })).innerFailure).toBeUndefined();
  });

  it('uses the failure details carried by a TaskFailedError as its innerFailure', () => {
    const failure = failureDetailsFromError(new TaskFailedError('task failed', 3, 'Charge', remote));
    expect(failure).toMatchObject({
      errorType: 'TaskFailedError',
      errorMessage: 'task failed',
      innerFailure: remote,
    });
  });

  it.each([
    ['ActivityFailedError', new ActivityFailedError(3, 'Charge', remote)],
    ['SubOrchestrationFailedError', new SubOrchestrationFailedError(4, 'Checkout', remote)],
  ])('uses the remote failure of a %s as its innerFailure', (name, error) => {
    const failure = failureDetailsFromError(error);
    expect(failure.errorType).toBe(name);
    expect(failure.errorMessage).toContain('card declined');
    expect(failure.innerFailure).toStrictEqual(remote);
  });

  it("uses any error's `details` property that is failure details, preferring it over `cause`", () => {
    const error = Object.assign(new Error('wrapped', { cause: new Error('ignored cause') }), {
      details: remote,
    });
    expect(failureDetailsFromError(error).innerFailure).toStrictEqual(remote);
  });

  it('falls back to the cause when `details` is not failure details', () => {
    const error = Object.assign(new Error('wrapped', { cause: new Error('real cause') }), {
      details: 'just text',
    });
    expect(failureDetailsFromError(error).innerFailure).toMatchObject({
      errorType: 'Error',
      errorMessage: 'real cause',
    });
  });

  it('marks a DurableError that is not retriable as non-retriable', () => {
    const failure = failureDetailsFromError(new InvalidArgumentError('bad input'));
    expect(failure).toMatchObject({
      errorType: 'InvalidArgumentError',
      errorMessage: 'bad input',
      isNonRetriable: true,
    });
  });

  it.each([
    ['a retriable DurableError', new ConflictError('etag mismatch')],
    ['a retriable DurableError with a retry hint', new UnavailableError('throttled', 100)],
    ['a plain Error', new Error('plain')],
  ])('does not mark %s as non-retriable', (_label, error) => {
    expect(failureDetailsFromError(error)).not.toHaveProperty('isNonRetriable');
  });

  it("carries a thrown error's own fields as JSON properties", () => {
    class PaymentError extends Error {
      override name = 'PaymentError';
      constructor(
        readonly code: string,
        readonly details: { amount: number; currency: string },
      ) {
        super('card declined');
      }
    }
    const failure = failureDetailsFromError(new PaymentError('E_DECLINED', { amount: 12, currency: 'EUR' }));
    expect(failure.properties).toStrictEqual({
      code: 'E_DECLINED',
      details: { amount: 12, currency: 'EUR' },
    });
    expect(isFailureDetails(JSON.parse(JSON.stringify(failure)))).toBe(true);
  });

  it('leaves out fields that do not survive JSON, and adds no properties when nothing is left', () => {
    const cyclic: Record<string, unknown> = {};
    cyclic['self'] = cyclic;
    const error = Object.assign(new Error('odd'), { fn: () => 1, cyclic, missing: undefined, ok: 7n > 0n });
    expect(failureDetailsFromError(error).properties).toStrictEqual({ ok: true });
    expect(failureDetailsFromError(new Error('plain'))).not.toHaveProperty('properties');
  });

  it('rejects failure details whose properties are not an object', () => {
    expect(isFailureDetails({ errorType: 'E', errorMessage: 'm', properties: ['code'] })).toBe(false);
    expect(isFailureDetails({ errorType: 'E', errorMessage: 'm', properties: { code: 'X' } })).toBe(true);
  });

  it('marks only the level that is non-retriable in a cause chain', () => {
    const failure = failureDetailsFromError(new Error('outer', { cause: new InvalidArgumentError('inner') }));
    expect(failure).not.toHaveProperty('isNonRetriable');
    expect(failure.innerFailure?.isNonRetriable).toBe(true);
  });

  it.each([
    ['a string', 'plain text thrown', 'plain text thrown'],
    ['an empty string', '', ''],
    ['a number', 42, '42'],
    ['a boolean', false, 'false'],
    ['null', null, 'null'],
    ['undefined', undefined, 'undefined'],
    ['a plain object', { code: 'E42', retry: false }, '{"code":"E42","retry":false}'],
    ['an array', [1, 'two'], '[1,"two"]'],
    ['a symbol', Symbol('oops'), 'Symbol(oops)'],
    ['a BigInt', 10n, '10'],
    [
      'an error-like object that is not an Error',
      { name: 'FakeError', message: 'not real' },
      '{"name":"FakeError","message":"not real"}',
    ],
  ])('captures a thrown %s as an Error with a text message', (_label, thrown, message) => {
    expect(failureDetailsFromError(thrown)).toStrictEqual({ errorType: 'Error', errorMessage: message });
  });

  it('captures a thrown circular object without throwing', () => {
    const circular: Record<string, unknown> = {};
    circular['self'] = circular;
    expect(failureDetailsFromError(circular)).toStrictEqual({
      errorType: 'Error',
      errorMessage: '[object Object]',
    });
  });

  it('stops following a self-referencing cause chain after a bounded depth', () => {
    const error = new Error('loop');
    Object.defineProperty(error, 'cause', { value: error });
    const failure = failureDetailsFromError(error);
    const depth = depthOf(failure);
    expect(depth).toBeGreaterThan(1);
    expect(depth).toBeLessThanOrEqual(20);
    expect(() => JSON.stringify(failure)).not.toThrow();
    for (let f: FailureDetails | undefined = failure; f !== undefined; f = f.innerFailure)
      expect(f.errorMessage).toBe('loop');
  });

  it("stops following two errors that are each other's cause", () => {
    const a = new Error('a');
    const b = new Error('b', { cause: a });
    Object.defineProperty(a, 'cause', { value: b });
    expect(depthOf(failureDetailsFromError(a))).toBeLessThanOrEqual(20);
  });

  it('cuts a very long cause chain at the same bound', () => {
    let error = new Error('level 0');
    for (let i = 1; i < 100; i++) error = new Error(`level ${i}`, { cause: error });
    const failure = failureDetailsFromError(error);
    expect(failure.errorMessage).toBe('level 99');
    const loop = new Error('loop');
    Object.defineProperty(loop, 'cause', { value: loop });
    expect(depthOf(failure)).toBe(depthOf(failureDetailsFromError(loop)));
  });

  it('keeps a short cause chain whole', () => {
    let error = new Error('level 0');
    for (let i = 1; i < 5; i++) error = new Error(`level ${i}`, { cause: error });
    expect(depthOf(failureDetailsFromError(error))).toBe(5);
  });

  it('always produces valid failure details that survive JSON', () => {
    const samples: unknown[] = [
      new Error('e', { cause: new Error('c', { cause: 'text' }) }),
      new ActivityFailedError(1, 'A', remote),
      new InvalidArgumentError('bad'),
      'thrown text',
      undefined,
      { weird: [1, { deep: true }] },
    ];
    for (const sample of samples) {
      const failure = failureDetailsFromError(sample);
      expect(isFailureDetails(failure)).toBe(true);
      expect(JSON.parse(JSON.stringify(failure))).toStrictEqual(failure);
    }
  });
});

describe('isFailureDetails', () => {
  it.each([
    ['minimal details', { errorType: 'E', errorMessage: 'm' }],
    ['details with every field', { ...remote, isNonRetriable: true }],
    ['details with an empty message', { errorType: '', errorMessage: '' }],
    ['details with extra fields', { errorType: 'E', errorMessage: 'm', code: 42 }],
  ])('accepts %s', (_label, value) => {
    expect(isFailureDetails(value)).toBe(true);
  });

  it.each([
    ['undefined', undefined],
    ['null', null],
    ['a string', 'failed'],
    ['an array', ['E', 'm']],
    ['an object without errorMessage', { errorType: 'E' }],
    ['an object without errorType', { errorMessage: 'm' }],
    ['a numeric errorMessage', { errorType: 'E', errorMessage: 404 }],
    ['a non-string stackTrace', { errorType: 'E', errorMessage: 'm', stackTrace: 1 }],
    ['a non-boolean isNonRetriable', { errorType: 'E', errorMessage: 'm', isNonRetriable: 0 }],
    ['an invalid innerFailure', { errorType: 'E', errorMessage: 'm', innerFailure: { errorType: 'I' } }],
    ['a null innerFailure', { errorType: 'E', errorMessage: 'm', innerFailure: null }],
  ])('rejects %s', (_label, value) => {
    expect(isFailureDetails(value)).toBe(false);
  });
});

describe('retriability of propagated task failures', () => {
  it('does not mark a propagated activity failure as non-retriable', () => {
    const error = new ActivityFailedError(1, 'Charge', { errorType: 'Error', errorMessage: 'flaky' });
    expect(failureDetailsFromError(error).isNonRetriable).toBeUndefined();
  });

  it('keeps a non-retriable remote failure non-retriable', () => {
    const error = new ActivityFailedError(1, 'Charge', {
      errorType: 'Error',
      errorMessage: 'bad',
      isNonRetriable: true,
    });
    expect(failureDetailsFromError(error).isNonRetriable).toBe(true);
  });

  it('rejects failure details whose inner failure points back at itself', () => {
    const looped: { errorType: string; errorMessage: string; innerFailure?: unknown } = {
      errorType: 'E',
      errorMessage: 'm',
    };
    looped.innerFailure = looped;
    expect(isFailureDetails(looped)).toBe(false);
  });
});
