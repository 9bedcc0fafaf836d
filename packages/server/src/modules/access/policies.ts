import type { Executor } from '../../platform/db/executor';
import { canonicalIp, DEFAULT_ACCESS, OrgAccess } from './policy';
import { compileRules } from './rules';
import { listRuleRows } from './rules-store';
import * as store from './store';

/**
 * Compiled access policies, one per organization, keyed by the organization's access version.
 * Every request reads the version from the database with its session or API key (one column of a
 * query it runs anyway), so a change committed by any process takes effect on the very next
 * request everywhere: a process only reuses a policy compiled at the version the row says.
 */
/** Active "everywhere" IP blocks of an organization (from the threats module, wired in app.ts). */
export type IpBlockSource = (
  db: Executor,
  organizationId: string,
) => Promise<ReadonlyArray<{ ip: string; expiresAt: string | null }>>;

export function createAccessPolicies(options: { ipBlocks?: IpBlockSource } = {}) {
  const byOrganization = new Map<string, OrgAccess>();
  const loading = new Map<string, Promise<OrgAccess>>();

  async function load(db: Executor, organizationId: string): Promise<OrgAccess> {
    const head = await store.findAccessHead(db, organizationId);
    if (!head) return DEFAULT_ACCESS;
    const [roles, appPermissions, ruleRows, blocks] = await Promise.all([
      store.listRoles(db, organizationId),
      store.listAppPermissions(db, organizationId),
      listRuleRows(db, organizationId),
      options.ipBlocks ? options.ipBlocks(db, organizationId) : [],
    ]);
    return new OrgAccess(
      head.accessVersion,
      head.timeZone,
      roles,
      new Set(appPermissions.map((p) => p.key)),
      compileRules(ruleRows, head.timeZone),
      new Map(blocks.map((b) => [canonicalIp(b.ip), b.expiresAt ? Date.parse(b.expiresAt) : null])),
    );
  }

  return {
    /** The policy at `version` (as just read with the caller's row). Version 0 is never customised. */
    async at(db: Executor, organizationId: string, version: number): Promise<OrgAccess> {
      if (version === 0) return DEFAULT_ACCESS;
      const cached = byOrganization.get(organizationId);
      if (cached && cached.version === version) return cached;
      const loaded = await this.reload(db, organizationId);
      // A load shared with a request that started earlier may predate the version this caller read.
      return loaded.version >= version ? loaded : load(db, organizationId);
    },

    /** The organization's current policy, read inside `db` (a transaction sees its own changes). */
    async current(db: Executor, organizationId: string): Promise<OrgAccess> {
      const head = await store.findAccessHead(db, organizationId);
      return this.at(db, organizationId, head?.accessVersion ?? 0);
    },

    async reload(db: Executor, organizationId: string): Promise<OrgAccess> {
      // Concurrent misses of one organization share one load (outside transactions only: a
      // transaction must see its own uncommitted changes).
      const shared = db.isTransaction ? undefined : loading.get(organizationId);
      if (shared) return shared;
      const pending = load(db, organizationId);
      if (!db.isTransaction) loading.set(organizationId, pending);
      try {
        const access = await pending;
        const cached = byOrganization.get(organizationId);
        if (!db.isTransaction && (!cached || cached.version <= access.version)) {
          byOrganization.set(organizationId, access);
        }
        return access;
      } finally {
        if (!db.isTransaction) loading.delete(organizationId);
      }
    },
  };
}

export type AccessPolicies = ReturnType<typeof createAccessPolicies>;
