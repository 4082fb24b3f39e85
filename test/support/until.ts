// Polls until a condition holds, for tests that watch a product running in other processes.

export interface UntilOptions {
  /** Default 30 s. */
  readonly timeoutMs?: number;
  /** Default 200 ms. */
  readonly intervalMs?: number;
  /** Named in the error when time runs out. */
  readonly what?: string;
  /** More to print when time runs out (the processes' logs, say). */
  readonly context?: () => string;
  /** A read that throws counts as not yet (a process restarting), instead of failing the test. */
  readonly retryErrors?: boolean;
}

/** Reads until `ok` accepts the value, and returns it; throws with the last value when time runs out. */
export async function until<T>(
  read: () => Promise<T>,
  ok: (value: T) => boolean,
  options: UntilOptions = {},
): Promise<T> {
  const deadline = Date.now() + (options.timeoutMs ?? 30_000);
  for (;;) {
    let value: T | undefined;
    let done = false;
    try {
      value = await read();
      done = true;
    } catch (error) {
      if (options.retryErrors !== true) throw error;
    }
    if (done && ok(value as T)) return value as T;
    if (Date.now() > deadline) {
      const context = options.context?.() ?? '';
      throw new Error(
        `${options.what ?? 'condition'} not met in time; last: ${JSON.stringify(value)}${context === '' ? '' : `\n${context}`}`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, options.intervalMs ?? 200));
  }
}
