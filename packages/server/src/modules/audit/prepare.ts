import type { Transaction } from 'kysely';
import type { Keyring } from '../../platform/crypto/keyring';
import type { DB } from '../../platform/db/schema';
import type { PreparedEvent } from './append';
import { blindIndexKey, emailTokens, normalizeEmail } from './blind-index';
import { ipKey } from './ip';
import { type AuditDraft, actorSubjectRef, sealDraft, subjectRefsOf } from './seal';

/**
 * Seals drafts bound for one log (creating subject keys inside `trx` when needed) and derives their
 * search projections. `promote` tells the keyring the keys are committed; call it after commit.
 */
export async function prepareDrafts(
  keyring: Keyring,
  trx: Transaction<DB>,
  logId: string,
  drafts: AuditDraft[],
): Promise<{ events: PreparedEvent[]; promote: () => void }> {
  const refs = new Set(drafts.flatMap(subjectRefsOf));
  const idOf = new Map([...refs].map((ref) => [ref, keyring.subjectId(ref)]));
  const { keys, promote } = await keyring.dataKeysFor(trx, logId, [...idOf.values()]);
  const keyFor = (ref: string) => {
    const key = keys.get(idOf.get(ref) ?? '');
    if (!key) throw new Error('audit: no data key for a subject');
    return key;
  };
  const indexKey = blindIndexKey(keyring, logId);
  const events = drafts.map((draft) => {
    const subjectRef =
      draft.personal.length > 0
        ? (draft.subjectRef ?? actorSubjectRef(draft.actor))
        : actorSubjectRef(draft.actor);
    return {
      body: sealDraft(draft, keyFor),
      projections: {
        actorIpKey: draft.actor.ip ? ipKey(draft.actor.ip) : null,
        dataSubject: subjectRef ? (idOf.get(subjectRef) ?? null) : null,
        searchText: searchTextOf(draft, indexKey),
      },
    };
  });
  return { events, promote };
}

/**
 * What full-text search matches: names, ids, action, targets and non-personal metadata. E-mails of
 * the actor (sealed, or used as its id) and any inside fields flagged personal go in only as
 * blind-index tokens (blind-index.ts), never as plaintext.
 */
function searchTextOf(draft: AuditDraft, indexKey: Buffer): string {
  const idIsEmail = draft.actor.id ? normalizeEmail(draft.actor.id) !== null : false;
  const personal = new Set(draft.personal);
  const sealedValues: unknown[] = [draft.actor.email, idIsEmail ? draft.actor.id : null];
  const parts: unknown[] = [
    draft.action,
    draft.outcome,
    idIsEmail ? null : draft.actor.id,
    draft.actor.name,
    draft.requestId,
    ...draft.targets.flatMap((t) => [t.type, t.id, t.name]),
  ];
  for (const [key, value] of Object.entries(draft.metadata ?? {})) {
    if (personal.has(key)) sealedValues.push(value);
    else parts.push(key, typeof value === 'string' ? value : JSON.stringify(value));
  }
  for (const [key, pair] of Object.entries(draft.changes ?? {})) {
    parts.push(key);
    if (personal.has(`changes.${key}`)) sealedValues.push(...pair);
  }
  // Tokens first: the text is cut at 8000 characters, and they are what an e-mail search needs.
  return [...emailTokens(indexKey, sealedValues), ...parts]
    .filter((p) => p !== null && p !== undefined && p !== '')
    .join(' ')
    .slice(0, 8000);
}
