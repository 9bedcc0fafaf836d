import type { AuditEventOut } from '@custos/shared';
import type { Keyring } from '../../platform/crypto/keyring';
import type { Executor } from '../../platform/db/executor';
import { presentRows } from './present';
import { eventsOfSubject } from './search-store';
import * as store from './store';

/** How many of a subject's events one access answer carries (newest first). */
export const SUBJECT_EVENTS_LIMIT = 10_000;

/**
 * The audit trail's port for data subject requests (privacy's built-in system): the events a
 * subject is named in, decrypted, and crypto-shredding of their keys. `refs` are keyring subject
 * references (`user:<id>`, `email:<address>`, `subject:<host id>`); `userIds` the member's ids as actor.
 */
export function createSubjectData(keyring: Keyring) {
  return {
    async events(
      db: Executor,
      organizationId: string,
      subject: { refs: string[]; userIds: string[] },
    ): Promise<AuditEventOut[]> {
      const ids = subject.refs.map((ref) => keyring.subjectId(ref));
      const rows = await eventsOfSubject(db, organizationId, ids, subject.userIds, SUBJECT_EVENTS_LIMIT);
      return presentRows(
        db,
        keyring,
        organizationId,
        rows.map((r) => ({ ...r, seq: Number(r.seq) })),
      );
    },

    /**
     * Destroys the subject's keys and wipes the plaintext search projections of their events
     * (the same as audit's erase-subject); the sealed bodies stay, so every proof still verifies.
     */
    async shred(
      trx: Executor,
      organizationId: string,
      subject: { refs: string[]; userIds: string[] },
    ): Promise<{ keyIds: string[]; keysDestroyed: number; eventsAffected: number }> {
      const keyIds = [...new Set(subject.refs)].map((ref) => keyring.subjectId(ref));
      let keysDestroyed = 0;
      for (const id of keyIds) keysDestroyed += await keyring.destroySubjectKey(trx, organizationId, id);
      const eventsAffected = await store.wipeSubjectProjections(trx, organizationId, keyIds, subject.userIds);
      return { keyIds, keysDestroyed, eventsAffected };
    },
  };
}

export type SubjectData = ReturnType<typeof createSubjectData>;
