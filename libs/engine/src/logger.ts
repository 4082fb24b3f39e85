/** Where orchestration and activity logs go; hosts plug in their own. */
export interface Logger {
  debug(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

export const silentLogger: Logger = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
};

/** A logger that writes only when the orchestrator is not replaying, so each line appears once. */
export function replaySafeLogger(
  inner: Logger,
  isReplaying: () => boolean,
  fields: Record<string, unknown>,
): Logger {
  const write =
    (level: keyof Logger) =>
    (message: string, extra?: Record<string, unknown>): void => {
      if (!isReplaying()) inner[level](message, extra === undefined ? fields : { ...fields, ...extra });
    };
  return { debug: write('debug'), info: write('info'), warn: write('warn'), error: write('error') };
}
