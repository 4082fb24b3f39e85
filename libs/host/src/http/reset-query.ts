import { InvalidArgumentError } from '@durable/core';
import type { ResetTarget } from '@durable/runtime';
import { stringParam, type QueryParams } from './query';

/** `eventId=<n>` (an event's position in the history) or `to=lastCompletedActivity`: exactly one. */
export function resetTargetParam(query: QueryParams): ResetTarget {
  for (const name of ['eventId', 'to'])
    if (query[name] === '')
      throw new InvalidArgumentError(`invalid query parameter '${name}': it must not be empty`);
  const eventId = stringParam(query, 'eventId');
  const to = stringParam(query, 'to');
  if ((eventId === undefined) === (to === undefined))
    throw new InvalidArgumentError("a reset needs exactly one of the query parameters 'eventId' and 'to'");
  if (to !== undefined) {
    if (to !== 'lastCompletedActivity')
      throw new InvalidArgumentError(
        `invalid query parameter 'to': it must be 'lastCompletedActivity', got '${to}'`,
      );
    return { to };
  }
  if (!/^\d{1,9}$/.test(eventId ?? ''))
    throw new InvalidArgumentError(
      `invalid query parameter 'eventId': it must be an event's position in the history (an integer from 0), got '${eventId}'`,
    );
  return { eventId: Number(eventId) };
}
