import { createHmac } from 'node:crypto';
import type { Transaction } from 'kysely';
import { type Keyring, open, seal, sealedKeyId } from '../../platform/crypto/keyring';
import { afterCommit } from '../../platform/db/after-commit';
import type { Executor } from '../../platform/db/executor';
import type { DB } from '../../platform/db/schema';

/**
 * A request's personal fields are sealed under the data subject's keyring key in the organization's
 * scope, named by the same subject references the audit trail uses (`subject:<host id>`, or
 * `email:<address>`), so erasing the subject destroys one key and wipes both. Lookups by e-mail
 * (duplicates, the public page) use a keyed blind index, never the address.
 */
export function createSubjectSeal(keyring: Keyring) {
  const indexKey = keyring.derivedKey('privacy e-mail index');
  const context = (requestId: string, field: string) => `privacy_request|${requestId}|${field}`;

  return {
    /** The reference a subject's key is named by: the host app's id when given, else the address. */
    subjectRef(input: { subjectRef?: string | undefined; email?: string | undefined }): string {
      if (input.subjectRef) return `subject:${input.subjectRef}`;
      return `email:${(input.email ?? '').toLowerCase()}`;
    },

    subjectKey: (ref: string) => keyring.subjectId(ref),

    emailIndex(organizationId: string, email: string): string {
      return createHmac('sha256', indexKey)
        .update(`${organizationId}\u0000${email.toLowerCase()}`)
        .digest('hex')
        .slice(0, 48);
    },

    /** Seals the given fields inside `trx` (creating the subject's key when missing). */
    async sealFields<K extends string>(
      trx: Transaction<DB>,
      organizationId: string,
      subjectKey: string,
      requestId: string,
      fields: Record<K, string | undefined>,
    ): Promise<Record<K, string | null>> {
      const { keys, promote } = await keyring.dataKeysFor(trx, organizationId, [subjectKey]);
      const key = keys.get(subjectKey);
      if (!key) throw new Error('privacy: no data key for the subject');
      await afterCommit(trx, promote);
      const out = {} as Record<K, string | null>;
      for (const [name, value] of Object.entries(fields) as [K, string | undefined][]) {
        out[name] = value === undefined ? null : seal(key, value, context(requestId, name));
      }
      return out;
    },

    /** Opens sealed fields of many requests at once; a destroyed key (erased subject) opens to null. */
    async opener(db: Executor, organizationId: string, sealed: (string | null)[]) {
      const ids = sealed.filter((s): s is string => s !== null).map(sealedKeyId);
      const keys = await keyring.liveKeys(db, organizationId, ids);
      return (requestId: string, field: string, value: string | null): string | null =>
        value === null ? null : open(keys.get(sealedKeyId(value)), value, context(requestId, field));
    },
  };
}

export type SubjectSeal = ReturnType<typeof createSubjectSeal>;
