import { InvalidArgumentError } from 'commander';
import { CliError, ExitCode } from './exit-codes';
import { isTerminal } from './format';
import type { Context } from './context';
import type { InstanceStatus } from './client';

export const runtimeStatuses = [
  'Pending',
  'Running',
  'Completed',
  'ContinuedAsNew',
  'Failed',
  'Canceled',
  'Terminated',
  'Suspended',
] as const;

const byLower = new Map<string, string>(runtimeStatuses.map((s) => [s.toLowerCase(), s]));

/** `--status a,b` (repeatable, any case) into the API's names; commander reports a bad one as a usage error. */
export function statusOption(value: string, previous: string[] = []): string[] {
  const out = [...previous];
  for (const item of value.split(',')) {
    const trimmed = item.trim();
    if (trimmed === '') continue;
    const status = byLower.get(trimmed.toLowerCase());
    if (status === undefined)
      throw new InvalidArgumentError(`'${trimmed}' is not a runtime status (${runtimeStatuses.join(', ')}).`);
    if (!out.includes(status)) out.push(status);
  }
  return out;
}

const relative = /^(\d+)(s|m|h|d)$/;
const unitMs = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

/** An ISO date or date-time, or an age like `30m`, `12h`, `7d` (that long ago); as ISO-8601. */
export function timeOption(value: string, now: () => number = Date.now): string {
  return parseTime(value, now, -1);
}

/** An ISO date or date-time, or a delay like `30s`, `5m` (that long from now); as ISO-8601. */
export function laterTimeOption(value: string, now: () => number = Date.now): string {
  return parseTime(value, now, 1);
}

function parseTime(value: string, now: () => number, direction: 1 | -1): string {
  const span = relative.exec(value);
  if (span !== null)
    return new Date(
      now() + direction * Number(span[1]) * unitMs[span[2] as keyof typeof unitMs],
    ).toISOString();
  if (!/^\d{4}-\d{2}-\d{2}/.test(value) || Number.isNaN(Date.parse(value)))
    throw new InvalidArgumentError(
      `'${value}' is not an ISO-8601 date or date-time, nor a span like 30s, 15m, 12h, 7d.`,
    );
  // A time without an offset is UTC, as the server reads it (Date.parse would take local time).
  const utc = /T\d{2}:\d{2}(:\d{2}(\.\d+)?)?$/.test(value) ? `${value}Z` : value;
  return new Date(Date.parse(utc)).toISOString();
}

// As the server accepts them: Kafka topics and Cosmos containers are named after the hub.
const taskHubName = /^[A-Za-z][A-Za-z0-9-]{0,40}$/;

/** A task hub name: letters, digits and dashes (up to 41), starting with a letter. */
export function taskHubOption(value: string): string {
  if (!taskHubName.test(value))
    throw new InvalidArgumentError(
      `'${value}' is not a task hub name (letters, digits and dashes, up to 41, starting with a letter).`,
    );
  return value;
}

export function positiveIntOption(value: string): number {
  const n = /^\d+$/.test(value) ? Number(value) : NaN;
  if (!Number.isSafeInteger(n) || n < 1)
    throw new InvalidArgumentError(`'${value}' is not a positive integer.`);
  return n;
}

export function secondsOption(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n <= 0)
    throw new InvalidArgumentError(`'${value}' is not a positive number of seconds.`);
  return n;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Polls the status until the instance ends, calling `onChange` whenever its status or custom
 * status changes; a CliError (exit code Timeout) after `timeoutSeconds`.
 */
export async function pollUntilDone(
  ctx: Context,
  instanceId: string,
  options: { intervalMs: number; timeoutSeconds?: number; history?: boolean },
  onChange: (status: InstanceStatus) => void = () => undefined,
): Promise<InstanceStatus> {
  const deadline =
    options.timeoutSeconds !== undefined ? Date.now() + options.timeoutSeconds * 1000 : Infinity;
  let last = '';
  for (;;) {
    const status = await ctx.client.status(instanceId);
    const seen = `${status.runtimeStatus}\u0000${JSON.stringify(status.customStatus)}`;
    if (seen !== last) {
      last = seen;
      onChange(status);
    }
    if (isTerminal(status.runtimeStatus))
      return options.history === true ? ctx.client.status(instanceId, true) : status;
    if (Date.now() >= deadline)
      throw new CliError(
        `${instanceId} is still ${status.runtimeStatus} after ${options.timeoutSeconds} s`,
        ExitCode.Timeout,
      );
    await sleep(options.intervalMs);
  }
}

/** The exit code for how an instance ended: 0 completed, 1 failed, terminated or canceled. */
export function outcomeCode(status: InstanceStatus): ExitCode {
  return status.runtimeStatus === 'Completed' ? ExitCode.Ok : ExitCode.Failed;
}
