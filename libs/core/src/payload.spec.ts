import { InvalidArgumentError, parsePayload, payloadSize, serializePayload } from './index';

function thrownBy(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error('expected the call to throw');
}

describe('serializePayload and parsePayload', () => {
  it('keeps undefined as "no payload" in both directions', () => {
    expect(serializePayload(undefined)).toBeUndefined();
    expect(parsePayload(undefined)).toBeUndefined();
  });

  it('reads an empty payload text as no payload', () => {
    expect(parsePayload('')).toBeUndefined();
  });

  it('writes null as the JSON text null and reads it back as null', () => {
    expect(serializePayload(null)).toBe('null');
    expect(parsePayload('null')).toBeNull();
  });

  it.each([
    ['zero', 0],
    ['a negative fraction', -1.5],
    ['the largest safe integer', Number.MAX_SAFE_INTEGER],
    ['a tiny number', 5e-324],
    ['a huge number', 1e308],
    ['true', true],
    ['false', false],
    ['an empty string', ''],
    ['a string with quotes, backslashes and newlines', 'say "hi"\\\n\tbye'],
    ['a unicode string', 'Zoë 注文 😀 \u2028'],
    ['an empty object', {}],
    ['an empty array', []],
    ['a nested object', { order: { id: 42, items: [{ sku: 'A-1', qty: 2 }], note: null }, tags: ['x', 'y'] }],
    ['an array of mixed values', [1, 'two', null, false, { three: [3] }]],
  ])('round-trips %s', (_label, value) => {
    const text = serializePayload(value);
    expect(typeof text).toBe('string');
    expect(text).toBe(JSON.stringify(value));
    expect(parsePayload(text)).toEqual(value);
  });

  it('follows JSON semantics for values that have a JSON form (Date becomes its ISO text)', () => {
    const date = new Date(Date.UTC(2026, 0, 2, 3, 4, 5, 6));
    expect(parsePayload(serializePayload({ at: date }))).toEqual({ at: '2026-01-02T03:04:05.006Z' });
  });

  it('uses toJSON when a value defines it', () => {
    const money = { cents: 1250, toJSON: () => '12.50 EUR' };
    expect(serializePayload(money)).toBe('"12.50 EUR"');
  });

  it('parses to the type the caller asks for', () => {
    const order = parsePayload<{ id: number }>('{"id":7}');
    expect(order.id).toBe(7);
  });

  it.each([
    ['a BigInt', 10n],
    ['an object holding a BigInt', { amount: 10n }],
  ])('refuses %s with an InvalidArgumentError whose cause is the JSON error', (_label, value) => {
    const error = thrownBy(() => serializePayload(value));
    expect(error).toBeInstanceOf(InvalidArgumentError);
    expect((error as InvalidArgumentError).message).toMatch(/^payload is not JSON-serialisable: /);
    expect((error as InvalidArgumentError).cause).toBeInstanceOf(TypeError);
  });

  it('refuses a circular object with an InvalidArgumentError', () => {
    const node: Record<string, unknown> = { name: 'loop' };
    node['self'] = node;
    const error = thrownBy(() => serializePayload(node));
    expect(error).toBeInstanceOf(InvalidArgumentError);
    expect((error as Error).message).toMatch(/^payload is not JSON-serialisable: .*circular/i);
  });

  it('refuses a value whose toJSON throws, keeping the original error as cause', () => {
    const boom = new Error('no JSON for you');
    const error = thrownBy(() =>
      serializePayload({
        toJSON: () => {
          throw boom;
        },
      }),
    );
    expect(error).toBeInstanceOf(InvalidArgumentError);
    expect((error as InvalidArgumentError).cause).toBe(boom);
  });

  it.each([
    ['a function', () => 1, 'function'],
    ['a symbol', Symbol('s'), 'symbol'],
  ])('refuses %s instead of writing nothing', (_label, value, type) => {
    expect(() => serializePayload(value)).toThrow(
      new InvalidArgumentError(`payload of type ${type} is not JSON-serialisable`),
    );
  });

  it.each(['{', 'undefined', "'single quotes'", '{"a":1,}', 'NaN', '01', '[1] trailing'])(
    'refuses to parse invalid JSON %j with an InvalidArgumentError whose cause is the SyntaxError',
    (text) => {
      const error = thrownBy(() => parsePayload(text));
      expect(error).toBeInstanceOf(InvalidArgumentError);
      expect((error as InvalidArgumentError).message).toMatch(/^payload is not valid JSON: /);
      expect((error as InvalidArgumentError).cause).toBeInstanceOf(SyntaxError);
    },
  );
});

describe('payloadSize', () => {
  it('is 0 for no payload and for the empty text', () => {
    expect(payloadSize(undefined)).toBe(0);
    expect(payloadSize('')).toBe(0);
  });

  it.each([
    ['ASCII', 'hello', 5],
    ['the last 1-byte character (U+007F)', '\u007f', 1],
    ['the first 2-byte character (U+0080)', '\u0080', 2],
    ['a 2-byte character (é)', 'é', 2],
    ['the last 2-byte character (U+07FF)', '\u07ff', 2],
    ['the first 3-byte character (U+0800)', '\u0800', 3],
    ['a 3-byte character (€)', '€', 3],
    ['a CJK character', '注', 3],
    ['the last BMP character (U+FFFF)', '\uffff', 3],
    ['a character just below the surrogates (U+D7FF)', '\ud7ff', 3],
    ['a character just above the surrogates (U+E000)', '\ue000', 3],
    ['an emoji (surrogate pair)', '😀', 4],
    ['the first supplementary character (U+10000)', '\u{10000}', 4],
    ['the last code point (U+10FFFF)', '\u{10ffff}', 4],
    ['a family emoji with joiners', '👩‍👩‍👧', 18],
    ['mixed text', 'a é € 😀', 13],
  ])('counts UTF-8 bytes of %s', (_label, text, bytes) => {
    expect(payloadSize(text)).toBe(bytes);
    expect(payloadSize(text)).toBe(Buffer.byteLength(text, 'utf8'));
  });

  it('counts bytes, not characters, for a serialized payload', () => {
    const text = serializePayload({ city: 'Zürich', greeting: 'こんにちは', mood: '😀' });
    expect(text).toBeDefined();
    expect(payloadSize(text)).toBe(Buffer.byteLength(text ?? '', 'utf8'));
    expect(payloadSize(text)).toBeGreaterThan(text?.length ?? 0);
  });

  it('matches Buffer.byteLength for serialized strings holding lone surrogates (JSON escapes them)', () => {
    for (const value of ['\ud800', '\udfff', 'a\ud83d', '\ude00b']) {
      const text = serializePayload(value);
      expect(payloadSize(text)).toBe(Buffer.byteLength(text ?? '', 'utf8'));
    }
  });

  it('matches Buffer.byteLength for 2,000 seeded random strings of valid code points', () => {
    let state = 0x2026;
    const next = (): number => {
      // xorshift32: deterministic, so a failure reproduces.
      state ^= state << 13;
      state ^= state >>> 17;
      state ^= state << 5;
      return (state >>> 0) / 4294967296;
    };
    const ranges: ReadonlyArray<readonly [number, number]> = [
      [0x00, 0x7f],
      [0x80, 0x7ff],
      [0x800, 0xd7ff],
      [0xe000, 0xffff],
      [0x10000, 0x10ffff],
    ];
    for (let i = 0; i < 2000; i++) {
      let text = '';
      const length = Math.floor(next() * 20);
      for (let j = 0; j < length; j++) {
        const [low, high] = ranges[Math.floor(next() * ranges.length)] ?? [0, 0];
        text += String.fromCodePoint(low + Math.floor(next() * (high - low + 1)));
      }
      expect(payloadSize(text)).toBe(Buffer.byteLength(text, 'utf8'));
    }
  });
});

describe('payloadSize with lone surrogates', () => {
  it.each(['\ud800', '\ud800é', 'x\udc00', '\ud83d\ude00\ud800'])(
    'counts %j as Buffer.byteLength does',
    (text) => {
      expect(payloadSize(text)).toBe(Buffer.byteLength(text, 'utf8'));
    },
  );
});
