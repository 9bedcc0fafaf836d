import type { Deps } from '../../deps';
import { type Caller, systemMeta } from '../../platform/http/caller';
import { notFound } from '../../platform/http/errors';
import { identity, type OrganizationRow } from '../identity';
import { disableAllRules } from './rules-store';
import { bumpAccessVersion } from './store';

const SYSTEM: Caller = { kind: 'anonymous', meta: systemMeta() };

/**
 * Break-glass for an organization whose admins locked themselves out (`custos access-rules
 * disable`): every enabled rule is switched off, not deleted, so they can be reviewed and switched
 * back on from the console. Recorded as a system action in the organization's log.
 */
export async function disableOrganizationAccessRules(
  deps: Pick<Deps, 'db' | 'audit'>,
  organizationRef: string,
): Promise<{ organization: OrganizationRow; disabled: string[] }> {
  const organization = await identity.findOrganization(deps.db, organizationRef);
  if (!organization)
    throw notFound('ORGANIZATION_NOT_FOUND', `There is no organization "${organizationRef}".`);
  const disabled = await deps.db.transaction().execute(async (trx) => {
    await bumpAccessVersion(trx, organization.id);
    const ids = await disableAllRules(trx, organization.id);
    await deps.audit.record(trx, SYSTEM, {
      action: 'access_rule.updated',
      organizationId: organization.id,
      targets: ids.map((id) => ({ type: 'access_rule', id })),
      changes: { enabled: [true, false] },
      metadata: { via: 'cli', reason: 'break_glass', disabled: ids.length },
    });
    return ids;
  });
  return { organization, disabled };
}
