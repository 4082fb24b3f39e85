import { randomUUID } from 'node:crypto';
import type { Clock, IdSource } from '@durable/core';
import type { Logger } from '@durable/engine';

export const systemClock: Clock = { now: () => Date.now() };

export const randomIds: IdSource = { newId: () => randomUUID().replace(/-/g, '') };

/** One JSON line per log entry on stderr; `DURABLE_LOG_LEVEL` picks the minimum level. */
export function consoleLogger(level: 'debug' | 'info' | 'warn' | 'error' = 'info'): Logger {
  const order = ['debug', 'info', 'warn', 'error'];
  const min = order.indexOf(level);
  const write =
    (name: 'debug' | 'info' | 'warn' | 'error') =>
    (message: string, fields?: Record<string, unknown>): void => {
      if (order.indexOf(name) < min) return;
      process.stderr.write(
        `${JSON.stringify({ level: name, time: new Date().toISOString(), message, ...fields })}\n`,
      );
    };
  return { debug: write('debug'), info: write('info'), warn: write('warn'), error: write('error') };
}
