/** Wall-clock time, injected so that pure code and tests never read the real clock. */
export interface Clock {
  /** Milliseconds since the Unix epoch. */
  now(): number;
}

/** Source of unique ids (execution ids, instance ids), injected for the same reason. */
export interface IdSource {
  newId(): string;
}
