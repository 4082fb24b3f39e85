import {
  ConflictError,
  InstanceAlreadyExistsError,
  InvalidArgumentError,
  OrchestratorNotRegisteredError,
  OwnershipLostError,
  PayloadTooLargeError,
  UnavailableError,
} from '@durable/core';
import {
  chooseInstanceId,
  classifyFailure,
  deadLetterHeaders,
  decideRecord,
  retryDelayMs,
  type RecordHeaders,
  type TriggerRecord,
} from './record-decision';

const record = (
  parts: { key?: string | Buffer | null; value?: string | Buffer | null; headers?: RecordHeaders } = {},
): TriggerRecord => {
  const bytes = (v: string | Buffer | null | undefined) =>
    v === undefined || v === null ? null : typeof v === 'string' ? Buffer.from(v) : v;
  return {
    topic: 'orders',
    partition: 2,
    offset: '41',
    key: bytes(parts.key),
    value: bytes(parts.value === undefined ? '{"n":1}' : parts.value),
    ...(parts.headers !== undefined ? { headers: parts.headers } : {}),
  };
};

const context = { orchestration: 'ProcessOrder', orchestrationNames: ['ProcessOrder'], maxPayloadBytes: 64 };

describe('chooseInstanceId', () => {
  it('takes the durable-instance-id header over the key', () => {
    expect(
      chooseInstanceId(record({ key: 'k', headers: { 'durable-instance-id': Buffer.from('h') } })),
    ).toEqual({
      id: 'h',
      source: 'header',
    });
  });

  it('takes the first value of a repeated header, and string headers as they are', () => {
    expect(chooseInstanceId(record({ headers: { 'durable-instance-id': [Buffer.from('a'), 'b'] } })).id).toBe(
      'a',
    );
    expect(chooseInstanceId(record({ headers: { 'durable-instance-id': 'plain' } })).id).toBe('plain');
  });

  it('takes the key when there is no header', () => {
    expect(chooseInstanceId(record({ key: 'order-7', headers: { other: 'x' } }))).toEqual({
      id: 'order-7',
      source: 'key',
    });
  });

  it('falls back to topic-partition-offset when there is no key, or an empty one', () => {
    expect(chooseInstanceId(record())).toEqual({ id: 'orders-2-41', source: 'position' });
    expect(chooseInstanceId(record({ key: '' }))).toEqual({ id: 'orders-2-41', source: 'position' });
  });

  it('gives no id for a key that is not UTF-8', () => {
    expect(chooseInstanceId(record({ key: Buffer.from([0xff, 0xfe]) }))).toEqual({
      id: undefined,
      source: 'key',
    });
  });
});

describe('decideRecord', () => {
  it('starts with the value as JSON input and the chosen id', () => {
    expect(decideRecord(record({ key: 'order-7', value: '{"n":1}' }), context)).toEqual({
      kind: 'start',
      instanceId: 'order-7',
      input: '{"n":1}',
    });
  });

  it('starts without input for a null or empty value', () => {
    expect(decideRecord(record({ key: 'a', value: null }), context)).toEqual({
      kind: 'start',
      instanceId: 'a',
    });
    expect(decideRecord(record({ key: 'a', value: '' }), context)).toEqual({
      kind: 'start',
      instanceId: 'a',
    });
  });

  it('accepts any JSON text, not just objects', () => {
    expect(decideRecord(record({ value: '"text"' }), context)).toMatchObject({
      kind: 'start',
      input: '"text"',
    });
    expect(decideRecord(record({ value: '42' }), context)).toMatchObject({ kind: 'start', input: '42' });
  });

  it('dead-letters bad JSON', () => {
    expect(decideRecord(record({ value: '{nope' }), context)).toEqual({
      kind: 'deadLetter',
      error: 'InvalidArgumentError',
      reason: expect.stringMatching(/^the value is not valid JSON: /),
    });
  });

  it('dead-letters a value that is not UTF-8', () => {
    expect(decideRecord(record({ value: Buffer.from([0x22, 0xc3, 0x28, 0x22]) }), context)).toEqual({
      kind: 'deadLetter',
      error: 'InvalidArgumentError',
      reason: 'the value is not valid UTF-8',
    });
  });

  it('dead-letters an orchestration that is not registered', () => {
    expect(decideRecord(record(), { ...context, orchestrationNames: ['Other'] })).toEqual({
      kind: 'deadLetter',
      error: 'OrchestratorNotRegisteredError',
      reason: "no orchestrator named 'ProcessOrder' is registered",
    });
  });

  it('dead-letters a payload over the limit, counting UTF-8 bytes', () => {
    expect(decideRecord(record({ value: JSON.stringify('x'.repeat(62)) }), context)).toMatchObject({
      kind: 'start',
    });
    expect(decideRecord(record({ value: JSON.stringify('x'.repeat(63)) }), context)).toEqual({
      kind: 'deadLetter',
      error: 'PayloadTooLargeError',
      reason: 'payload of 65 bytes exceeds the limit of 64 bytes',
    });
    expect(decideRecord(record({ value: JSON.stringify('é'.repeat(32)) }), context)).toMatchObject({
      error: 'PayloadTooLargeError',
    });
  });

  it.each([
    ['key', record({ key: 'a/b' }), "invalid instance id from the key: it must not contain '/'"],
    [
      'header',
      record({ key: 'fine', headers: { 'durable-instance-id': '' } }),
      'invalid instance id from the header: it must not be empty',
    ],
    [
      'reserved',
      record({ key: '@counter@1' }),
      "invalid instance id from the key: it must not start with '@'",
    ],
    ['long', record({ key: 'k'.repeat(257) }), 'invalid instance id from the key: it must be at most 256'],
    [
      'non-UTF-8',
      record({ key: Buffer.from([0xff]) }),
      'invalid instance id from the key: it is not valid UTF-8',
    ],
  ])('dead-letters an invalid instance id (%s)', (_, poison, reason) => {
    const decision = decideRecord(poison, context);
    expect(decision).toMatchObject({ kind: 'deadLetter', error: 'InvalidArgumentError' });
    expect(decision.kind === 'deadLetter' && decision.reason).toContain(reason);
  });
});

describe('classifyFailure', () => {
  it('retries retriable Durable errors and keeps their retry-after', () => {
    expect(classifyFailure(new UnavailableError('throttled', 1500))).toEqual({
      kind: 'retry',
      reason: 'UnavailableError: throttled',
      retryAfterMs: 1500,
    });
    expect(classifyFailure(new ConflictError('etag'))).toMatchObject({ kind: 'retry' });
  });

  it('retries anything that declares itself retriable, and network errors, also as a cause', () => {
    const kafkaLike = Object.assign(new Error('leader not available'), {
      name: 'KafkaJSProtocolError',
      retriable: true,
    });
    expect(classifyFailure(kafkaLike)).toMatchObject({ kind: 'retry' });
    const refused = Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
    expect(classifyFailure(refused)).toMatchObject({ kind: 'retry' });
    expect(classifyFailure(new TypeError('fetch failed', { cause: refused }))).toMatchObject({
      kind: 'retry',
    });
  });

  it.each([
    [
      new OrchestratorNotRegisteredError('X'),
      'OrchestratorNotRegisteredError',
      "no orchestrator named 'X' is registered",
    ],
    [
      new PayloadTooLargeError(10, 5),
      'PayloadTooLargeError',
      'payload of 10 bytes exceeds the limit of 5 bytes',
    ],
    [
      new InvalidArgumentError('invalid instance id: bad'),
      'InvalidArgumentError',
      'invalid instance id: bad',
    ],
    [
      new InstanceAlreadyExistsError('a'),
      'InstanceAlreadyExistsError',
      "an orchestration instance with id 'a' already exists",
    ],
    [new RangeError('boom'), 'RangeError', 'boom'],
    ['a thrown string', 'Error', 'a thrown string'],
  ])('dead-letters non-retriable %s with its name and text', (error, name, reason) => {
    expect(classifyFailure(error)).toEqual({ kind: 'deadLetter', error: name, reason });
  });

  it('trusts a Durable error that says it is not retriable over a retriable cause', () => {
    const cause = Object.assign(new Error('reset'), { code: 'ECONNRESET' });
    expect(classifyFailure(new OwnershipLostError('lost', { cause }))).toMatchObject({ kind: 'deadLetter' });
  });
});

describe('retryDelayMs', () => {
  const policy = { initialDelayMs: 100, maxDelayMs: 1_000 };

  it('doubles from the initial delay and stops at the cap', () => {
    expect([1, 2, 3, 4, 5, 100].map((n) => retryDelayMs(n, undefined, policy))).toEqual([
      100, 200, 400, 800, 1_000, 1_000,
    ]);
  });

  it("waits at least the server's retry-after, still capped", () => {
    expect(retryDelayMs(1, 700, policy)).toBe(700);
    expect(retryDelayMs(1, 60_000, policy)).toBe(1_000);
  });
});

describe('deadLetterHeaders', () => {
  it('keeps the original headers and adds the reason and the source position', () => {
    const poison = record({ headers: { 'trace-id': Buffer.from('t1') } });
    expect(
      deadLetterHeaders(poison, { kind: 'deadLetter', reason: 'bad', error: 'InvalidArgumentError' }),
    ).toEqual({
      'trace-id': Buffer.from('t1'),
      'durable-dlq-reason': 'bad',
      'durable-dlq-error': 'InvalidArgumentError',
      'durable-source-topic': 'orders',
      'durable-source-partition': '2',
      'durable-source-offset': '41',
    });
  });
});
