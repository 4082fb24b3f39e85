import { InvalidArgumentError } from '@durable/core';
import type { InstanceOrder } from './state-store';

/** The default order of a listing. */
export const createdAscending: InstanceOrder = { by: 'createdAt', descending: false };

/**
 * The position after which the next page of a listing starts: keyset paging on (time, id), the
 * time being the one the listing is ordered by.
 */
export interface ListPosition {
  readonly time: number;
  readonly id: string;
}

const orderCode = (order: InstanceOrder): string =>
  `${order.by === 'createdAt' ? 'c' : 'u'}${order.descending ? 'd' : 'a'}`;

/** An opaque continuation token for a listing position, shared by every adapter. */
export function encodeListToken(position: ListPosition, order: InstanceOrder = createdAscending): string {
  // Tokens of the default order keep their earlier two-element shape, so they stay valid.
  const code = orderCode(order);
  const fields = code === 'ca' ? [position.time, position.id] : [position.time, position.id, code];
  return Buffer.from(JSON.stringify(fields)).toString('base64url');
}

/**
 * Reads a token made by `encodeListToken` for the same order; anything else (a token of another
 * order included: its position means nothing there) is an InvalidArgumentError.
 */
export function decodeListToken(token: string, order: InstanceOrder = createdAscending): ListPosition {
  let fields: unknown;
  try {
    fields = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
  } catch {
    throw new InvalidArgumentError('invalid continuation token');
  }
  if (Array.isArray(fields) && typeof fields[0] === 'number' && typeof fields[1] === 'string') {
    const code: unknown = fields.length === 2 ? 'ca' : fields[2];
    if (fields.length <= 3 && code === orderCode(order)) return { time: fields[0], id: fields[1] };
    if (fields.length <= 3 && typeof code === 'string')
      throw new InvalidArgumentError('continuation token of a listing in another order');
  }
  throw new InvalidArgumentError('invalid continuation token');
}
