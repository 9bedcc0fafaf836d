import type { CreateOrganizationResult, OrganizationOut, OrganizationSummary } from '@custos/shared';
import type { Deps } from '../../deps';
import { authorize, type Caller, requireSuperAdmin } from '../../platform/http/caller';
import { notFound } from '../../platform/http/errors';
import { identity, presentOrganization } from '../identity';
import type { InvitationsService } from '../invitations';

export function createOrganizationsService(deps: Deps & { invitations: InvitationsService }) {
  const { db, invitations, audit } = deps;
  return {
    async rename(caller: Caller, name: string): Promise<OrganizationOut> {
      const c = authorize(caller, 'organization:manage');
      return db.transaction().execute(async (trx) => {
        const before = await identity.findOrganization(trx, c.organizationId);
        if (!before) throw notFound('ORGANIZATION_NOT_FOUND', 'The organization no longer exists.');
        await identity.renameOrganization(trx, c.organizationId, name);
        await audit.record(trx, c, {
          action: 'organization.updated',
          targets: [{ type: 'organization', id: c.organizationId, name }],
          changes: { name: [before.name, name] },
        });
        return presentOrganization({ ...before, name });
      });
    },

    async listAll(caller: Caller): Promise<OrganizationSummary[]> {
      requireSuperAdmin(caller);
      const rows = await identity.listOrganizationsWithCounts(db);
      return rows.map((r) => ({ ...presentOrganization(r), memberCount: r.memberCount }));
    },

    /**
     * A super admin creates an organization. Without an owner e-mail (or with their own) they become
     * its owner; otherwise the named person is invited as owner.
     */
    async create(
      caller: Caller,
      input: { name: string; ownerEmail?: string },
    ): Promise<CreateOrganizationResult> {
      const admin = requireSuperAdmin(caller);
      const inviteOther = input.ownerEmail !== undefined && input.ownerEmail !== admin.email;
      const { organization, invitation } = await db.transaction().execute(async (trx) => {
        const org = await identity.insertOrganization(trx, input.name);
        const inOrg = {
          ...admin,
          organizationId: org.id,
          permissions: new Set(['members:invite' as const]),
          roles: ['owner'],
        };
        await audit.record(trx, inOrg, {
          action: 'organization.created',
          targets: [{ type: 'organization', id: org.id, name: org.name }],
          metadata: { ownerEmail: input.ownerEmail ?? admin.email },
          personal: ['ownerEmail'],
          ...(input.ownerEmail ? { subjectRef: `email:${input.ownerEmail}` } : {}),
        });
        if (!inviteOther || !input.ownerEmail) {
          await identity.insertMembership(trx, org.id, admin.userId, ['owner']);
          return { organization: org, invitation: null };
        }
        const created = await invitations.createInTransaction(trx, inOrg, input.ownerEmail, ['owner']);
        return { organization: org, invitation: { ...created, email: input.ownerEmail } };
      });
      const inviteUrl = invitation
        ? await invitations.deliver(
            organization,
            admin.name,
            invitation.email,
            invitation.id,
            invitation.token,
          )
        : undefined;
      return { organization: presentOrganization(organization), ...(inviteUrl ? { inviteUrl } : {}) };
    },
  };
}

export type OrganizationsService = ReturnType<typeof createOrganizationsService>;
