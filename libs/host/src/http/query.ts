import { InvalidArgumentError, isTerminalStatus, RuntimeStatus, validateInstanceId } from '@durable/core';
import type { InstanceFilterQuery, InstanceQuery, PurgeFilter } from '@durable/runtime';

/** A parsed query string: Express gives a string per parameter, or an array when it is repeated. */
export type QueryParams = Readonly<Record<string, unknown>>;

export const maxPageSize = 1000;

function invalid(name: string, reason: string): InvalidArgumentError {
  return new InvalidArgumentError(`invalid query parameter '${name}': ${reason}`);
}

/** The parameter's value, or undefined when absent or empty. */
export function stringParam(query: QueryParams, name: string): string | undefined {
  const value = query[name];
  if (value === undefined || value === '') return undefined;
  if (typeof value !== 'string') throw invalid(name, 'it must be given once');
  return value;
}

/**
 * Like stringParam, but an empty value is an error: the document types the parameter (boolean,
 * date-time, integer) and '' is none of those, so `?flag=` must not quietly mean the default.
 */
function typedParam(query: QueryParams, name: string): string | undefined {
  if (query[name] === '') throw invalid(name, 'it must not be empty');
  return stringParam(query, name);
}

/** `true` or `false` (any case); `fallback` when absent. */
export function booleanParam(query: QueryParams, name: string, fallback: boolean): boolean {
  const value = typedParam(query, name);
  if (value === undefined) return fallback;
  const lower = value.toLowerCase();
  if (lower === 'true') return true;
  if (lower === 'false') return false;
  throw invalid(name, `it must be 'true' or 'false', got '${value}'`);
}

// Date, or date and time with optional seconds, fraction and offset. A time without an offset is UTC.
const isoDate = /^(\d{4}-\d{2}-\d{2})(?:T(\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?)(Z|[+-]\d{2}:?\d{2})?)?$/i;

/** Date.parse rolls 2024-02-31 over into March instead of rejecting it. */
function isCalendarDate(yyyyMmDd: string | undefined): boolean {
  const [year, month, day] = (yyyyMmDd ?? '').split('-').map(Number);
  if (year === undefined || month === undefined || day === undefined) return false;
  const date = new Date(Date.UTC(year, month - 1, day));
  return date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}

/** An ISO-8601 date or date-time; undefined when absent. */
export function dateParam(query: QueryParams, name: string): Date | undefined {
  const raw = typedParam(query, name);
  if (raw === undefined) return undefined;
  // An unencoded '+' in a query string arrives as a space: "…T10:00:00 01:00" meant "+01:00".
  const value = raw.replace(/ (\d{2}:?\d{2})$/, '+$1');
  const match = isoDate.exec(value);
  const time = match?.[2] === undefined ? undefined : `${match[1]}T${match[2]}${match[3] ?? 'Z'}`;
  const ms = match === null || !isCalendarDate(match[1]) ? NaN : Date.parse(time ?? `${match[1]}T00:00:00Z`);
  if (Number.isNaN(ms)) throw invalid(name, `it must be an ISO-8601 date or date-time, got '${raw}'`);
  return new Date(ms);
}

const statusByLowerName: ReadonlyMap<string, RuntimeStatus> = new Map(
  Object.values(RuntimeStatus).map((status) => [status.toLowerCase(), status]),
);

/** Comma-separated runtime statuses (any case); undefined when absent. */
export function statusesParam(query: QueryParams, name: string): RuntimeStatus[] | undefined {
  const value = stringParam(query, name);
  if (value === undefined) return undefined;
  const statuses = new Set<RuntimeStatus>();
  for (const item of value.split(',')) {
    const trimmed = item.trim();
    if (trimmed === '') continue;
    const status = statusByLowerName.get(trimmed.toLowerCase());
    if (status === undefined) {
      throw invalid(
        name,
        `'${trimmed}' is not a runtime status (${Object.values(RuntimeStatus).join(', ')})`,
      );
    }
    statuses.add(status);
  }
  return statuses.size === 0 ? undefined : [...statuses];
}

/** A page size from 1 to 1000; undefined when absent. */
export function pageSizeParam(query: QueryParams, name: string): number | undefined {
  const value = typedParam(query, name);
  if (value === undefined) return undefined;
  const size = /^\d+$/.test(value) ? Number(value) : NaN;
  if (!Number.isInteger(size) || size < 1 || size > maxPageSize) {
    throw invalid(name, `it must be an integer from 1 to ${maxPageSize}, got '${value}'`);
  }
  return size;
}

/** An instance id taken from a URL path, checked with the same rules as everywhere else. */
export function instanceIdParam(value: unknown): string {
  validateInstanceId(value);
  return value;
}

export interface StatusQuery {
  readonly showHistory: boolean;
  readonly showHistoryOutput: boolean;
  readonly showInput: boolean;
  readonly returnInternalServerErrorOnFailure: boolean;
}

/** `GET /instances/{instanceId}` flags, with Durable Functions' defaults. */
export function parseStatusQuery(query: QueryParams): StatusQuery {
  return {
    showHistory: booleanParam(query, 'showHistory', false),
    showHistoryOutput: booleanParam(query, 'showHistoryOutput', false),
    showInput: booleanParam(query, 'showInput', true),
    returnInternalServerErrorOnFailure: booleanParam(query, 'returnInternalServerErrorOnFailure', false),
  };
}

function createdRange(query: QueryParams): { createdFrom?: Date; createdTo?: Date } {
  const createdFrom = dateParam(query, 'createdTimeFrom');
  const createdTo = dateParam(query, 'createdTimeTo');
  if (createdFrom !== undefined && createdTo !== undefined && createdFrom > createdTo) {
    throw invalid('createdTimeTo', 'it must not be before createdTimeFrom');
  }
  return {
    ...(createdFrom !== undefined ? { createdFrom } : {}),
    ...(createdTo !== undefined ? { createdTo } : {}),
  };
}

/** The filters shared by `GET /instances` and `GET /instance-counts`. */
export function parseFilterQuery(query: QueryParams): InstanceFilterQuery {
  const statuses = statusesParam(query, 'runtimeStatus');
  const name = stringParam(query, 'name');
  const instanceIdPrefix = stringParam(query, 'instanceIdPrefix');
  const instanceIdContains = stringParam(query, 'instanceIdContains');
  return {
    ...createdRange(query),
    ...(statuses !== undefined ? { statuses } : {}),
    ...(name !== undefined ? { name } : {}),
    ...(instanceIdPrefix !== undefined ? { instanceIdPrefix } : {}),
    ...(instanceIdContains !== undefined ? { instanceIdContains } : {}),
  };
}

const orderFields = ['createdTime', 'lastUpdatedTime'] as const;

/** `GET /instances` filters; the continuation token comes from the request header. */
export function parseListQuery(query: QueryParams, continuationToken: string | undefined): InstanceQuery {
  const pageSize = pageSizeParam(query, 'top');
  const by = typedParam(query, 'orderBy');
  if (by !== undefined && !(orderFields as readonly string[]).includes(by)) {
    throw invalid('orderBy', `it must be one of ${orderFields.join(', ')}, got '${by}'`);
  }
  const descending = booleanParam(query, 'descending', false);
  const orderBy =
    by !== undefined || descending
      ? { by: (by ?? 'createdTime') as (typeof orderFields)[number], descending }
      : undefined;
  return {
    ...parseFilterQuery(query),
    ...(orderBy !== undefined ? { orderBy } : {}),
    ...(pageSize !== undefined ? { pageSize } : {}),
    ...(continuationToken !== undefined && continuationToken !== '' ? { continuationToken } : {}),
    includeInput: booleanParam(query, 'showInput', true),
  };
}

/** `DELETE /instances` filter: `createdTimeFrom` is required, as in Durable Functions. */
export function parsePurgeQuery(query: QueryParams): PurgeFilter {
  const range = createdRange(query);
  if (range.createdFrom === undefined) throw invalid('createdTimeFrom', 'it is required to purge by filter');
  const statuses = statusesParam(query, 'runtimeStatus');
  const live = statuses?.filter((status) => !isTerminalStatus(status)) ?? [];
  if (live.length > 0) {
    throw invalid('runtimeStatus', `only finished instances can be purged, not ${live.join(', ')}`);
  }
  return { ...range, ...(statuses !== undefined ? { statuses } : {}) };
}
