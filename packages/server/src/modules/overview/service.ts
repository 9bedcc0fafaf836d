import type { SecurityOverview } from '@custos/shared';
import type { Deps } from '../../deps';
import { authorize, type Caller } from '../../platform/http/caller';
import type { AccessPolicies } from '../access';
import { isPrivileged } from '../members';
import { createSecurityPolicyService } from '../security';
import { latestEvents, presentSecurityEvent } from '../threats';
import { type PostureFacts, STALE_SESSION_DAYS, securityScore } from './score';
import * as store from './store';
import { threatLevelOf } from './threat-level';

const MINUTE_MS = 60_000;
const HOUR_MS = 60 * MINUTE_MS;
const DAY_MS = 24 * HOUR_MS;
const SIGN_IN_HOURS = 24;
const COUNTRY_DAYS = 30;
const TOP_COUNTRIES = 20;
const RECENT_EVENTS = 10;

/** The 24 clock hours ending with the current one, oldest first, filled from the hours found. */
function hourlyBuckets(firstHour: number, found: readonly store.SignInHour[]) {
  const byHour = new Map(found.map((h) => [h.hour, h]));
  return Array.from({ length: SIGN_IN_HOURS }, (_, i) => {
    const at = new Date(firstHour + i * HOUR_MS).toISOString();
    const hour = byHour.get(at.slice(0, 13));
    return { at, failed: hour?.failed ?? 0, succeeded: hour?.succeeded ?? 0 };
  });
}

/**
 * The security overview behind the console's home page: threat level, security score, open
 * events, sign-in activity, sessions, MFA adoption and responses in force, for the caller's
 * organization. Read-only; every figure is one aggregate query.
 */
export function createOverviewService(deps: Deps & { accessPolicies: AccessPolicies }) {
  const { db, accessPolicies } = deps;
  const policies = createSecurityPolicyService(deps);

  async function membership(organizationId: string) {
    const [access, groups] = await Promise.all([
      accessPolicies.current(db, organizationId),
      store.membersByRoles(db, organizationId),
    ]);
    const figures = { members: 0, enrolled: 0, privileged: 0, privilegedWithout: 0 };
    for (const group of groups) {
      figures.members += group.members;
      figures.enrolled += group.enrolled;
      // The Members page's flag: its "privileged without MFA" filter lists exactly these.
      if (isPrivileged(access, group.roles)) {
        figures.privileged += group.members;
        figures.privilegedWithout += group.members - group.enrolled;
      }
    }
    return figures;
  }

  return {
    async get(caller: Caller): Promise<SecurityOverview> {
      const { organizationId } = authorize(caller, 'security:read');
      const now = Date.now();
      const iso = (ms: number) => new Date(ms).toISOString();
      const firstHour = Math.floor(now / HOUR_MS) * HOUR_MS - (SIGN_IN_HOURS - 1) * HOUR_MS;
      const policy = await policies.policyOf(db, organizationId);

      const [open, hours, countries, sessions, members, activeResponses, alerting, ruled, recent] =
        await Promise.all([
          store.countOpenEventsBySeverity(db, organizationId),
          store.signInsByHour(db, organizationId, iso(firstHour), iso(now - HOUR_MS)),
          store.signInsByCountry(db, organizationId, iso(now - COUNTRY_DAYS * DAY_MS), TOP_COUNTRIES),
          store.sessionFigures(db, organizationId, {
            now: iso(now),
            idleSince: iso(now - policy.idleTimeoutMinutes * MINUTE_MS),
            staleBefore: iso(now - STALE_SESSION_DAYS * DAY_MS),
          }),
          membership(organizationId),
          store.countActiveResponses(db, organizationId, iso(now)),
          store.hasEnabled(db, 'alertChannels', organizationId),
          store.hasEnabled(db, 'accessRules', organizationId),
          latestEvents(db, organizationId, RECENT_EVENTS),
        ]);

      const failedInDay = hours.reduce((sum, h) => sum + h.failed, 0);
      const failedLastHour = hours.reduce((sum, h) => sum + h.failedRecently, 0);
      const facts: PostureFacts = {
        privileged: members.privileged,
        privilegedWithoutMfa: members.privilegedWithout,
        members: members.members,
        membersWithMfa: members.enrolled,
        policy,
        openCritical: open.critical,
        openHigh: open.high,
        activeSessions: sessions.active,
        staleSessions: sessions.stale,
        alertChannelEnabled: alerting,
        accessRuleEnabled: ruled,
      };

      return {
        generatedAt: iso(now),
        threatLevel: threatLevelOf({
          open,
          failedLastHour,
          failedHourlyAverage: failedInDay / SIGN_IN_HOURS,
        }),
        score: securityScore(facts),
        openEvents: open,
        signIns: hourlyBuckets(firstHour, hours),
        countries,
        sessions,
        mfa: {
          members: members.members,
          enrolled: members.enrolled,
          adminsWithout: members.privilegedWithout,
        },
        activeResponses,
        recentEvents: recent.map(presentSecurityEvent),
      };
    },
  };
}

export type OverviewService = ReturnType<typeof createOverviewService>;
