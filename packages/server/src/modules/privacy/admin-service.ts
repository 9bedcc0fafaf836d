import { type AdminPrivacyOverview, PRIVACY_REQUEST_STATES, type PrivacyRequestState } from '@custos/shared';
import type { Deps } from '../../deps';
import { type Caller, requireSuperAdmin } from '../../platform/http/caller';
import { identity } from '../identity';
import * as store from './requests-store';

const YEAR_MS = 365 * 86_400_000;

function emptyCounts(): Record<PrivacyRequestState, number> {
  return Object.fromEntries(PRIVACY_REQUEST_STATES.map((s) => [s, 0])) as Record<PrivacyRequestState, number>;
}

function medianHours(durationsMs: number[]): number | null {
  if (durationsMs.length === 0) return null;
  const sorted = [...durationsMs].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  const ms =
    sorted.length % 2 === 1
      ? (sorted[mid] as number)
      : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
  return Math.round((ms / 3_600_000) * 10) / 10;
}

/** The operator's view across organizations: counts by state, overdue requests, completion times. */
export function createPrivacyAdminService(deps: Pick<Deps, 'db'> & { now?: () => Date }) {
  const { db } = deps;
  const now = deps.now ?? (() => new Date());
  return {
    async overview(caller: Caller): Promise<AdminPrivacyOverview> {
      requireSuperAdmin(caller);
      const at = now();
      const nowIso = at.toISOString();
      const [counts, overdueByOrg, overdue, done] = await Promise.all([
        store.countsByOrganizationAndState(db),
        store.overdueCounts(db, nowIso),
        store.overdueRequests(db, nowIso, 100),
        store.completions(db, new Date(at.getTime() - YEAR_MS).toISOString()),
      ]);
      const byOrg = new Map<string, Record<PrivacyRequestState, number>>();
      const totals = emptyCounts();
      for (const { organizationId, state, n } of counts) {
        const org = byOrg.get(organizationId) ?? emptyCounts();
        if ((PRIVACY_REQUEST_STATES as readonly string[]).includes(state)) {
          org[state as PrivacyRequestState] += n;
          totals[state as PrivacyRequestState] += n;
        }
        byOrg.set(organizationId, org);
      }
      const durations = new Map<string, number[]>();
      for (const d of done) {
        if (!d.closedAt) continue;
        const list = durations.get(d.organizationId) ?? [];
        list.push(Date.parse(d.closedAt) - Date.parse(d.receivedAt));
        durations.set(d.organizationId, list);
      }
      const organizations = await Promise.all(
        [...byOrg.entries()].map(async ([organizationId, byState]) => ({
          organizationId,
          name: (await identity.findOrganization(db, organizationId))?.name ?? organizationId,
          byState,
          overdue: overdueByOrg.get(organizationId) ?? 0,
          medianCompletionHours: medianHours(durations.get(organizationId) ?? []),
        })),
      );
      return {
        totals: {
          byState: totals,
          overdue: [...overdueByOrg.values()].reduce((a, b) => a + b, 0),
          medianCompletionHours: medianHours([...durations.values()].flat()),
        },
        organizations: organizations.sort((a, b) => b.overdue - a.overdue || a.name.localeCompare(b.name)),
        overdue: overdue.map((r) => ({
          id: r.id,
          organizationId: r.organizationId,
          type: r.type as AdminPrivacyOverview['overdue'][number]['type'],
          regime: r.regime as AdminPrivacyOverview['overdue'][number]['regime'],
          state: r.state as PrivacyRequestState,
          dueAt: r.dueAt,
        })),
      };
    },
  };
}

export type PrivacyAdminService = ReturnType<typeof createPrivacyAdminService>;
