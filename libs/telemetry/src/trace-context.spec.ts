import {
  deriveSpanId,
  deriveTraceId,
  formatTraceParent,
  parseTraceParent,
  withSpanId,
} from './trace-context';

describe('W3C trace context', () => {
  it('parses a version-00 traceparent and formats it back', () => {
    const value = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
    const parsed = parseTraceParent(value);
    expect(parsed).toEqual({
      traceId: '0af7651916cd43dd8448eb211c80319c',
      spanId: 'b7ad6b7169203331',
      flags: '01',
    });
    expect(formatTraceParent(parsed!.traceId, parsed!.spanId, parsed!.flags)).toBe(value);
    expect(withSpanId(parsed!, '00f067aa0ba902b7')).toBe(
      '00-0af7651916cd43dd8448eb211c80319c-00f067aa0ba902b7-01',
    );
  });

  it.each([
    undefined,
    '',
    'garbage',
    '01-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
    '00-00000000000000000000000000000000-b7ad6b7169203331-01',
    '00-0af7651916cd43dd8448eb211c80319c-0000000000000000-01',
    '00-0af7651916cd43dd8448eb211c80319c-b7ad6b716920333-01',
  ])('refuses %p', (value) => {
    expect(parseTraceParent(value)).toBeUndefined();
  });

  it('derives the same ids from the same parts, and different ones from different parts', () => {
    const a = deriveSpanId('exec-1', 'task', 3);
    expect(a).toMatch(/^[0-9a-f]{16}$/);
    expect(deriveSpanId('exec-1', 'task', 3)).toBe(a);
    expect(deriveSpanId('exec-1', 'task', 4)).not.toBe(a);
    expect(deriveSpanId('exec-2', 'task', 3)).not.toBe(a);
    // Parts are separated, so ('ab', 'c') and ('a', 'bc') differ.
    expect(deriveSpanId('ab', 'c')).not.toBe(deriveSpanId('a', 'bc'));
    expect(deriveTraceId('exec-1')).toMatch(/^[0-9a-f]{32}$/);
    expect(deriveTraceId('exec-1')).toBe(deriveTraceId('exec-1'));
  });

  it('spreads derived span ids: no collisions over many tasks of many executions', () => {
    const ids = new Set<string>();
    for (let e = 0; e < 100; e++)
      for (let t = 0; t < 1000; t++) ids.add(deriveSpanId(`exec-${e}`, 'task', t));
    expect(ids.size).toBe(100_000);
  });
});
