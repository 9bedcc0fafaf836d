import type { EvidenceAccount, SecurityEventEvidence, SecurityEventOut } from '@custos/shared';

/** Ids one audit log link may carry (the search's own limit). */
export const AUDIT_LINK_IDS = 200;

type Linkable = Pick<SecurityEventEvidence, 'auditEventId' | 'seq'>;

/**
 * Whether the attempt is an event of the audit log. A sign-in refused before its password was
 * checked is not stored alone (an `auth.sign_in_throttled` summary counts it): it has no seq.
 */
export function inAuditLog(item: Linkable): boolean {
  return item.seq > 0;
}

/** The audit log showing exactly these audit events (and nothing else); null when none is in the log. */
export function auditLogLink(evidence: readonly Linkable[]): string | null {
  const ids = [...new Set(evidence.filter(inAuditLog).map((e) => e.auditEventId))].slice(0, AUDIT_LINK_IDS);
  if (ids.length === 0) return null;
  return `/audit?${new URLSearchParams({ ids: ids.join(',') }).toString()}`;
}

/** Who the attempt was about, never an e-mail address: a member's name, or "Unknown address". */
export function accountLabel(account: EvidenceAccount | null): string {
  if (!account) return '—';
  if (account.kind === 'unknown_address') return 'Unknown address';
  return account.name ?? `Member ${account.id.slice(0, 8)}`;
}

/** Evidence of one address: its attempts, newest first, and when they began and ended. */
export interface EvidenceGroup {
  /** The IP, or null for attempts that carried none. */
  ip: string | null;
  country: string | null;
  items: SecurityEventEvidence[];
  firstAt: string;
  lastAt: string;
}

/**
 * Evidence grouped by IP, the address with most attempts first (then the earliest); attempts
 * without an IP form a group of their own, last. Each group keeps its own country.
 */
export function groupByIp(evidence: readonly SecurityEventEvidence[]): EvidenceGroup[] {
  const groups = new Map<string | null, EvidenceGroup>();
  for (const item of evidence) {
    const group = groups.get(item.ip);
    if (!group) {
      groups.set(item.ip, {
        ip: item.ip,
        country: item.country,
        items: [item],
        firstAt: item.occurredAt,
        lastAt: item.occurredAt,
      });
      continue;
    }
    group.items.push(item);
    group.country ??= item.country;
    if (item.occurredAt < group.firstAt) group.firstAt = item.occurredAt;
    if (item.occurredAt > group.lastAt) group.lastAt = item.occurredAt;
  }
  return [...groups.values()].sort(
    (a, b) =>
      Number(a.ip === null) - Number(b.ip === null) ||
      b.items.length - a.items.length ||
      a.firstAt.localeCompare(b.firstAt),
  );
}

/** Addresses an event has beyond those the API lists ("+3 more addresses"); 0 when all are listed. */
export function moreSources(event: Pick<SecurityEventOut, 'sources' | 'sourceCount'>): number {
  const listed = event.sources?.length ?? 0;
  return Math.max(0, (event.sourceCount ?? listed) - listed);
}

const regionNames = new Intl.DisplayNames(undefined, { type: 'region' });

/** A country in plain text, name and code ("Russia (RU)"): readable, copyable, no flag glyph. */
export function countryText(country: string | null): string {
  if (!country) return 'Unknown';
  const code = country.toUpperCase();
  let name: string | undefined;
  try {
    name = regionNames.of(code);
  } catch {
    name = undefined;
  }
  return name && name !== code ? `${name} (${code})` : code;
}

/** Addresses the event has besides the one it shows (the list's "+2 more addresses"). */
export function otherSources(event: Pick<SecurityEventOut, 'sourceIp' | 'sourceCount'>): number {
  const count = event.sourceCount ?? 0;
  return Math.max(0, count - (event.sourceIp && count > 0 ? 1 : 0));
}
