import type { Logger } from '@durable/engine';
import { RetentionSweeper, type RetentionControl, type RetentionSettings } from '@durable/retention';
import type { StateStore } from '@durable/storage';
import { systemClock } from '../embedded/system-ports';

/** Retention running in the background: a sweep every interval, never two at once. */
export interface RetentionLoop extends RetentionControl {
  /** Waits for the sweep in progress; call it before closing the store. */
  stop(): Promise<void>;
}

export function startRetention(
  store: StateStore,
  settings: RetentionSettings,
  logger: Logger,
): RetentionLoop {
  const sweeper = new RetentionSweeper(store, systemClock, settings);
  let stopped = false;
  let current: Promise<unknown> = Promise.resolve();
  let timer: NodeJS.Timeout | undefined;
  const schedule = (): void => {
    timer = setTimeout(() => {
      current = sweeper
        .sweep()
        .then((result) => {
          if (result.total > 0)
            logger.info('retention purged finished instances', { ...result.purged, limited: result.limited });
        })
        .catch((error: unknown) =>
          logger.warn('retention sweep failed; retrying next interval', { error: String(error) }),
        )
        .finally(() => {
          if (!stopped) schedule();
        });
    }, settings.intervalMs);
    // The loop alone does not keep a process alive.
    timer.unref();
  };
  schedule();
  return {
    state: () => sweeper.state(),
    sweep: () => {
      const run = sweeper.sweep();
      current = run.catch(() => undefined);
      return run;
    },
    stop: async () => {
      stopped = true;
      clearTimeout(timer);
      await current.catch(() => undefined);
    },
  };
}
