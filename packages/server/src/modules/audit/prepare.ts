import type { Transaction } from 'kysely';
import type { Keyring } from '../../platform/crypto/keyring';
import type { DB } from '../../platform/db/schema';
import type { PreparedEvent } from './append';
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
        searchText: searchTextOf(draft),
      },
    };
  });
  return { events, promote };
}

/** What full-text search matches: names, ids, action, targets and non-personal metadata. */
function searchTextOf(draft: AuditDraft): string {
  const parts: unknown[] = [
    draft.action,
    draft.outcome,
    draft.actor.id,
    draft.actor.name,
    draft.actor.email,
    draft.requestId,
    ...draft.targets.flatMap((t) => [t.type, t.id, t.name]),
  ];
  const personal = new Set(draft.personal);
  for (const [key, value] of Object.entries(draft.metadata ?? {})) {
    if (personal.has(key)) continue;
    parts.push(key, typeof value === 'string' ? value : JSON.stringify(value));
  }
  for (const key of Object.keys(draft.changes ?? {})) parts.push(key);
  return parts
    .filter((p) => p !== null && p !== undefined && p !== '')
    .join(' ')
    .slice(0, 8000);
}
