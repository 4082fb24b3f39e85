// Orchestration versioning as the Durable Task SDKs define it (`VersioningOptions` of durabletask-js
// and -dotnet): an instance's version is fixed at start; a worker runs only the versions its match
// strategy accepts, and either leaves the others for another worker (Reject) or fails them (Fail).
import type { FailureDetails } from '@durable/core';

export const VersionMatchStrategy = {
  /** Every version runs here. */
  None: 'None',
  /** Only the worker's own version. */
  Strict: 'Strict',
  /** The worker's version and older ones (no version counts as oldest). */
  CurrentOrOlder: 'CurrentOrOlder',
} as const;
export type VersionMatchStrategy = (typeof VersionMatchStrategy)[keyof typeof VersionMatchStrategy];

export const VersionFailureStrategy = {
  /** The work waits for a worker whose version matches (the instance is parked and retried). */
  Reject: 'Reject',
  /** The instance fails with a VersionMismatch error. */
  Fail: 'Fail',
} as const;
export type VersionFailureStrategy = (typeof VersionFailureStrategy)[keyof typeof VersionFailureStrategy];

export interface VersioningOptions {
  /** This worker's version. Unset: every version runs here, whatever the strategy. */
  readonly version?: string;
  /** The version of sub-orchestrations started without one. */
  readonly defaultVersion?: string;
  /** Default None. */
  readonly matchStrategy?: VersionMatchStrategy;
  /** Default Reject. */
  readonly failureStrategy?: VersionFailureStrategy;
}

const semantic = /^(\d+)(?:\.(\d+))?(?:\.(\d+))?(?:\.(\d+))?$/;

/**
 * Orders two versions: negative when `a` is older, 0 when equal, positive when newer. Up to four
 * numeric components compare as numbers ("1.10" > "1.9", "1" == "1.0.0"); other strings compare
 * ordinally ignoring case; no version (undefined or blank) is older than any version.
 */
export function compareVersions(a: string | undefined, b: string | undefined): number {
  const aEmpty = a === undefined || a.trim() === '';
  const bEmpty = b === undefined || b.trim() === '';
  if (aEmpty || bEmpty) return aEmpty && bEmpty ? 0 : aEmpty ? -1 : 1;
  const sa = semantic.exec(a);
  const sb = semantic.exec(b);
  if (sa !== null && sb !== null) {
    for (let i = 1; i <= 4; i++) {
      const d = Number(sa[i] ?? 0) - Number(sb[i] ?? 0);
      if (d !== 0) return d;
    }
    return 0;
  }
  const la = a.toLowerCase();
  const lb = b.toLowerCase();
  return la < lb ? -1 : la > lb ? 1 : 0;
}

/** Why a worker does not run an instance of `version`, and what it does instead. */
export interface VersionMismatch {
  readonly failureStrategy: VersionFailureStrategy;
  readonly failureDetails: FailureDetails;
}

/** Undefined when a worker with `options` runs an instance started with `version`. */
export function versionMismatch(
  options: VersioningOptions | undefined,
  version: string | undefined,
): VersionMismatch | undefined {
  const strategy = options?.matchStrategy ?? VersionMatchStrategy.None;
  const own = options?.version;
  if (strategy === VersionMatchStrategy.None || own === undefined || own.trim() === '') return undefined;
  let errorMessage: string | undefined;
  if (strategy === VersionMatchStrategy.Strict) {
    if (compareVersions(version, own) !== 0)
      errorMessage = `The orchestration version '${version ?? ''}' does not match the worker version '${own}'.`;
  } else if (compareVersions(version, own) > 0) {
    errorMessage = `The orchestration version '${version ?? ''}' is greater than the worker version '${own}'.`;
  }
  if (errorMessage === undefined) return undefined;
  return {
    failureStrategy: options?.failureStrategy ?? VersionFailureStrategy.Reject,
    failureDetails: { errorType: 'VersionMismatch', errorMessage, isNonRetriable: true },
  };
}
