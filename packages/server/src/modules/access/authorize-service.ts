import type { AuthorizeCheck, AuthorizeReason, AuthorizeResult } from '@custos/shared';
import type { Deps } from '../../deps';
import {
  authorize,
  type Caller,
  type OrganizationCaller,
  type RequestMeta,
  type UserCaller,
} from '../../platform/http/caller';
import { mfaEnrollmentState } from '../security';
import { decide } from './decide';
import type { AccessPolicies } from './policies';
import type { OrgAccess } from './policy';
import { requireAddress } from './rule-values';
import { evaluateRules, type RuleVerdict } from './rules';

const ALLOWED: RuleVerdict = Object.freeze({ allowed: true });

import * as store from './store';

/** Who a check is about, once resolved: a member's id and roles, or why there is none. */
type Refusal = Exclude<AuthorizeReason, 'access_rule'>;
type Subject = { userId: string; roles: readonly string[] } | { userId: string | null; refused: Refusal };

export interface AuthorizeDeps extends Deps {
  accessPolicies: AccessPolicies;
  /** Resolves a session token as the session check does (null when not a live session). */
  authenticateSession(token: string, meta: RequestMeta): Promise<UserCaller | null>;
}

const MESSAGES: Record<
  Exclude<AuthorizeReason, 'access_rule'>,
  (permission: string, role: string | null) => string
> = {
  granted: (p, role) => `Granted: the role "${role}" holds ${p}.`,
  granted_own: (p, role) =>
    `Granted: the role "${role}" holds ${p} on the member's own resources, and this one is theirs.`,
  not_granted: (p) => `Denied: none of the user's roles grants ${p}.`,
  owner_unknown: (p) =>
    `Denied: the user may ${p} only on their own resources; pass resource.ownerId to check one.`,
  not_owner: (p) =>
    `Denied: the user may ${p} only on their own resources, and this one belongs to someone else.`,
  unknown_permission: (p) =>
    `Denied: ${p} is neither a Custos permission nor registered by the host app (PUT /api/v1/app-permissions).`,
  not_member: () => 'Denied: the user is not a member of this organization.',
  user_disabled: () => 'Denied: the user is disabled.',
  session_invalid: () =>
    'Denied: the session token is unknown, expired or ended, or belongs to another organization.',
  mfa_enrollment_required: () =>
    "Denied: the user must enrol a second factor first (the organization's MFA policy).",
};

function result(
  reason: Exclude<AuthorizeReason, 'access_rule'>,
  check: AuthorizeCheck,
  subject: { userId: string | null; roles?: readonly string[] },
  grant: { grantedBy: string | null; scope: 'all' | 'own' | null } = { grantedBy: null, scope: null },
): AuthorizeResult {
  return {
    allowed: reason === 'granted' || reason === 'granted_own',
    reason,
    message: MESSAGES[reason](check.permission, grant.grantedBy),
    userId: subject.userId,
    roles: [...(subject.roles ?? [])],
    grantedBy: grant.grantedBy,
    scope: grant.scope,
    rule: null,
  };
}

/**
 * POST /api/v1/authorize: the host app asks whether a user may do something. The answer comes from
 * the same compiled policy (roles, grants, access rules) that guards Custos' own API, read at the
 * access version of the asking key's own request: a change is in effect on the next call.
 */
export function createAuthorizeService(deps: AuthorizeDeps) {
  const { db, audit, accessPolicies, geo } = deps;

  async function subjectOf(c: OrganizationCaller, check: AuthorizeCheck): Promise<Subject> {
    if ('userId' in check.subject) {
      const { userId } = check.subject;
      const row = await store.findSubject(db, c.organizationId, userId);
      if (!row) return { userId, refused: 'not_member' };
      if (row.disabled) return { userId, refused: 'user_disabled' };
      if (!row.mfaEnabled && row.mfa && row.mfa.requirement !== 'off') {
        // The same enrolment deadline the session check enforces, for both forms of subject.
        const enrollment = mfaEnrollmentState({
          policy: {
            mfaRequirement: row.mfa.requirement,
            mfaRoles: row.mfa.roles,
            mfaGraceDays: row.mfa.graceDays,
            mfaRequiredSince: row.mfa.requiredSince,
            stepUpMinutes: null,
            idleTimeoutMinutes: null,
          },
          roles: row.roles,
          mfaEnabled: false,
          joinedAt: row.joinedAt,
        });
        if (enrollment.blocking) return { userId, refused: 'mfa_enrollment_required' };
      }
      return { userId, roles: row.roles };
    }
    const session = await deps.authenticateSession(check.subject.sessionToken, c.meta);
    // Another organization's session is no session here: nothing about it is revealed.
    if (!session || session.organizationId !== c.organizationId)
      return { userId: null, refused: 'session_invalid' };
    if (session.mfaEnrollment.blocking) return { userId: session.userId, refused: 'mfa_enrollment_required' };
    return { userId: session.userId, roles: session.roles };
  }

  /** Access rules judge the end user's request as the host app describes it (IP, time). */
  function ruleVerdict(access: OrgAccess, check: AuthorizeCheck, roles: readonly string[]): RuleVerdict {
    if (access.rules.empty) return ALLOWED;
    const ip = check.context?.ip ?? null;
    return evaluateRules(access.rules, {
      ip,
      country: access.rules.needsCountry && ip ? geo.country(ip) : null,
      at: check.context?.at ? Date.parse(check.context.at) : Date.now(),
      roles,
      apiKey: false,
    });
  }

  async function decideOne(
    c: OrganizationCaller,
    access: OrgAccess,
    check: AuthorizeCheck,
  ): Promise<AuthorizeResult> {
    const subject = await subjectOf(c, check);
    if ('refused' in subject) return result(subject.refused, check, subject);
    if (!access.knows(check.permission)) return result('unknown_permission', check, subject);
    const verdict = ruleVerdict(access, check, subject.roles);
    if (!verdict.allowed) {
      return {
        ...result('not_granted', check, subject),
        reason: 'access_rule',
        message: `Denied: ${verdict.message}`,
        rule: verdict.rule,
      };
    }
    const decision = decide(
      access.grantsOf(subject.roles),
      subject.userId,
      check.permission,
      check.resource?.ownerId,
    );
    return result(decision.reason as Exclude<AuthorizeReason, 'access_rule'>, check, subject, decision);
  }

  /** Every deny becomes an `access.denied` event, committed with the other waiting events (group commit). */
  async function recordDenials(
    c: OrganizationCaller,
    checks: readonly AuthorizeCheck[],
    results: readonly AuthorizeResult[],
  ) {
    const denied = results.flatMap((r, i) => (r.allowed ? [] : [[checks[i] as AuthorizeCheck, r] as const]));
    if (denied.length === 0) return;
    await audit.recordGrouped(
      c,
      denied.map(([check, r]) => ({
        action: 'access.denied' as const,
        outcome: 'denied' as const,
        targets: [
          ...(r.userId ? [{ type: 'user', id: r.userId }] : []),
          ...(check.resource?.id ? [{ type: check.resource.type ?? 'resource', id: check.resource.id }] : []),
        ],
        metadata: {
          via: 'authorize',
          permission: check.permission,
          reason: r.reason,
          ...(check.resource?.ownerId ? { ownerId: check.resource.ownerId } : {}),
          ...(r.rule ? { rule: r.rule } : {}),
          ...(check.context?.ip && r.userId ? { subjectIp: check.context.ip } : {}),
        },
        // The end user's address is their personal data: sealed under their key, erasable.
        ...(check.context?.ip && r.userId ? { personal: ['subjectIp'], subjectRef: `user:${r.userId}` } : {}),
      })),
    );
  }

  return {
    async check(caller: Caller, check: AuthorizeCheck): Promise<AuthorizeResult> {
      const [result] = await this.batch(caller, [check]);
      return result as AuthorizeResult;
    },

    async batch(caller: Caller, checks: readonly AuthorizeCheck[]): Promise<AuthorizeResult[]> {
      const c = authorize(caller, 'access:check');
      // A given address must be one: an unparseable one would match no list (deny lists included).
      for (const check of checks) if (check.context?.ip) requireAddress(check.context.ip);
      const access = await accessPolicies.at(db, c.organizationId, c.accessVersion);
      const results: AuthorizeResult[] = [];
      for (const check of checks) results.push(await decideOne(c, access, check));
      await recordDenials(c, checks, results);
      return results;
    },
  };
}

export type AuthorizeService = ReturnType<typeof createAuthorizeService>;
