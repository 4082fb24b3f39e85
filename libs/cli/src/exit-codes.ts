/** Process exit codes, distinct per kind of failure so scripts can branch on them. */
export const ExitCode = {
  Ok: 0,
  /** The command ran but the outcome is a failure: `start --wait` / `watch` ended Failed or Terminated. */
  Failed: 1,
  /** Bad arguments or options: nothing was sent. */
  Usage: 2,
  /** The instance, entity or orchestration does not exist (HTTP 404). */
  NotFound: 3,
  /** The server refused the request: bad input (400), conflict (409), finished (410), too large (413). */
  Rejected: 4,
  /** The server failed (5xx), could not be reached, or answered something unexpected. */
  Server: 5,
  /** The server wants a (different) token: 401 or 403. */
  Unauthorized: 6,
  /** `--wait` / `watch` gave up: the instance had not ended within `--timeout`. */
  Timeout: 7,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

/** An error the CLI reports as one line on stderr and a specific exit code. */
export class CliError extends Error {
  override readonly name = 'CliError';
  constructor(
    message: string,
    readonly exitCode: ExitCode,
    /** The API's stable error name (`InstanceNotFoundError`, …) when the server sent one. */
    readonly errorName?: string,
  ) {
    super(message);
  }
}

export function usageError(message: string): CliError {
  return new CliError(message, ExitCode.Usage);
}

/** The exit code for an HTTP error status. */
export function exitCodeForStatus(status: number): ExitCode {
  if (status === 404) return ExitCode.NotFound;
  if (status === 401 || status === 403) return ExitCode.Unauthorized;
  if (status >= 400 && status < 500) return ExitCode.Rejected;
  return ExitCode.Server;
}
