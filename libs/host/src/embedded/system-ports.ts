import { activeTraceIds } from '@durable/telemetry';
import { randomBytes } from 'node:crypto';
import type { Clock, IdSource } from '@durable/core';
import type { Logger } from '@durable/engine';

export const systemClock: Clock = { now: () => Date.now() };

/**
 * UUIDv7 (RFC 9562) as 32 hex digits: a millisecond timestamp, then 74 random bits. Ids made later
 * sort later, so new instances land at the end of the id index instead of on a random page.
 */
export const randomIds: IdSource = {
  newId: () => {
    const bytes = randomBytes(16);
    const ms = Date.now();
    bytes.writeUIntBE(ms, 0, 6);
    bytes[6] = ((bytes[6] ?? 0) & 0x0f) | 0x70;
    bytes[8] = ((bytes[8] ?? 0) & 0x3f) | 0x80;
    return bytes.toString('hex');
  },
};

/** One JSON line per log entry on stderr; `DURABLE_LOG_LEVEL` picks the minimum level. */
export function consoleLogger(level: 'debug' | 'info' | 'warn' | 'error' = 'info'): Logger {
  const order = ['debug', 'info', 'warn', 'error'];
  const min = order.indexOf(level);
  const write =
    (name: 'debug' | 'info' | 'warn' | 'error') =>
    (message: string, fields?: Record<string, unknown>): void => {
      if (order.indexOf(name) < min) return;
      // Inside a span (an activity's run, a start request), the entry names it.
      const ids = activeTraceIds();
      process.stderr.write(
        `${JSON.stringify({ level: name, time: new Date().toISOString(), message, ...fields, ...ids })}\n`,
      );
    };
  return { debug: write('debug'), info: write('info'), warn: write('warn'), error: write('error') };
}
