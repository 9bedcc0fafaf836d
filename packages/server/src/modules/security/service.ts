import type { SecurityPolicy, SecurityPolicyOut, UpdateSecurityPolicyBody } from '@custos/shared';
import type { Deps } from '../../deps';
import { nowIso } from '../../platform/clock';
import type { Executor } from '../../platform/db/executor';
import { authorize, type Caller, requireStepUp } from '../../platform/http/caller';
import { badRequest } from '../../platform/http/errors';
import type { AccessPolicies } from '../access';
import { changesBetween } from '../audit';
import { identity } from '../identity';
import { sessionPorts } from '../sessions/ports';
import { defaultPolicy } from './policy';
import * as store from './store';

/** The organization security policy: MFA requirement, step-up window, session and password rules. */
export function createSecurityPolicyService(deps: Deps & { accessPolicies: AccessPolicies }) {
  const { db, config, audit } = deps;
  const defaults = () => defaultPolicy(config.sessionTtlMs);

  /** The policy in force (defaults when the organization never changed it). */
  async function policyOf(executor: Executor, organizationId: string | null): Promise<SecurityPolicy> {
    if (!organizationId) return defaults();
    const stored = await store.findPolicy(executor, organizationId);
    if (!stored) return defaults();
    const { mfaRequiredSince: _since, updatedAt: _at, ...policy } = stored;
    return policy;
  }

  return {
    policyOf,

    async get(caller: Caller): Promise<SecurityPolicyOut> {
      const { organizationId } = authorize(caller, 'security:read');
      const stored = await store.findPolicy(db, organizationId);
      if (!stored) return { ...defaults(), updatedAt: null };
      const { mfaRequiredSince: _since, ...out } = stored;
      return out;
    },

    async update(caller: Caller, patch: UpdateSecurityPolicyBody): Promise<SecurityPolicyOut> {
      const actor = authorize(caller, 'security:manage');
      requireStepUp(caller);
      return db.transaction().execute(async (trx) => {
        await identity.lockOrganization(trx, actor.organizationId);
        const before = (await store.findPolicy(trx, actor.organizationId)) ?? {
          ...defaults(),
          mfaRequiredSince: null,
          updatedAt: nowIso(),
        };
        const next = { ...before, ...patch };
        if (next.mfaRequirement === 'roles' && next.mfaRoles.length === 0) {
          throw badRequest('VALIDATION_FAILED', 'Choose at least one role that must use MFA.', [
            { path: 'mfaRoles', message: 'required when mfaRequirement is "roles"' },
          ]);
        }
        const access = await deps.accessPolicies.current(trx, actor.organizationId);
        const unknownRoles = next.mfaRoles.filter((role) => !access.hasRole(role));
        if (unknownRoles.length > 0) {
          throw badRequest('VALIDATION_FAILED', 'These roles do not exist in this organization.', [
            { path: 'mfaRoles', message: `unknown roles: ${unknownRoles.join(', ')}` },
          ]);
        }
        const at = nowIso();
        // A new or widened requirement starts everyone's grace period anew; switching it off clears it.
        // A narrowed one keeps it: dropping a role must not hand the members still covered (maybe
        // already blocked) a fresh grace period.
        const mfaRequiredSince =
          next.mfaRequirement === 'off'
            ? null
            : requirementWidened(before, next)
              ? at
              : (before.mfaRequiredSince ?? at);
        const saved = { ...next, mfaRequiredSince, updatedAt: at };
        await store.savePolicy(trx, actor.organizationId, saved);
        // The session check measures idleness against the timeout in force now: without this, a
        // longer timeout would bring back sessions that had already ended by the shorter one.
        const idleSessionsEnded =
          next.idleTimeoutMinutes > before.idleTimeoutMinutes
            ? await sessionPorts.endIdleSessions(
                trx,
                actor.organizationId,
                new Date(Date.parse(at) - before.idleTimeoutMinutes * 60_000).toISOString(),
              )
            : 0;
        await audit.record(trx, actor, {
          action: 'security.policy_updated',
          targets: [{ type: 'organization', id: actor.organizationId }],
          changes: changesBetween(before, next, { keys: Object.keys(patch) as (keyof SecurityPolicy)[] }),
          ...(idleSessionsEnded > 0 ? { metadata: { idleSessionsEnded } } : {}),
        });
        const { mfaRequiredSince: _since, ...out } = saved;
        return out;
      });
    },
  };
}

type MfaScope = Pick<SecurityPolicy, 'mfaRequirement' | 'mfaRoles'>;

/** Whether `next` requires MFA of someone `before` did not. */
function requirementWidened(before: MfaScope, next: MfaScope): boolean {
  if (next.mfaRequirement === 'off') return false;
  if (before.mfaRequirement === 'off') return true;
  if (next.mfaRequirement === 'all') return before.mfaRequirement !== 'all';
  // next is 'roles': narrower than 'all', wider than before only if it lists a role before did not
  if (before.mfaRequirement === 'all') return false;
  return next.mfaRoles.some((role) => !before.mfaRoles.includes(role));
}

export type SecurityPolicyService = ReturnType<typeof createSecurityPolicyService>;
