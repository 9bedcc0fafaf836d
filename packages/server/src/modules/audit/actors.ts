import type { AuditActorSuggestion } from '@custos/shared';
import type { Executor } from '../../platform/db/executor';
import { authorize, type Caller } from '../../platform/http/caller';
import { apiKeyPorts } from '../apikeys/ports';
import { identity } from '../identity';
import { actorsStartingWith } from './actors-store';

/**
 * The actor filter's people picker: who in the caller's organization the typed text may mean —
 * members by name, e-mail or id; API keys by name or id; and actor ids host apps sent to its log.
 * Never another organization's: every source is read with the caller's organization.
 *
 * Not recorded in the trail: the console asks at each keystroke, and it answers only names the
 * reader can already see in the events (a search that uses a suggestion is recorded as usual).
 */
export async function suggestActors(
  db: Executor,
  caller: Caller,
  query: { q: string; limit: number },
): Promise<AuditActorSuggestion[]> {
  const c = authorize(caller, 'audit:read');
  const { q, limit } = query;
  const lower = q.toLowerCase();
  const [members, keys, seen] = await Promise.all([
    identity.suggestMembers(db, c.organizationId, q, limit),
    apiKeyPorts.listKeys(db, c.organizationId),
    seenActors(db, c.organizationId, q, limit),
  ]);
  const startsWord = (name: string) =>
    name.toLowerCase().startsWith(lower) || name.toLowerCase().includes(` ${lower}`);
  const suggestions: AuditActorSuggestion[] = [
    ...members.map((m) => ({
      type: 'user',
      id: m.id,
      name: m.name,
      email: m.email,
      kind: 'member' as const,
    })),
    ...keys
      .filter((k) => k.id === q || startsWord(k.name))
      .map((k) => ({ type: 'api_key', id: k.id, name: k.name, email: null, kind: 'api_key' as const })),
    ...seen.map((a) => ({ ...a, name: null, email: null, kind: 'actor' as const })),
  ];
  // A member or key the log also names as an actor is suggested once, as the member or key.
  const listed = new Set<string>();
  return suggestions
    .filter((s) => {
      const key = `${s.type}|${s.id}`;
      if (listed.has(key)) return false;
      listed.add(key);
      return true;
    })
    .slice(0, limit);
}

/** Actor ids in the log starting with the text as typed, or in lower case (e-mails usually are). */
async function seenActors(db: Executor, logId: string, q: string, limit: number) {
  const found = await actorsStartingWith(db, logId, q, limit);
  const lower = q.toLowerCase();
  if (lower === q || found.length >= limit) return found;
  return [...found, ...(await actorsStartingWith(db, logId, lower, limit - found.length))];
}
