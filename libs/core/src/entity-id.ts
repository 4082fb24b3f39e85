import { InvalidArgumentError } from './errors';
import { maxInstanceIdLength } from './instance-id';

/** A durable entity's identity: its (case-insensitive) name and its key. */
export interface EntityId {
  readonly name: string;
  readonly key: string;
}

const control = /[\u0000-\u001f\u007f-\u009f]/;

/** The reason `(name, key)` is not a valid entity id, or undefined when it is. */
export function entityIdProblem(name: unknown, key: unknown): string | undefined {
  if (typeof name !== 'string' || name === '') return 'the entity name must be a non-empty string';
  if (name.includes('@')) return "the entity name must not contain '@'";
  if (/[/\\#?]/.test(name) || control.test(name))
    return "the entity name must not contain '/', '\\', '#', '?' or control characters";
  if (typeof key !== 'string' || key === '') return 'the entity key must be a non-empty string';
  if (control.test(key)) return 'the entity key must not contain control characters';
  if (name.length + key.length + 2 > maxInstanceIdLength)
    return `the entity id must be at most ${maxInstanceIdLength} characters in all`;
  return undefined;
}

/** Validates and normalises an entity id: names are case-insensitive and stored in lower case. */
export function entityId(name: string, key: string): EntityId {
  const problem = entityIdProblem(name, key);
  if (problem !== undefined) throw new InvalidArgumentError(`invalid entity id: ${problem}`);
  return { name: name.toLowerCase(), key };
}

/** The instance id an entity is stored and routed under: `@name@key`, as in Durable Functions. */
export function entityInstanceId(id: EntityId): string {
  const { name, key } = entityId(id.name, id.key);
  return `@${name}@${key}`;
}

export function isEntityInstanceId(instanceId: string): boolean {
  return instanceId.startsWith('@');
}

/** The entity id of an `@name@key` instance id; throws InvalidArgumentError for anything else. */
export function parseEntityInstanceId(instanceId: string): EntityId {
  const at = instanceId.indexOf('@', 1);
  if (!instanceId.startsWith('@') || at < 0)
    throw new InvalidArgumentError(`'${instanceId}' is not an entity instance id (@name@key)`);
  return entityId(instanceId.slice(1, at), instanceId.slice(at + 1));
}
