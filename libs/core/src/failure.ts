/** JSON values keyed by name: a thrown error's own fields (`code`, `details`, ...). */
export type FailureProperties = Readonly<Record<string, unknown>>;

/** Why a task or an orchestration failed, as carried in history and over the wire. */
export interface FailureDetails {
  readonly errorType: string;
  readonly errorMessage: string;
  readonly stackTrace?: string;
  readonly innerFailure?: FailureDetails;
  /** Set when retrying cannot help (a terminal error); retry policies stop on it. */
  readonly isNonRetriable?: boolean;
  /** The thrown error's own fields, so a catch far away can still read e.g. its `code`. */
  readonly properties?: FailureProperties;
}

/** Fields every error has, or that Durable reads itself: not repeated in `properties`. */
const reservedFields = new Set(['name', 'message', 'stack', 'cause', 'retriable']);
const maxProperties = 32;

const maxInnerDepth = 10;

/** Captures any thrown value as failure details, following `details` and `cause` chains. */
export function failureDetailsFromError(error: unknown, depth = 0): FailureDetails {
  if (error instanceof Error) {
    const withDetails = error as Error & { details?: FailureDetails; retriable?: boolean };
    const properties = ownProperties(error);
    const inner =
      depth >= maxInnerDepth
        ? undefined
        : withDetails.details !== undefined && isFailureDetails(withDetails.details)
          ? withDetails.details
          : error.cause !== undefined
            ? failureDetailsFromError(error.cause, depth + 1)
            : undefined;
    return {
      errorType: error.name || 'Error',
      errorMessage: error.message,
      ...(error.stack !== undefined ? { stackTrace: error.stack } : {}),
      ...(inner !== undefined ? { innerFailure: inner } : {}),
      ...(withDetails.retriable === false ? { isNonRetriable: true } : {}),
      ...(properties !== undefined ? { properties } : {}),
    };
  }
  return { errorType: 'Error', errorMessage: describeThrown(error) };
}

export function isFailureDetails(value: unknown, depth = 0): value is FailureDetails {
  if (typeof value !== 'object' || value === null || depth > maxInnerDepth) return false;
  const v = value as Record<string, unknown>;
  return (
    typeof v['errorType'] === 'string' &&
    typeof v['errorMessage'] === 'string' &&
    (v['stackTrace'] === undefined || typeof v['stackTrace'] === 'string') &&
    (v['isNonRetriable'] === undefined || typeof v['isNonRetriable'] === 'boolean') &&
    (v['innerFailure'] === undefined || isFailureDetails(v['innerFailure'], depth + 1)) &&
    (v['properties'] === undefined ||
      (typeof v['properties'] === 'object' && v['properties'] !== null && !Array.isArray(v['properties'])))
  );
}

/**
 * The error's own enumerable fields as JSON values; fields that do not survive JSON (functions,
 * cycles) are left out, and a `details` that is itself failure details travels as `innerFailure`.
 */
function ownProperties(error: Error): FailureProperties | undefined {
  const out: Record<string, unknown> = {};
  let count = 0;
  for (const [key, value] of Object.entries(error)) {
    if (reservedFields.has(key) || value === undefined || typeof value === 'function') continue;
    if (key === 'details' && isFailureDetails(value)) continue;
    if (count >= maxProperties) break;
    try {
      const text = JSON.stringify(value);
      if (text === undefined) continue;
      out[key] = JSON.parse(text) as unknown;
      count++;
    } catch {
      continue;
    }
  }
  return count > 0 ? out : undefined;
}

function describeThrown(value: unknown): string {
  if (typeof value === 'string') return value;
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}
