import type { Executor } from '../../platform/db/executor';
import { identity } from '../identity';

/** What other modules may tell access control inside their transactions. */
export const accessPorts = {
  /**
   * Something a compiled access policy reads has changed (an IP block placed or lifted): the
   * organization's access version moves, so every server recompiles its policy.
   */
  policyInputsChanged: (trx: Executor, organizationId: string) =>
    identity.bumpAccessVersion(trx, organizationId),
};
