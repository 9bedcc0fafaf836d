import type { Executor } from '../../platform/db/executor';
import * as store from './store';

/** What other modules may ask of the security policy inside their transactions. */
export const securityPolicyPorts = {
  /** The roles the organization's policy requires MFA of (access control keeps such a role from deletion). */
  async mfaRoles(db: Executor, organizationId: string): Promise<string[]> {
    return (await store.findPolicy(db, organizationId))?.mfaRoles ?? [];
  },
};
