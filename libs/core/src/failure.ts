/** Why a task or an orchestration failed, as carried in history and over the wire. */
export interface FailureDetails {
  readonly errorType: string;
  readonly errorMessage: string;
  readonly stackTrace?: string;
  readonly innerFailure?: FailureDetails;
  /** Set when retrying cannot help (a terminal error); retry policies stop on it. */
  readonly isNonRetriable?: boolean;
}

const maxInnerDepth = 10;

/** Captures any thrown value as failure details, following `details` and `cause` chains. */
export function failureDetailsFromError(error: unknown, depth = 0): FailureDetails {
  if (error instanceof Error) {
    const withDetails = error as Error & { details?: FailureDetails; retriable?: boolean };
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
    (v['innerFailure'] === undefined || isFailureDetails(v['innerFailure'], depth + 1))
  );
}

function describeThrown(value: unknown): string {
  if (typeof value === 'string') return value;
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}
