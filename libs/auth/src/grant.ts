import { isRole, type Role } from './access';

/** A role, for every task hub or for one: `reader`, or `reader@orders` (task hub `orders` only). */
export interface Grant {
  readonly role: Role;
  readonly hub?: string;
}

// As TASK_HUB accepts them.
const hubName = /^[A-Za-z][A-Za-z0-9-]{0,40}$/;

/** `role` or `role@hub`; undefined when the role or the hub name is not one. */
export function parseGrant(text: string): Grant | undefined {
  const at = text.indexOf('@');
  const role = at < 0 ? text : text.slice(0, at);
  if (!isRole(role)) return undefined;
  if (at < 0) return { role };
  const hub = text.slice(at + 1);
  return hubName.test(hub) ? { role, hub } : undefined;
}

/** Whether the grant holds in a process serving `hub` (task hub names compare without case). */
export function holdsIn(grant: Grant, hub: string | undefined): boolean {
  return grant.hub === undefined || (hub !== undefined && grant.hub.toLowerCase() === hub.toLowerCase());
}
