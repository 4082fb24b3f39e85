import { InvalidArgumentError } from '@durable/core';
import { decodeListToken, encodeListToken } from './list-token';

describe('listing continuation tokens', () => {
  it('round-trips a position', () => {
    expect(decodeListToken(encodeListToken({ time: 42, id: 'order/7' }))).toEqual({
      time: 42,
      id: 'order/7',
    });
  });

  it('round-trips a position of another order, and refuses it for the default order', () => {
    const order = { by: 'updatedAt', descending: true } as const;
    const token = encodeListToken({ time: 7, id: 'a' }, order);
    expect(decodeListToken(token, order)).toEqual({ time: 7, id: 'a' });
    expect(() => decodeListToken(token)).toThrow(/another order/);
  });

  it('reads a token made before orders existed as one of the default order', () => {
    expect(decodeListToken(Buffer.from('[5,"x"]').toString('base64url'))).toEqual({ time: 5, id: 'x' });
  });

  it.each([
    'not-a-token',
    Buffer.from('[1]').toString('base64url'),
    Buffer.from('{"a":1}').toString('base64url'),
    Buffer.from('[1,"x","zz","extra"]').toString('base64url'),
  ])('refuses %s', (token) => {
    expect(() => decodeListToken(token)).toThrow(InvalidArgumentError);
  });
});
