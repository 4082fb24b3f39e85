import { DurableError } from '@durable/core';

/** A setting that cannot work: the process refuses to start, naming the setting (never its secret). */
export class AuthConfigError extends DurableError {
  override readonly name = 'AuthConfigError';
  readonly retriable = false;
}

/** The caller is not authenticated: HTTP 401, gRPC UNAUTHENTICATED. */
export class UnauthenticatedError extends DurableError {
  override readonly name = 'UnauthenticatedError';
  readonly retriable = false;
}

/** The caller lacks the role: HTTP 403, gRPC PERMISSION_DENIED. */
export class PermissionDeniedError extends DurableError {
  override readonly name = 'PermissionDeniedError';
  readonly retriable = false;
}
