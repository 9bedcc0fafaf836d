import type { SecurityPolicy, SecurityPolicyOut, UpdateSecurityPolicyBody } from '@custos/shared';
import type { Transaction } from 'kysely';
import type { Deps } from '../../deps';
import { nowIso } from '../../platform/clock';
import type { DB } from '../../platform/db/schema';
import { authorize, type Caller, requireStepUp } from '../../platform/http/caller';
import { badRequest } from '../../platform/http/errors';
import { defaultPolicy } from './policy';
import * as store from './store';

type Executor = Deps['db'] | Transaction<DB>;

/** The organization security policy: MFA requirement, step-up window, session and password rules. */
export function createSecurityPolicyService(deps: Deps) {
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
        await store.lockPolicy(trx, actor.organizationId);
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
        const at = nowIso();
        const requirementChanged =
          next.mfaRequirement !== before.mfaRequirement ||
          JSON.stringify([...next.mfaRoles].sort()) !== JSON.stringify([...before.mfaRoles].sort());
        // A new or widened requirement starts everyone's grace period anew; switching it off clears it.
        const mfaRequiredSince =
          next.mfaRequirement === 'off' ? null : requirementChanged ? at : (before.mfaRequiredSince ?? at);
        const saved = { ...next, mfaRequiredSince, updatedAt: at };
        await store.savePolicy(trx, actor.organizationId, saved);
        const changes: Record<string, [unknown, unknown]> = {};
        for (const key of Object.keys(patch) as (keyof SecurityPolicy)[]) {
          if (JSON.stringify(before[key]) !== JSON.stringify(next[key]))
            changes[key] = [before[key], next[key]];
        }
        await audit.record(trx, actor, {
          action: 'security.policy_updated',
          targets: [{ type: 'organization', id: actor.organizationId }],
          changes,
        });
        const { mfaRequiredSince: _since, ...out } = saved;
        return out;
      });
    },
  };
}

export type SecurityPolicyService = ReturnType<typeof createSecurityPolicyService>;
