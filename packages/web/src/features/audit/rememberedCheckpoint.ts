/**
 * The last signed checkpoint this browser verified, per organization, in localStorage. It is the
 * browser's own memory of the log: the server (or whoever can write its database) cannot change
 * it, so a later log that does not extend it gives a rewrite away.
 */

export interface RememberedCheckpoint {
  /** The signed note, verbatim: what `custos audit verify --checkpoint` reads. */
  note: string;
  treeSize: number;
  /** When this browser verified it (ISO). */
  savedAt: string;
}

const PREFIX = 'custos.audit.checkpoint.';

export const rememberedCheckpointKey = (organizationId: string) => `${PREFIX}${organizationId}`;

/** The stored value, or null when there is none or it is not ours to read. */
export function parseRemembered(text: string | null): RememberedCheckpoint | null {
  if (!text) return null;
  try {
    const value: unknown = JSON.parse(text);
    if (typeof value !== 'object' || value === null) return null;
    const { note, treeSize, savedAt } = value as Record<string, unknown>;
    if (typeof note !== 'string' || typeof savedAt !== 'string') return null;
    if (typeof treeSize !== 'number' || !Number.isSafeInteger(treeSize) || treeSize < 0) return null;
    return { note, treeSize, savedAt };
  } catch {
    return null;
  }
}

export function readRemembered(organizationId: string): RememberedCheckpoint | null {
  try {
    return parseRemembered(localStorage.getItem(rememberedCheckpointKey(organizationId)));
  } catch {
    // Storage switched off (some private modes): the browser simply remembers nothing.
    return null;
  }
}

/** Stores the checkpoint; false when the browser would not keep it. */
export function rememberCheckpoint(organizationId: string, checkpoint: RememberedCheckpoint): boolean {
  try {
    localStorage.setItem(rememberedCheckpointKey(organizationId), JSON.stringify(checkpoint));
    return true;
  } catch {
    // Full or switched-off storage: the next visit checks against the older checkpoint instead.
    return false;
  }
}
