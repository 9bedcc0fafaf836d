/**
 * Casbin's benchmark models (the sizes of casbin's own benchmark suite), each built three ways with the
 * same policy: our checker (OrgAccess + decide, as the server runs them), node-casbin and CASL.
 *   basic    rbac_model.conf + rbac_policy.csv: 5 rules, query alice data2 read;
 *   small    100 roles group{i} → data{i/10} read, 1,000 users user{i} → group{i/10}; user501 data9 read;
 *   medium   1,000 roles, 10,000 users, same pattern; user5001 data99 read;
 *   domains  rbac_with_domains_model.conf: 6 rules, query alice domain1 data1 read.
 * Every case also has a second query with the opposite answer, so allowed and denied are both timed.
 * Casbin's own small and medium queries are denials (user501 is in group50, which reads data5), so
 * there the second query is the allowed one.
 */
import { createMongoAbility, type MongoAbility } from '@casl/ability';
import { type Enforcer, newEnforcer, newModelFromString } from 'casbin';
import { decide } from '../packages/server/src/modules/access/decide';
import { OrgAccess, type RoleDefinition } from '../packages/server/src/modules/access/policy';
import { NO_RULES } from '../packages/server/src/modules/access/rules';

const RBAC_MODEL = `
[request_definition]
r = sub, obj, act

[policy_definition]
p = sub, obj, act

[role_definition]
g = _, _

[policy_effect]
e = some(where (p.eft == allow))

[matchers]
m = g(r.sub, p.sub) && r.obj == p.obj && r.act == p.act
`;

const RBAC_WITH_DOMAINS_MODEL = `
[request_definition]
r = sub, dom, obj, act

[policy_definition]
p = sub, dom, obj, act

[role_definition]
g = _, _, _

[policy_effect]
e = some(where (p.eft == allow))

[matchers]
m = g(r.sub, p.sub, r.dom) && r.dom == p.dom && r.obj == p.obj && r.act == p.act
`;

/** One query, prebuilt for every library: nothing is concatenated while timing. */
export interface Query {
  label: string;
  user: string;
  domain: string;
  obj: string;
  act: string;
  /** `${obj}:${act}`, our permission key. */
  permission: string;
  expected: boolean;
  /** Whether this is the query casbin's benchmark times. */
  casbins: boolean;
}

/** A decision loop: runs the same query `n` times and returns how many were allowed. */
export type Loop = (n: number) => number;

export interface Case {
  name: string;
  rules: number;
  queries: Query[];
  /** Library name → loop factory for one query. */
  loops: Record<Library, (q: Query) => Loop>;
  /** Single decisions, for the agreement check. */
  once: Record<Library, (q: Query) => boolean>;
  setupMs: Record<Library, number>;
}

export const LIBRARIES = ['ours', 'casbin', 'casl'] as const;
export type Library = (typeof LIBRARIES)[number];

/** A flat RBAC policy: p rows (subject, obj, act) and g rows (user, role). */
interface Flat {
  p: Array<[string, string, string]>;
  g: Array<[string, string]>;
}

function query(label: string, user: string, obj: string, act: string, expected: boolean, casbins: boolean) {
  return { label, user, domain: '', obj, act, permission: `${obj}:${act}`, expected, casbins };
}

// ------------------------------------------------------------------------------------------ ours

/**
 * Our side as the server runs it: the member's roles (in the server, from their membership row),
 * the organization's compiled policy, `grantsOf(roles)` and `decide`. A subject that casbin grants to
 * directly (alice in the basic model) gets a personal role `user_<name>`, the only way to grant a user
 * a permission in Custos.
 */
interface OurOrg {
  access: OrgAccess;
  members: Map<string, readonly string[]>;
}

function ourOrg(flat: Flat, builtIn: ReadonlySet<string> = new Set()): OurOrg {
  const roleNames = new Set(flat.g.map(([, role]) => role));
  const grants = new Map<string, string[]>();
  const members = new Map<string, string[]>();
  const personal = (user: string) => `user_${user}`;
  for (const [sub, obj, act] of flat.p) {
    const role = roleNames.has(sub) ? sub : personal(sub);
    if (!roleNames.has(sub)) {
      const roles = members.get(sub) ?? [];
      if (!roles.includes(role)) members.set(sub, [role, ...roles]);
    }
    const list = grants.get(role) ?? [];
    list.push(`${obj}:${act}`);
    grants.set(role, list);
  }
  for (const [user, role] of flat.g) members.set(user, [...(members.get(user) ?? []), role]);
  const appPermissions = new Set(flat.p.map(([, obj, act]) => `${obj}:${act}`));
  const roles: RoleDefinition[] = [...grants].map(([key, permissions]) => ({
    key,
    builtIn: builtIn.has(key),
    permissions,
    ownPermissions: [],
  }));
  return { access: new OrgAccess(1, 'UTC', roles, appPermissions, NO_RULES), members };
}

function oursLoops(orgs: ReadonlyMap<string, OurOrg>) {
  const loop =
    (q: Query): Loop =>
    (n) => {
      let yes = 0;
      const { user, domain, permission } = q;
      for (let i = 0; i < n; i++) {
        const org = orgs.get(domain) as OurOrg;
        const roles = org.members.get(user);
        if (roles !== undefined && decide(org.access.grantsOf(roles), user, permission).allowed) yes++;
      }
      return yes;
    };
  return { loop, once: (q: Query) => loop(q)(1) === 1 };
}

// ---------------------------------------------------------------------------------------- casbin

/** node-casbin 5 has a synchronous `enforceSync`; it is what is timed (no `await` per decision). */
function casbinLoops(enforcer: Enforcer) {
  const loop =
    (q: Query): Loop =>
    (n) => {
      let yes = 0;
      const { user, obj, act } = q;
      for (let i = 0; i < n; i++) if (enforcer.enforceSync(user, obj, act)) yes++;
      return yes;
    };
  const domainLoop =
    (q: Query): Loop =>
    (n) => {
      let yes = 0;
      const { user, domain, obj, act } = q;
      for (let i = 0; i < n; i++) if (enforcer.enforceSync(user, domain, obj, act)) yes++;
      return yes;
    };
  return { loop, domainLoop };
}

async function casbinEnforcer(model: string, p: string[][], g: string[][]): Promise<Enforcer> {
  const enforcer = await newEnforcer(newModelFromString(model));
  await enforcer.addPolicies(p);
  await enforcer.addGroupingPolicies(g);
  return enforcer;
}

// ------------------------------------------------------------------------------------------ CASL

/**
 * CASL as apps use it: one Ability per user, built once from the rules of the user's roles and kept
 * in a Map; the check is `ability.can(act, obj)` on a subject type.
 */
function caslAbilities(flat: Flat): Map<string, MongoAbility> {
  const rulesOf = new Map<string, Array<{ action: string; subject: string }>>();
  for (const [sub, obj, act] of flat.p) {
    const list = rulesOf.get(sub) ?? [];
    list.push({ action: act, subject: obj });
    rulesOf.set(sub, list);
  }
  const subjects = new Map<string, string[]>();
  for (const [user, role] of flat.g) subjects.set(user, [...(subjects.get(user) ?? [user]), role]);
  for (const [sub] of flat.p) if (!subjects.has(sub)) subjects.set(sub, [sub]);
  const abilities = new Map<string, MongoAbility>();
  for (const [user, subs] of subjects) {
    abilities.set(user, createMongoAbility(subs.flatMap((s) => rulesOf.get(s) ?? [])));
  }
  return abilities;
}

function caslLoops(byDomain: ReadonlyMap<string, Map<string, MongoAbility>>) {
  const loop =
    (q: Query): Loop =>
    (n) => {
      let yes = 0;
      const { user, domain, obj, act } = q;
      for (let i = 0; i < n; i++) {
        const ability = (byDomain.get(domain) as Map<string, MongoAbility>).get(user);
        if (ability?.can(act, obj)) yes++;
      }
      return yes;
    };
  return { loop, once: (q: Query) => loop(q)(1) === 1 };
}

// ----------------------------------------------------------------------------------------- cases

async function timed<T>(make: () => T | Promise<T>): Promise<[T, number]> {
  const started = performance.now();
  const value = await make();
  return [value, performance.now() - started];
}

async function rbacCase(name: string, flat: Flat, queries: Query[]): Promise<Case> {
  const [ours, oursMs] = await timed(() => oursLoops(new Map([['', ourOrg(flat)]])));
  const [enforcer, casbinMs] = await timed(() => casbinEnforcer(RBAC_MODEL, flat.p, flat.g));
  const [casl, caslMs] = await timed(() => caslLoops(new Map([['', caslAbilities(flat)]])));
  const casbin = casbinLoops(enforcer);
  return {
    name,
    rules: flat.p.length + flat.g.length,
    queries,
    loops: { ours: ours.loop, casbin: casbin.loop, casl: casl.loop },
    once: {
      ours: ours.once,
      casbin: (q) => enforcer.enforceSync(q.user, q.obj, q.act),
      casl: casl.once,
    },
    setupMs: { ours: oursMs, casbin: casbinMs, casl: caslMs },
  };
}

/** Casbin's RBAC generator: `roles` roles group{i} reading data{i/10}, `users` users in group{i/10}. */
function generated(roles: number, users: number): Flat {
  const p: Flat['p'] = [];
  const g: Flat['g'] = [];
  for (let i = 0; i < roles; i++) p.push([`group${i}`, `data${Math.floor(i / 10)}`, 'read']);
  for (let i = 0; i < users; i++) g.push([`user${i}`, `group${Math.floor(i / 10)}`]);
  return { p, g };
}

async function domainsCase(): Promise<Case> {
  const p: Array<[string, string, string, string]> = [
    ['admin', 'domain1', 'data1', 'read'],
    ['admin', 'domain1', 'data1', 'write'],
    ['admin', 'domain2', 'data2', 'read'],
    ['admin', 'domain2', 'data2', 'write'],
  ];
  const g: Array<[string, string, string]> = [
    ['alice', 'admin', 'domain1'],
    ['bob', 'admin', 'domain2'],
  ];
  const domains = ['domain1', 'domain2'];
  /** One organization per domain; `admin` is our built-in admin role with the host app's grants added. */
  const flatOf = (domain: string): Flat => ({
    p: p.filter((r) => r[1] === domain).map(([sub, , obj, act]) => [sub, obj, act]),
    g: g.filter((r) => r[2] === domain).map(([user, role]) => [user, role]),
  });
  const [ours, oursMs] = await timed(() =>
    oursLoops(new Map(domains.map((d) => [d, ourOrg(flatOf(d), new Set(['admin']))]))),
  );
  const [enforcer, casbinMs] = await timed(() => casbinEnforcer(RBAC_WITH_DOMAINS_MODEL, p, g));
  const [casl, caslMs] = await timed(() =>
    caslLoops(new Map(domains.map((d) => [d, caslAbilities(flatOf(d))]))),
  );
  const casbin = casbinLoops(enforcer);
  const q = (label: string, user: string, domain: string, obj: string, act: string, expected: boolean) => ({
    ...query(label, user, obj, act, expected, expected),
    domain,
  });
  return {
    name: 'RBAC with domains',
    rules: p.length + g.length,
    queries: [
      // casbin's query (allowed); then what alice's role does not grant in her domain.
      q('alice domain1 data1 read', 'alice', 'domain1', 'data1', 'read', true),
      q('alice domain1 data2 read', 'alice', 'domain1', 'data2', 'read', false),
    ],
    loops: { ours: ours.loop, casbin: casbin.domainLoop, casl: casl.loop },
    once: {
      ours: ours.once,
      casbin: (x) => enforcer.enforceSync(x.user, x.domain, x.obj, x.act),
      casl: casl.once,
    },
    setupMs: { ours: oursMs, casbin: casbinMs, casl: caslMs },
  };
}

export async function buildCases(): Promise<Case[]> {
  const basic: Flat = {
    p: [
      ['alice', 'data1', 'read'],
      ['bob', 'data2', 'write'],
      ['data2_admin', 'data2', 'read'],
      ['data2_admin', 'data2', 'write'],
    ],
    g: [['alice', 'data2_admin']],
  };
  const cases = [
    await rbacCase('RBAC (basic)', basic, [
      query('alice data2 read', 'alice', 'data2', 'read', true, true),
      query('alice data1 write', 'alice', 'data1', 'write', false, false),
    ]),
    await rbacCase('RBAC (small)', generated(100, 1000), [
      query('user501 data9 read', 'user501', 'data9', 'read', false, true),
      query('user501 data5 read', 'user501', 'data5', 'read', true, false),
    ]),
    await rbacCase('RBAC (medium)', generated(1000, 10000), [
      query('user5001 data99 read', 'user5001', 'data99', 'read', false, true),
      query('user5001 data50 read', 'user5001', 'data50', 'read', true, false),
    ]),
    await domainsCase(),
  ];
  // Same model, same answers: every library must agree with the expected decision before timing.
  for (const c of cases) {
    for (const q of c.queries) {
      for (const lib of LIBRARIES) {
        const got = c.once[lib](q);
        if (got !== q.expected) {
          throw new Error(`${c.name}: ${lib} answers ${got} to "${q.label}", expected ${q.expected}`);
        }
      }
    }
  }
  return cases;
}
