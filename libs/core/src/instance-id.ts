import { InvalidArgumentError } from './errors';

export const maxInstanceIdLength = 256;

/** Characters Durable Functions forbids in instance ids (they break URLs and storage keys). */
const forbidden = /[/\\#?\u0000-\u001f\u007f-\u009f]/;

/**
 * Throws InvalidArgumentError unless `id` is a valid orchestration instance id: 1 to 256 characters,
 * no `/ \ # ?` or control characters, and no leading `@` (reserved for entity ids `@name@key`).
 */
export function validateInstanceId(id: unknown): asserts id is string {
  const reason = instanceIdProblem(id);
  if (reason !== undefined) throw new InvalidArgumentError(`invalid instance id: ${reason}`);
}

/** The reason `id` is not a valid instance id, or undefined when it is. */
export function instanceIdProblem(id: unknown): string | undefined {
  if (typeof id !== 'string') return 'it must be a string';
  if (id.length === 0) return 'it must not be empty';
  if (id.length > maxInstanceIdLength) return `it must be at most ${maxInstanceIdLength} characters`;
  if (forbidden.test(id)) return "it must not contain '/', '\\', '#', '?' or control characters";
  if (id.startsWith('@')) return "it must not start with '@' (reserved for entity ids)";
  if (id.trim() !== id) return 'it must not start or end with whitespace';
  return undefined;
}
