import { InvalidArgumentError } from '@durable/core';

/** The position after which the next page of a listing starts: keyset paging on (createdAt, id). */
export interface ListPosition {
  readonly createdAt: number;
  readonly id: string;
}

/** An opaque continuation token for a listing position, shared by every adapter. */
export function encodeListToken(position: ListPosition): string {
  return Buffer.from(JSON.stringify([position.createdAt, position.id])).toString('base64url');
}

/** Reads a token made by `encodeListToken`; anything else is an InvalidArgumentError. */
export function decodeListToken(token: string): ListPosition {
  try {
    const [createdAt, id] = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as [
      unknown,
      unknown,
    ];
    if (typeof createdAt === 'number' && typeof id === 'string') return { createdAt, id };
  } catch {
    // fall through to the error below
  }
  throw new InvalidArgumentError('invalid continuation token');
}
