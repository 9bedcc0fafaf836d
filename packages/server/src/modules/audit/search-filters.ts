import type { AuditSearchQuery } from '@custos/shared';
import type { Keyring } from '../../platform/crypto/keyring';
import type { Executor } from '../../platform/db/executor';
import type { OrganizationCaller } from '../../platform/http/caller';
import { identity } from '../identity';
import { blindIndexKey, emailToken } from './blind-index';
import { actorRefOf } from './recorder';
import type { SearchFilters } from './search-store';
import { parseFullText } from './search-text';

/** How many members one search's text may name (by e-mail, or a part of their name). */
const NAMED_USERS_LIMIT = 20;

/**
 * The filters as the search store runs them for this caller: whose reads `hideOwnReads` leaves out,
 * which members of the caller's organization (never another's) the full text names, and the
 * organization's blind-index token of each e-mail typed.
 */
export async function resolveSearchFilters(
  db: Executor,
  keyring: Keyring,
  caller: OrganizationCaller,
  query: AuditSearchQuery,
): Promise<SearchFilters> {
  const filters: SearchFilters = { ...query };
  if (query.hideOwnReads === 'true') filters.readsHiddenOf = actorRefOf(caller);
  const text = query.q ? parseFullText(query.q) : null;
  const emails = text?.words.flatMap((w) => (w.exact ? [w.exact] : [])) ?? [];
  if (emails.length > 0) {
    const key = blindIndexKey(keyring, caller.organizationId);
    filters.emailTokens = Object.fromEntries(emails.map((email) => [email, emailToken(key, email)]));
  }
  const person = text?.person ?? null;
  if (person) {
    const ids = await identity.findMemberIds(db, caller.organizationId, person, NAMED_USERS_LIMIT);
    if (ids.length > 0) filters.namedUsers = ids;
  }
  return filters;
}
