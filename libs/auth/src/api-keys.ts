import { createHash, timingSafeEqual } from 'node:crypto';
import type { Role } from './access';
import { AuthConfigError } from './errors';
import { holdsIn, parseGrant } from './grant';

export interface ApiKeyEntry {
  readonly role: Role;
  /** The one task hub the key's role holds in (`role@hub:key`); absent: every hub. */
  readonly hub?: string;
  /** SHA-256 of the key: the key itself is never kept. */
  readonly hash: Buffer;
}

const hashPrefix = 'sha256:';

export function sha256(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}

/**
 * Parses `role:key` entries, separated by commas or new lines (`#` starts a comment line); a role
 * written `role@hub` holds in that task hub only. A key written `sha256:<64 hex digits>` is the hash
 * of the key, so a key file need not hold the keys.
 */
export function parseApiKeys(text: string, source: string): ApiKeyEntry[] {
  const entries: ApiKeyEntry[] = [];
  for (const [index, raw] of text.split(/[\n,]/).entries()) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const colon = line.indexOf(':');
    const grant = parseGrant(colon < 0 ? '' : line.slice(0, colon).trim());
    const key = colon < 0 ? '' : line.slice(colon + 1).trim();
    // Never echo the entry: it holds a secret.
    const where = `${source}, entry ${index + 1}`;
    if (grant === undefined)
      throw new AuthConfigError(
        `${where}: expected role:key with role reader, contributor, worker or admin (or role@taskhub:key)`,
      );
    const { role } = grant;
    const scope = grant.hub !== undefined ? { hub: grant.hub } : {};
    if (key.startsWith(hashPrefix)) {
      const hex = key.slice(hashPrefix.length);
      if (!/^[0-9a-f]{64}$/i.test(hex))
        throw new AuthConfigError(`${where}: a sha256: key must be 64 hexadecimal digits`);
      entries.push({ role, ...scope, hash: Buffer.from(hex, 'hex') });
    } else {
      if (key.length < 16) throw new AuthConfigError(`${where}: an API key must be at least 16 characters`);
      entries.push({ role, ...scope, hash: sha256(key) });
    }
  }
  return entries;
}

/**
 * The roles a presented key carries in task hub `hub` (empty when it matches none, or only entries of
 * other hubs); compares hashes in constant time.
 */
export function rolesOfApiKey(entries: readonly ApiKeyEntry[], presented: string, hub?: string): Role[] {
  const hash = sha256(presented);
  const granted = new Set<Role>();
  for (const entry of entries)
    if (timingSafeEqual(entry.hash, hash) && holdsIn(entry, hub)) granted.add(entry.role);
  return [...granted];
}

/** Whether a presented key is one of the entries, of any task hub. */
export function isKnownApiKey(entries: readonly ApiKeyEntry[], presented: string): boolean {
  const hash = sha256(presented);
  return entries.some((entry) => timingSafeEqual(entry.hash, hash));
}
