import { HttpException } from '@nestjs/common';
import {
  ConflictError,
  EntityNotRegisteredError,
  InstanceAlreadyExistsError,
  InstanceFinishedError,
  InstanceNotFoundError,
  InvalidArgumentError,
  OrchestratorNotRegisteredError,
  PayloadTooLargeError,
  TaskHubNotFoundError,
  UnavailableError,
} from '@durable/core';
import { ScheduleAlreadyExistsError, ScheduleNotFoundError } from '@durable/runtime';

/** The body of every error the durable HTTP API answers. `error` is a stable name to match on. */
export interface ErrorBody {
  readonly error: string;
  readonly message: string;
}

export interface ErrorResponse {
  readonly status: number;
  readonly body: ErrorBody;
  readonly headers: Readonly<Record<string, string>>;
  /** A fault of ours rather than of the request: log it, and tell the client nothing about it. */
  readonly unexpected: boolean;
}

/** An answer specific to the HTTP API, with no counterpart among the core errors. */
export class HttpApiError extends Error {
  override readonly name = 'HttpApiError';
  constructor(
    readonly status: number,
    readonly errorName: string,
    message: string,
  ) {
    super(message);
  }
}

const byCoreError: ReadonlyArray<readonly [abstract new (...args: never[]) => Error, number]> = [
  [InvalidArgumentError, 400],
  [OrchestratorNotRegisteredError, 404],
  [EntityNotRegisteredError, 404],
  [InstanceNotFoundError, 404],
  [ScheduleNotFoundError, 404],
  [TaskHubNotFoundError, 404],
  [InstanceAlreadyExistsError, 409],
  [ScheduleAlreadyExistsError, 409],
  [ConflictError, 409],
  [InstanceFinishedError, 410],
  [PayloadTooLargeError, 413],
  [UnavailableError, 503],
];

// Names for statuses that reach us as framework exceptions (unknown route, malformed URL encoding)
// or body-parser errors; 400 and 413 share the names of the core errors that mean the same thing.
const nameByStatus: Readonly<Record<number, string>> = {
  400: 'InvalidArgumentError',
  404: 'NotFound',
  405: 'MethodNotAllowed',
  413: 'PayloadTooLargeError',
  415: 'UnsupportedMediaType',
};

function answer(
  status: number,
  error: string,
  message: string,
  headers: Record<string, string> = {},
): ErrorResponse {
  return { status, body: { error, message }, headers, unexpected: false };
}

/** A body-parser (http-errors) error, as raised by `express.json/text/raw` before routing. */
interface BodyParserError {
  readonly status: number;
  readonly expose: boolean;
  readonly type?: string;
  readonly limit?: number;
  readonly length?: number;
  readonly message: string;
}

function isBodyParserError(error: unknown): error is BodyParserError {
  if (!(error instanceof Error)) return false;
  const candidate = error as Error & Partial<Record<'status' | 'expose', unknown>>;
  return typeof candidate.status === 'number' && candidate.expose === true;
}

function httpExceptionMessage(exception: HttpException): string {
  const response = exception.getResponse();
  if (typeof response === 'string') return response;
  const message = (response as { message?: unknown }).message;
  if (typeof message === 'string') return message;
  if (Array.isArray(message)) return message.join('; ');
  return exception.message;
}

/** Maps anything a request can fail with to the status, body and headers the client gets. */
export function errorResponse(error: unknown): ErrorResponse {
  if (error instanceof HttpApiError) return answer(error.status, error.errorName, error.message);
  for (const [type, status] of byCoreError) {
    if (error instanceof type) {
      const headers: Record<string, string> =
        error instanceof UnavailableError
          ? { 'Retry-After': String(Math.max(1, Math.ceil((error.retryAfterMs ?? 1000) / 1000))) }
          : {};
      return answer(status, error.name, error.message, headers);
    }
  }
  if (error instanceof HttpException) {
    const status = error.getStatus();
    if (status < 500) return answer(status, nameByStatus[status] ?? 'HttpError', httpExceptionMessage(error));
  } else if (isBodyParserError(error) && error.status >= 400 && error.status < 500) {
    if (error.type === 'entity.too.large') {
      const size = error.length === undefined ? 'request body' : `request body of ${error.length} bytes`;
      return answer(413, 'PayloadTooLargeError', `${size} exceeds the limit of ${error.limit ?? '?'} bytes`);
    }
    return answer(error.status, nameByStatus[error.status] ?? 'HttpError', error.message);
  }
  return {
    status: 500,
    body: { error: 'InternalServerError', message: 'the server failed to handle the request; see its log' },
    headers: {},
    unexpected: true,
  };
}
