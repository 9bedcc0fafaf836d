import { nowIso } from '../clock';
import type { Executor } from '../db/executor';

/** The keyring's table, `crypto_keys`: wrapped data keys (subject keys) and key-encryption keys (scope keys). */

export interface NewKey {
  id: string;
  scope: string;
  purpose: 'scope' | 'subject';
  subject: string | null;
  wrapped: string;
  createdAt: string;
}

export async function liveScopeKey(db: Executor, scope: string) {
  return db
    .selectFrom('cryptoKeys')
    .select(['id', 'wrapped'])
    .where('scope', '=', scope)
    .where('purpose', '=', 'scope')
    .where('destroyedAt', 'is', null)
    .executeTakeFirst();
}

export async function liveSubjectKeys(db: Executor, scope: string, subjects: string[]) {
  return db
    .selectFrom('cryptoKeys')
    .select(['id', 'subject', 'wrapped'])
    .where('scope', '=', scope)
    .where('purpose', '=', 'subject')
    .where('subject', 'in', subjects)
    .where('destroyedAt', 'is', null)
    .execute();
}

export async function liveKeysById(db: Executor, scope: string, ids: string[]) {
  return db
    .selectFrom('cryptoKeys')
    .select(['id', 'subject', 'wrapped'])
    .where('scope', '=', scope)
    .where('id', 'in', ids)
    .where('destroyedAt', 'is', null)
    .execute();
}

/** Inserts keys; one whose live slot another writer took meanwhile is skipped. Answers the ids written. */
export async function insertKeys(db: Executor, rows: NewKey[]): Promise<Array<{ id: string }>> {
  return db
    .insertInto('cryptoKeys')
    .values(rows.map((row) => ({ ...row, destroyedAt: null })))
    .onConflict((oc) => oc.doNothing())
    .returning('id')
    .execute();
}

/** Destroys a subject's live keys: the wrapped bytes are deleted, not just flagged. */
export async function destroySubjectKeys(db: Executor, scope: string, subject: string) {
  return db
    .updateTable('cryptoKeys')
    .set({ wrapped: null, destroyedAt: nowIso() })
    .where('scope', '=', scope)
    .where('purpose', '=', 'subject')
    .where('subject', '=', subject)
    .where('destroyedAt', 'is', null)
    .returning('id')
    .execute();
}
