/**
 * Issue 15's reproduction, shared by the integration test (modules/audit/search-plans.int.test.ts)
 * and the benchmark (bench/audit-plans.ts): host-app events with targets of type `doc` and IPs of
 * both families, and every shape of `GET /api/v1/audit/events` worth planning.
 */

const DAY_MS = 86_400_000;

/** Mulberry32: the same events on every run. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

const DOMAINS = ['document', 'user', 'project', 'invoice', 'member', 'report'];
const TARGET_TYPES = ['doc', 'project', 'user', 'invoice', 'folder'];
const WORDS = ['alpha', 'bravo', 'charlie', 'delta', 'echo', 'foxtrot', 'golf', 'hotel'];

/**
 * `count` events as a host app sends them to POST /api/v1/audit/events/batch, from `now` back 90
 * days: six domains, 300 actors (a few busy ones), 0–2 targets of five types, IPv4 from a few
 * networks, IPv6 and no IP, mostly successes.
 */
export function hostEvents(count: number, now: number, seed = 15): Record<string, unknown>[] {
  const random = rng(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
  const ipOf = (i: number): string | undefined => {
    const r = random();
    if (r < 0.1) return undefined;
    if (r < 0.25) return `2001:db8::${(i % 300).toString(16)}`;
    if (r < 0.6) return `203.0.113.${i % 200}`;
    return `10.${i % 7}.${(i >> 3) % 250}.${i % 250}`;
  };
  return Array.from({ length: count }, (_, i) => {
    const ip = ipOf(i);
    return {
      action: `${pick(DOMAINS)}.${pick(['viewed', 'updated', 'created', 'deleted'])}`,
      occurredAt: new Date(now - Math.floor(random() * 90 * DAY_MS)).toISOString(),
      actor: {
        type: 'user',
        id: `actor-${Math.floor(random() ** 2 * 300)}`,
        name: `Person ${i % 300}`,
        ...(ip ? { ip } : {}),
      },
      outcome: random() < 0.05 ? 'failure' : random() < 0.03 ? 'denied' : 'success',
      source: pick(['api', 'sdk', 'console']),
      targets: Array.from({ length: Math.floor(random() * 3) }, () => ({
        type: pick(TARGET_TYPES),
        id: `t-${Math.floor(random() * 2000)}`,
      })),
      metadata: { note: `${pick(WORDS)} ${pick(WORDS)} ${pick(WORDS)}` },
    };
  });
}

export type SearchShape = Record<string, string>;

/** Each filter of AuditSearchQuery with the values worth trying (CIDRs wide and narrow, both families). */
function filterValues(now: number): Record<string, SearchShape[]> {
  return {
    since: [{ since: '7d' }],
    range: [
      { from: new Date(now - 30 * DAY_MS).toISOString(), to: new Date(now - 20 * DAY_MS).toISOString() },
    ],
    actor: [{ actor: 'actor-3' }],
    action: [{ action: 'document.viewed' }, { action: 'document.*' }],
    targetType: [{ targetType: 'doc' }],
    targetId: [{ targetId: 't-17' }],
    outcome: [{ outcome: 'failure' }],
    ip: [{ ip: '0.0.0.0/0' }, { ip: '203.0.113.0/24' }, { ip: '203.0.113.7' }, { ip: '::/0' }],
    source: [{ source: 'api' }],
    q: [{ q: 'alpha' }],
  };
}

/**
 * No filter, every filter alone, every pair, every triple with a target type (the shape that went
 * bad: a probe per candidate row that the planner turned into a rescan of the type), and all
 * filters at once: 171 searches.
 */
export function searchShapes(now: number): SearchShape[] {
  const values = filterValues(now);
  const names = Object.keys(values);
  const valuesOf = (name: string) => values[name] ?? [];
  const shapes: SearchShape[] = [{}];
  for (const [i, a] of names.entries()) {
    for (const va of valuesOf(a)) {
      shapes.push(va);
      for (const b of names.slice(i + 1)) {
        for (const vb of valuesOf(b)) {
          shapes.push({ ...va, ...vb });
          if (a !== 'targetType' && b !== 'targetType') shapes.push({ ...va, ...vb, targetType: 'doc' });
        }
      }
    }
  }
  shapes.push(Object.assign({}, ...names.map((name) => valuesOf(name)[0])));
  return shapes;
}
