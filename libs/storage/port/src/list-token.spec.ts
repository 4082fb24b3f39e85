import { InvalidArgumentError } from '@durable/core';
import { decodeListToken, encodeListToken } from './list-token';

describe('listing continuation tokens', () => {
  it('round-trips a position', () => {
    expect(decodeListToken(encodeListToken({ createdAt: 42, id: 'order/7' }))).toEqual({
      createdAt: 42,
      id: 'order/7',
    });
  });

  it.each([
    'not-a-token',
    Buffer.from('[1]').toString('base64url'),
    Buffer.from('{"a":1}').toString('base64url'),
  ])('refuses %s', (token) => {
    expect(() => decodeListToken(token)).toThrow(InvalidArgumentError);
  });
});
