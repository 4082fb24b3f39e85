import { instanceIdProblem, InvalidArgumentError, maxInstanceIdLength, validateInstanceId } from './index';

const forbiddenMessage = "it must not contain '/', '\\', '#', '?' or control characters";

describe('validateInstanceId and instanceIdProblem', () => {
  it('allows ids of up to 256 characters', () => {
    expect(maxInstanceIdLength).toBe(256);
  });

  it.each([
    ['a plain name', 'order-42'],
    ['a single character', 'x'],
    ['a GUID', '3f2504e0-4f89-11d3-9a0c-0305e82c3301'],
    ['dots, colons, underscores and pluses', 'tenant.a:order_42+retry'],
    ['inner spaces', 'my order 42'],
    ['an @ that is not leading', 'user@example.com'],
    ['accented letters', 'commande-numéro-42'],
    ['CJK characters', '注文-42'],
    ['an emoji (surrogate pair)', 'order-😀'],
    ['exactly 256 ASCII characters', 'a'.repeat(256)],
    ['exactly 256 non-ASCII characters', 'é'.repeat(256)],
    ['a line separator inside (not a control character)', 'a\u2028b'],
  ])('accepts %s', (_label, id) => {
    expect(instanceIdProblem(id)).toBeUndefined();
    expect(() => validateInstanceId(id)).not.toThrow();
  });

  it.each([
    ['the empty string', '', 'it must not be empty'],
    ['257 characters', 'a'.repeat(257), 'it must be at most 256 characters'],
    ['a slash', 'orders/42', forbiddenMessage],
    ['a leading slash', '/42', forbiddenMessage],
    ['a backslash', 'orders\\42', forbiddenMessage],
    ['a hash', 'order#42', forbiddenMessage],
    ['a question mark', 'order?id=42', forbiddenMessage],
    ['a NUL character', 'order\u000042', forbiddenMessage],
    ['a tab', 'order\t42', forbiddenMessage],
    ['a newline', 'order\n42', forbiddenMessage],
    ['a carriage return', 'order\r42', forbiddenMessage],
    ['an escape (U+001B)', 'order\u001b42', forbiddenMessage],
    ['a unit separator (U+001F)', 'order\u001f42', forbiddenMessage],
    ['a DEL (U+007F)', 'order\u007f42', forbiddenMessage],
    ['a trailing newline', 'order-42\n', forbiddenMessage],
    [
      'a leading @ (reserved for entity ids)',
      '@counter@user-1',
      "it must not start with '@' (reserved for entity ids)",
    ],
    ['a lone @', '@', "it must not start with '@' (reserved for entity ids)"],
    ['a leading space', ' order-42', 'it must not start or end with whitespace'],
    ['a trailing space', 'order-42 ', 'it must not start or end with whitespace'],
    ['only spaces', '   ', 'it must not start or end with whitespace'],
    ['a leading no-break space', '\u00a0order', 'it must not start or end with whitespace'],
    ['a trailing ideographic space', 'order\u3000', 'it must not start or end with whitespace'],
    ['a leading byte-order mark', '\ufefforder', 'it must not start or end with whitespace'],
  ])('rejects %s', (_label, id, problem) => {
    expect(instanceIdProblem(id)).toBe(problem);
    expect(() => validateInstanceId(id)).toThrow(new InvalidArgumentError(`invalid instance id: ${problem}`));
  });

  it.each([
    ['undefined', undefined],
    ['null', null],
    ['a number', 42],
    ['a boolean', true],
    ['an object', { id: 'order-42' }],
    ['an array', ['order-42']],
    ['a String object', new String('order-42')],
    ['a symbol', Symbol('order-42')],
  ])('rejects %s because it is not a string', (_label, id) => {
    expect(instanceIdProblem(id)).toBe('it must be a string');
    expect(() => validateInstanceId(id)).toThrow(InvalidArgumentError);
  });

  it('checks the length before the characters, so an overlong id with a slash reports its length', () => {
    expect(instanceIdProblem(`${'a'.repeat(300)}/`)).toBe('it must be at most 256 characters');
  });

  it('throws an InvalidArgumentError that is not retriable and says why', () => {
    let thrown: unknown;
    try {
      validateInstanceId('a/b');
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(InvalidArgumentError);
    expect(thrown).toMatchObject({
      name: 'InvalidArgumentError',
      retriable: false,
      message: `invalid instance id: ${forbiddenMessage}`,
    });
  });

  it('narrows an unknown value to string once validated', () => {
    const id: unknown = 'order-42';
    validateInstanceId(id);
    const narrowed: string = id;
    expect(narrowed.toUpperCase()).toBe('ORDER-42');
  });
});

describe('C1 control characters', () => {
  it.each(['\u0080', '\u0085', '\u009f'])('rejects an id containing U+%s', (c) => {
    expect(instanceIdProblem(`a${c}b`)).toBe("it must not contain '/', '\\', '#', '?' or control characters");
  });
});
