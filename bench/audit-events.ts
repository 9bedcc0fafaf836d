/**
 * The events the audit benchmarks write: what a host app sends over HTTP, and the synthetic trail of
 * the search data set. Everything is drawn from a seeded generator, so the queries can be drawn from
 * the same actors, actions and words the data holds.
 */
import type { AuditDraft } from '../packages/server/src/modules/audit/seal';

/** Mulberry32: small, fast, seeded. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

export type Random = () => number;
const pick = <T>(random: Random, items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;

/** Skewed choice of 0..n-1: a few values are common, most are rare (as actors and words are). */
function skewed(random: Random, n: number): number {
  return Math.min(n - 1, Math.floor(n * random() ** 3));
}

const SYLLABLES = [
  'ka',
  'lo',
  'mi',
  'ren',
  'tu',
  'sa',
  'vel',
  'dor',
  'qui',
  'ba',
  'nex',
  'or',
  'pha',
  'zu',
  'gri',
  'tem',
  'yo',
  'fen',
  'hal',
  'wi',
];

/** Pronounceable, distinct pseudo-words ("kalomi", "renturen", …): the full-text vocabulary (of 8,400 possible). */
export const VOCABULARY: readonly string[] = (() => {
  const words = new Set<string>();
  const random = rng(7);
  while (words.size < 3000) {
    const n = 2 + Math.floor(random() * 2);
    words.add(Array.from({ length: n }, () => pick(random, SYLLABLES)).join(''));
  }
  return [...words];
})();

/** Domains and their verbs; the first verbs of a domain are the common ones. */
export const ACTIONS: Readonly<Record<string, readonly string[]>> = {
  document: ['viewed', 'updated', 'created', 'shared', 'deleted', 'restored'],
  user: ['signed_in', 'signed_out', 'updated', 'password_changed', 'mfa_enabled'],
  project: ['viewed', 'updated', 'created', 'archived'],
  invoice: ['viewed', 'created', 'paid', 'voided'],
  member: ['invited', 'joined', 'role_changed', 'removed'],
  api_key: ['used', 'created', 'revoked'],
  report: ['exported', 'scheduled'],
  webhook: ['delivered', 'failed', 'created'],
};
export const DOMAINS = Object.keys(ACTIONS);
/** Domain frequencies, most common first (document and user events dominate real trails). */
const DOMAIN_WEIGHTS = [0.34, 0.24, 0.12, 0.08, 0.06, 0.06, 0.05, 0.05];

function domainOf(random: Random): string {
  let r = random();
  for (const [i, weight] of DOMAIN_WEIGHTS.entries()) {
    r -= weight;
    if (r < 0) return DOMAINS[i] as string;
  }
  return DOMAINS[0] as string;
}

export function actorId(n: number): string {
  return `usr_${n.toString().padStart(6, '0')}`;
}

/** Actors per organization: one per ~120 events, at least 50. */
export function actorCount(events: number): number {
  return Math.max(50, Math.round(events / 120));
}

function sentence(random: Random, words: number): string {
  return Array.from({ length: words }, () => VOCABULARY[skewed(random, VOCABULARY.length)]).join(' ');
}

function ipOf(n: number): string {
  return `10.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}`;
}

/** One event as a host app sends it to POST /api/v1/audit/events(/batch). */
export function hostEvent(i: number): Record<string, unknown> {
  const random = rng(1000 + i);
  const domain = domainOf(random);
  const user = i % 50;
  return {
    action: `${domain}.${pick(random, ACTIONS[domain] as readonly string[])}`,
    actor: {
      type: 'user',
      id: `host-user-${user}`,
      name: `Person ${user}`,
      email: `person.${user}@example.com`,
      ip: ipOf(user + 1),
      userAgent: 'Mozilla/5.0 (X11; Linux x86_64) Bench/1.0',
    },
    targets: [{ type: domain, id: `${domain}-${i % 997}`, name: sentence(random, 2) }],
    requestId: `req-${i}`,
    metadata: {
      note: sentence(random, 4),
      plan: pick(random, ['free', 'team', 'enterprise']),
      phone: '+44 20 7946 0000',
    },
    personal: ['phone'],
  };
}

export interface DatasetOrg {
  id: string;
  events: number;
}

const DAY_MS = 86_400_000;
/** The data set's events span this year, oldest first. */
export const DATASET_START = Date.parse('2025-01-01T00:00:00.000Z');
export const DATASET_DAYS = 365;

/** Draft `i` (0-based) of an organization holding `total` events: what ingestion would have built. */
export function datasetDraft(random: Random, id: string, org: DatasetOrg, i: number): AuditDraft {
  const domain = domainOf(random);
  const verbs = ACTIONS[domain] as readonly string[];
  const actor = skewed(random, actorCount(org.events));
  const occurred = DATASET_START + ((i + random()) / org.events) * DATASET_DAYS * DAY_MS;
  const outcome = random() < 0.04 ? 'failure' : random() < 0.02 ? 'denied' : 'success';
  return {
    id,
    organizationId: org.id,
    occurredAt: new Date(occurred).toISOString(),
    receivedAt: new Date(occurred + 1500).toISOString(),
    actor: {
      type: 'user',
      id: actorId(actor),
      name: `Person ${actor}`,
      email: `person.${actor}@example.com`,
      ip: ipOf(actor + 1),
      userAgent: 'Mozilla/5.0 (X11; Linux x86_64) Bench/1.0',
    },
    impersonator: null,
    action: `${domain}.${verbs[skewed(random, verbs.length)]}`,
    outcome,
    targets: [{ type: domain, id: `${domain}-${skewed(random, 20_000)}`, name: sentence(random, 2) }],
    source: 'sdk',
    requestId: `req-${org.id.slice(-6)}-${i}`,
    changes: null,
    metadata: { note: sentence(random, 5), plan: pick(random, ['free', 'team', 'enterprise']) },
    personal: [],
    subjectRef: null,
  };
}
