import type { InvitationOut, InvitationPreview, InviteResult } from '@custos/shared';
import type { Transaction } from 'kysely';
import type { Deps } from '../../deps';
import { isoAfter, nowIso } from '../../platform/clock';
import { assertAcceptablePassword, hashPassword } from '../../platform/crypto/passwords';
import { hashToken, newId, randomToken } from '../../platform/crypto/tokens';
import type { DB } from '../../platform/db/schema';
import {
  authorize,
  type Caller,
  type OrganizationCaller,
  type RequestMeta,
} from '../../platform/http/caller';
import { badRequest, conflict, notFound } from '../../platform/http/errors';
import { type AccessPolicies, assertRolesExist, assertRolesGrantable, type RuleEnforcer } from '../access';
import type { AuthService, SignInOutcome } from '../auth';
import { identity, type OrganizationRow, type UserRow } from '../identity';
import { resetFactors } from '../mfa';
import type { OutboxService } from '../outbox';
import type { SessionsService } from '../sessions';
import type { InvitationRow } from './store';
import * as store from './store';

export const INVITATION_TTL_MS = 7 * 86_400_000;

export interface InvitationsDeps extends Deps {
  auth: AuthService;
  sessions: SessionsService;
  outbox: OutboxService;
  accessPolicies: AccessPolicies;
  ruleEnforcer: Pick<RuleEnforcer, 'checkSignIn'>;
}

export function createInvitationsService(deps: InvitationsDeps) {
  const { db, config, auth, outbox, audit } = deps;

  /** A usable invitation for `token`, or a 400 that does not say which check failed. */
  async function pendingInvitation(db2: typeof db | Transaction<DB>, token: string) {
    const invitation = await store.findByTokenHash(db2, hashToken(token));
    if (!invitation || invitation.acceptedAt || invitation.revokedAt || invitation.expiresAt <= nowIso()) {
      throw badRequest(
        'INVITATION_INVALID',
        'This invitation link is invalid, used or expired. Ask for a new one.',
      );
    }
    const organization = await identity.findOrganization(db2, invitation.organizationId);
    if (!organization)
      throw badRequest('INVITATION_INVALID', 'This invitation link is invalid, used or expired.');
    return { invitation, organization };
  }

  /**
   * Creates an invitation inside `trx` (replacing any pending one for the same e-mail) and records
   * `invitation.sent`. Returns the one-time token; the caller delivers it after commit.
   */
  async function createInTransaction(
    trx: Transaction<DB>,
    c: OrganizationCaller,
    email: string,
    roles: string[],
  ): Promise<{ id: string; token: string }> {
    const replaced = await store.findPendingForEmail(trx, c.organizationId, email);
    for (const old of replaced) await store.markRevoked(trx, c.organizationId, old.id);
    const id = newId();
    const token = randomToken(32);
    await store.insertInvitation(trx, {
      id,
      organizationId: c.organizationId,
      email,
      roles,
      tokenHash: hashToken(token),
      invitedBy: c.kind === 'user' ? c.userId : null,
      expiresAt: isoAfter(INVITATION_TTL_MS),
    });
    await audit.record(trx, c, {
      action: 'invitation.sent',
      targets: [{ type: 'invitation', id }],
      metadata: { email, roles, replaced: replaced.map((r) => r.id) },
      personal: ['email'],
      subjectRef: `email:${email}`,
    });
    return { id, token };
  }

  const linkFor = (token: string) => `${config.publicUrl}/invite#token=${token}`;

  /** E-mails the link when SMTP is configured; otherwise returns it for the inviter to pass on. */
  async function deliver(
    organization: OrganizationRow,
    inviterName: string,
    email: string,
    id: string,
    token: string,
  ) {
    const inviteUrl = linkFor(token);
    const result = await outbox.deliver(organization.id, {
      to: email,
      subject: `You are invited to ${organization.name} on Custos`,
      text: [
        `${inviterName} invited you to join ${organization.name} on Custos.`,
        '',
        `Accept the invitation: ${inviteUrl}`,
        '',
        'The link works once and expires in 7 days. If you did not expect it, ignore this message.',
      ].join('\n'),
    });
    if (result.status === 'sent') {
      await store.markEmailed(db, organization.id, id);
      return undefined;
    }
    return inviteUrl;
  }

  async function findOut(organizationId: string, id: string): Promise<InvitationOut> {
    const found = (await store.listPending(db, organizationId)).find((i) => i.id === id);
    if (!found) throw notFound('INVITATION_NOT_FOUND', 'No such pending invitation.');
    return found;
  }

  return {
    createInTransaction,
    deliver,

    async list(caller: Caller): Promise<InvitationOut[]> {
      const c = authorize(caller, 'members:read');
      return store.listPending(db, c.organizationId);
    },

    async invite(caller: Caller, email: string, roles: string[]): Promise<InviteResult> {
      const c = authorize(caller, 'members:invite');
      const wanted = [...new Set(roles)].sort();
      const access = await deps.accessPolicies.current(db, c.organizationId);
      assertRolesExist(access, wanted);
      assertRolesGrantable(c, access, wanted);
      const organization = await identity.findOrganization(db, c.organizationId);
      if (!organization) throw notFound('ORGANIZATION_NOT_FOUND', 'The organization no longer exists.');
      const { id, token } = await db.transaction().execute(async (trx) => {
        const existing = await identity.findUserByEmail(trx, email);
        if (existing && (await identity.findMembership(trx, c.organizationId, existing.id))) {
          throw conflict('MEMBER_ALREADY_EXISTS', `${email} is already a member of this organization.`);
        }
        return createInTransaction(trx, c, email, wanted);
      });
      const inviteUrl = await deliver(organization, c.name, email, id, token);
      return { invitation: await findOut(c.organizationId, id), ...(inviteUrl ? { inviteUrl } : {}) };
    },

    async revoke(caller: Caller, id: string): Promise<void> {
      const c = authorize(caller, 'members:invite');
      await db.transaction().execute(async (trx) => {
        const invitation = await store.findInvitation(trx, c.organizationId, id);
        if (!invitation || invitation.acceptedAt || invitation.revokedAt) {
          throw notFound('INVITATION_NOT_FOUND', 'No such pending invitation.');
        }
        await store.markRevoked(trx, c.organizationId, id);
        await audit.record(trx, c, {
          action: 'invitation.revoked',
          targets: [{ type: 'invitation', id }],
          metadata: { email: invitation.email },
          personal: ['email'],
          subjectRef: `email:${invitation.email}`,
        });
      });
    },

    /**
     * A new link for a pending invitation: the old one stops working and the expiry starts anew.
     * By default it is e-mailed as at creation (answered only when no e-mail went out); with
     * `copyLink` it is answered for the admin to pass on by hand instead, and, since the admin has
     * seen it, it no longer proves the mailbox (an e-mailed link may set up an unconfirmed account).
     * The caller must be able to grant the invitation's roles, as when inviting.
     */
    async resend(caller: Caller, id: string, options: { copyLink: boolean }): Promise<InviteResult> {
      const c = authorize(caller, 'members:invite');
      const organization = await identity.findOrganization(db, c.organizationId);
      if (!organization) throw notFound('ORGANIZATION_NOT_FOUND', 'The organization no longer exists.');
      const token = randomToken(32);
      const invitation = await db.transaction().execute(async (trx) => {
        const found = await store.findInvitation(trx, c.organizationId, id);
        if (!found || found.acceptedAt || found.revokedAt) {
          throw notFound('INVITATION_NOT_FOUND', 'No such pending invitation.');
        }
        assertRolesGrantable(c, await deps.accessPolicies.current(trx, c.organizationId), found.roles);
        if (
          !(await store.rotateToken(trx, c.organizationId, id, hashToken(token), isoAfter(INVITATION_TTL_MS)))
        ) {
          throw notFound('INVITATION_NOT_FOUND', 'No such pending invitation.');
        }
        await audit.record(trx, c, {
          action: 'invitation.resent',
          targets: [{ type: 'invitation', id }],
          metadata: { email: found.email, delivery: options.copyLink ? 'link' : 'email' },
          personal: ['email'],
          subjectRef: `email:${found.email}`,
        });
        return found;
      });
      const inviteUrl = options.copyLink
        ? linkFor(token)
        : await deliver(organization, c.name, invitation.email, id, token);
      return { invitation: await findOut(c.organizationId, id), ...(inviteUrl ? { inviteUrl } : {}) };
    },

    async preview(token: string): Promise<InvitationPreview> {
      const { invitation, organization } = await pendingInvitation(db, token);
      const existing = await identity.findUserByEmail(db, invitation.email);
      return {
        organizationName: organization.name,
        email: invitation.email,
        existingUser: !!existing,
        choosePassword: choosesPassword(existing, invitation),
        expiresAt: invitation.expiresAt,
      };
    },

    /**
     * Joins the organization and leaves the person signed in. A new person, or the owner of an
     * unconfirmed account who holds an e-mailed link, chooses name and password; any other existing
     * account proves itself with its password (rate-limited like sign-in).
     */
    async accept(
      meta: RequestMeta,
      input: { token: string; name?: string; password: string },
    ): Promise<SignInOutcome> {
      const { invitation, organization } = await pendingInvitation(db, input.token);
      const existing = await identity.findUserByEmail(db, invitation.email);
      let chosen: { name: string; passwordHash: string } | null = null;
      if (choosesPassword(existing, invitation)) {
        if (!input.name) {
          throw badRequest('VALIDATION_FAILED', 'name: Required to set up the account', [
            { path: 'name', message: 'Required to set up the account' },
          ]);
        }
        assertAcceptablePassword(input.password, { email: invitation.email });
        chosen = { name: input.name, passwordHash: await hashPassword(input.password) };
      } else {
        await auth.verifyCredentials(meta, invitation.email, input.password, organization.id);
      }
      // The organization's access rules apply to joining as to any sign-in: refused before anything
      // is written (the invitation stays usable from an allowed network).
      await deps.ruleEnforcer.checkSignIn({
        user: {
          id: existing?.id ?? invitation.email,
          name: existing?.name ?? input.name ?? invitation.email,
        },
        organizationId: organization.id,
        roles: invitation.roles,
        meta,
      });
      return db.transaction().execute(async (trx) => {
        // An account with a second factor joins only once it is given: the password alone (which
        // the inviter might know) changes nothing; the MFA step finishes the acceptance.
        if (existing && !chosen && existing.mfaEnabledAt) {
          if (await identity.findMembership(trx, organization.id, existing.id)) {
            throw conflict('MEMBER_ALREADY_EXISTS', 'You are already a member of this organization.');
          }
          return auth.completeSignIn(trx, existing, organization, meta, invitation.id);
        }
        const member = await joiningUser(trx, meta, invitation, organization.id, existing, chosen);
        await join(trx, meta, invitation, member);
        return auth.completeSignIn(trx, member, organization, meta);
      });
    },

    /** Where an acceptance waiting for the second factor would land, for the access-rule check. */
    async targetOf(invitationId: string): Promise<{ id: string; roles: string[] } | null> {
      const invitation = await store.findById(db, invitationId);
      return invitation ? { id: invitation.organizationId, roles: invitation.roles } : null;
    },

    /** The rest of an acceptance that waited for the second factor (called by the MFA step). */
    async joinAfterMfa(trx: Transaction<DB>, invitationId: string, user: UserRow, meta: RequestMeta) {
      const invitation = await store.findById(trx, invitationId);
      const organization = invitation && (await identity.findOrganization(trx, invitation.organizationId));
      if (
        !invitation ||
        !organization ||
        invitation.email !== user.email ||
        invitation.expiresAt <= nowIso()
      ) {
        throw badRequest(
          'INVITATION_INVALID',
          'This invitation link is invalid, used or expired. Ask for a new one.',
        );
      }
      await join(trx, meta, invitation, user);
      return organization;
    },
  };

  /** Uses the invitation once and makes the user a member with its roles. */
  async function join(trx: Transaction<DB>, meta: RequestMeta, invitation: InvitationRow, member: UserRow) {
    if (!(await store.markAccepted(trx, invitation.id))) {
      throw badRequest(
        'INVITATION_INVALID',
        'This invitation link is invalid, used or expired. Ask for a new one.',
      );
    }
    if (await identity.findMembership(trx, invitation.organizationId, member.id)) {
      throw conflict('MEMBER_ALREADY_EXISTS', 'You are already a member of this organization.');
    }
    await identity.insertMembership(trx, invitation.organizationId, member.id, invitation.roles);
    await audit.record(
      trx,
      { kind: 'anonymous', meta },
      {
        action: 'invitation.accepted',
        organizationId: invitation.organizationId,
        actor: { type: 'user', id: member.id, name: member.name },
        targets: [
          { type: 'invitation', id: invitation.id },
          { type: 'user', id: member.id },
        ],
        metadata: { roles: invitation.roles },
      },
    );
  }

  /**
   * The account that joins: a new one (confirmed when the link was e-mailed), an existing one, or an
   * unconfirmed one taken over by the mailbox's owner: new name and password, every session ended.
   */
  async function joiningUser(
    trx: Transaction<DB>,
    meta: RequestMeta,
    invitation: InvitationRow,
    organizationId: string,
    existing: UserRow | undefined,
    chosen: { name: string; passwordHash: string } | null,
  ): Promise<UserRow> {
    const anonymous: Caller = { kind: 'anonymous', meta };
    if (!existing) {
      const created = await identity.insertUser(trx, {
        email: invitation.email,
        name: chosen?.name ?? '',
        passwordHash: chosen?.passwordHash ?? '',
        isSuperAdmin: false,
        emailVerified: invitation.emailed,
      });
      await audit.record(trx, anonymous, {
        action: 'user.created',
        organizationId,
        actor: { type: 'user', id: created.id, name: created.name },
        targets: [{ type: 'user', id: created.id }],
        metadata: { email: created.email, via: 'invitation', emailVerified: invitation.emailed },
        personal: ['email'],
      });
      return created;
    }
    if (invitation.emailed) await identity.markEmailVerified(trx, existing.id);
    if (!chosen) return existing;
    // Ends the sessions the link's holder may have opened, and any impersonation they started.
    await identity.setPassword(trx, existing.id, chosen.passwordHash, 'account_reclaimed');
    await identity.updateUserName(trx, existing.id, chosen.name);
    // Factors the link's holder may have added go too: the mailbox's owner starts clean.
    await resetFactors(trx, existing.id);
    await audit.record(trx, anonymous, {
      action: 'user.password_changed',
      organizationId,
      actor: { type: 'user', id: existing.id, name: chosen.name },
      targets: [{ type: 'user', id: existing.id }],
      changes: { name: [existing.name, chosen.name] },
      personal: ['changes.name'],
      metadata: { reason: 'unconfirmed_account_reclaimed_by_mailbox_owner', sessionsEnded: true },
    });
    return { ...existing, name: chosen.name, passwordHash: chosen.passwordHash, mfaEnabledAt: null };
  }
}

/**
 * Accepting sets the account's name and password for a new account, or for an unconfirmed one (made
 * through a link passed on by hand) when this link came by e-mail: whoever holds it owns the mailbox.
 */
function choosesPassword(user: UserRow | undefined, invitation: InvitationRow): boolean {
  return !user || (user.emailVerifiedAt === null && invitation.emailed);
}

export type InvitationsService = ReturnType<typeof createInvitationsService>;
