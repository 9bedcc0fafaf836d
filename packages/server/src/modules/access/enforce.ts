import type { AccessRuleRef } from '@custos/shared';
import type { Deps } from '../../deps';
import type { GeoIp } from '../../platform/geo/geoip';
import type { AuthenticatedCaller, RequestMeta } from '../../platform/http/caller';
import { type AppError, forbidden } from '../../platform/http/errors';
import type { AccessPolicies } from './policies';
import type { OrgAccess } from './policy';
import { type CompiledRules, evaluateRules, type RuleRequest, type RuleVerdict } from './rules';

/** A threat response (or an admin) blocked the address; the denial hook records it as access.denied. */
function ipBlockedRequest(): AppError {
  return forbidden(
    'IP_BLOCKED',
    'Requests from this network are blocked for now after suspicious activity. Ask an administrator of your organization.',
  );
}

/** A denial is recorded at most once a minute per session (or key, or user at sign-in) and rule. */
const RECORD_EVERY_MS = 60_000;

/** Who is asking, as the rules see it. */
export interface RuleSubject {
  ip: string | null;
  roles: readonly string[];
  apiKey: boolean;
}

/** The request the rules judge; the country is looked up only when a country rule exists. */
export function ruleRequest(
  rules: CompiledRules,
  geo: GeoIp,
  subject: RuleSubject,
  at = Date.now(),
): RuleRequest {
  return {
    ip: subject.ip,
    country: rules.needsCountry ? geo.country(subject.ip) : null,
    at,
    roles: subject.roles,
    apiKey: subject.apiKey,
  };
}

/** The caller's own current request as a rule subject (members by their roles, keys as keys). */
export function subjectOf(caller: AuthenticatedCaller): RuleSubject {
  return caller.kind === 'user'
    ? { ip: caller.meta.ip, roles: caller.roles, apiKey: false }
    : { ip: caller.meta.ip, roles: [], apiKey: true };
}

export function accessRuleDenied(rule: AccessRuleRef, message: string): AppError {
  return forbidden(
    'ACCESS_RULE_DENIED',
    `Your organization's access rules do not allow this request: ${message}. Ask an admin of the organization.`,
    { rule },
  );
}

export interface SignInAttempt {
  user: { id: string; name: string };
  organizationId: string;
  /** The roles of the membership the session would land in. */
  roles: readonly string[];
  meta: RequestMeta;
}

/**
 * Applies the organization's access rules to every authenticated request (`check`, called by the
 * request authenticators with the policy they just loaded) and to sign-in (`checkSignIn`, before
 * any session exists). A refusal answers 403 ACCESS_RULE_DENIED naming the rule and is recorded as
 * `access.denied` with the rule, throttled so a flood of refused requests cannot flood the trail.
 */
export function createRuleEnforcer(deps: Deps & { accessPolicies: AccessPolicies }) {
  const { db, geo, limiter, audit, log, accessPolicies: policies } = deps;

  async function recordOnce(throttleKey: string, record: () => Promise<unknown>): Promise<void> {
    try {
      let due = true;
      try {
        due = (await limiter.consume(`access-denied:${throttleKey}`, 1, RECORD_EVERY_MS)).allowed;
      } catch (error) {
        // Without the limiter (Redis down), recording every denial beats losing them.
        log.warn({ err: error }, 'access-rule denial throttle unavailable');
      }
      if (due) await record();
    } catch (error) {
      // The refusal stands either way; a failed record must not turn it into a 500.
      log.error({ err: error }, 'could not record access.denied');
    }
  }

  function deniedEvent(
    verdict: Extract<RuleVerdict, { allowed: false }>,
    request: RuleRequest,
    extra: Record<string, unknown> = {},
  ) {
    return {
      action: 'access.denied' as const,
      outcome: 'denied' as const,
      targets: [{ type: 'access_rule', id: verdict.rule.id }],
      metadata: {
        reason: 'access_rule',
        rule: verdict.rule,
        ip: request.ip,
        country: request.country,
        ...extra,
      },
      // The address is the actor's personal data, sealed like the actor's own IP.
      personal: ['ip'],
    };
  }

  return {
    /** Every authenticated request: throws 403 ACCESS_RULE_DENIED when a rule refuses it. */
    async check(caller: AuthenticatedCaller, access: OrgAccess): Promise<void> {
      if (caller.organizationId === null) return;
      if (access.blocksIp(caller.meta.ip)) throw ipBlockedRequest();
      if (access.rules.empty) return;
      const request = ruleRequest(access.rules, geo, subjectOf(caller));
      const verdict = evaluateRules(access.rules, request);
      if (verdict.allowed) return;
      const who = caller.kind === 'user' ? `session:${caller.sessionId}` : `key:${caller.apiKeyId}`;
      await recordOnce(`${who}:${verdict.rule.id}`, () =>
        audit.recordAlone(caller, deniedEvent(verdict, request)),
      );
      throw accessRuleDenied(verdict.rule, verdict.message);
    },

    /** Sign-in into an organization (password, MFA, passkey, switch): refused before a session exists. */
    async checkSignIn(attempt: SignInAttempt): Promise<void> {
      const access = await policies.current(db, attempt.organizationId);
      if (access.rules.empty) return;
      const subject = { ip: attempt.meta.ip, roles: attempt.roles, apiKey: false };
      const request = ruleRequest(access.rules, geo, subject);
      const verdict = evaluateRules(access.rules, request);
      if (verdict.allowed) return;
      await recordOnce(`user:${attempt.user.id}:${verdict.rule.id}`, () =>
        audit.recordAlone(
          { kind: 'anonymous', meta: attempt.meta },
          {
            ...deniedEvent(verdict, request, { stage: 'sign_in' }),
            organizationId: attempt.organizationId,
            actor: { type: 'user', id: attempt.user.id, name: attempt.user.name },
          },
        ),
      );
      throw accessRuleDenied(verdict.rule, verdict.message);
    },
  };
}

export type RuleEnforcer = ReturnType<typeof createRuleEnforcer>;
