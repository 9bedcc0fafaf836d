import type { Transaction } from 'kysely';
import type { Deps } from '../../deps';
import { isoAfter } from '../../platform/clock';
import { assertAcceptablePassword, hashPassword } from '../../platform/crypto/passwords';
import { hashToken, randomToken } from '../../platform/crypto/tokens';
import type { DB } from '../../platform/db/schema';
import { type Caller, type RequestMeta, systemMeta } from '../../platform/http/caller';
import { badRequest, conflict, forbidden } from '../../platform/http/errors';
import type { AuthService, IssuedSession } from '../auth';
import { identity, type OrganizationRow, type UserRow } from '../identity';
import * as store from './store';

const SETUP_TOKEN_TTL_MS = 24 * 3_600_000;

export interface FirstAdminInput {
  email: string;
  name: string;
  password: string;
  organizationName: string;
}

export function createSetupService(deps: Deps & { auth: AuthService }) {
  const { db, config, auth, audit } = deps;

  /** Creates a super admin who owns a new organization, all audited, inside `trx`. */
  async function createSuperAdmin(
    trx: Transaction<DB>,
    input: FirstAdminInput,
    passwordHash: string,
    meta: RequestMeta,
  ) {
    if (await identity.findUserByEmail(trx, input.email)) {
      throw conflict('EMAIL_TAKEN', 'An account with that e-mail already exists.');
    }
    const user = await identity.insertUser(trx, {
      email: input.email,
      name: input.name,
      passwordHash,
      isSuperAdmin: true,
      emailVerified: true,
    });
    const organization = await identity.insertOrganization(trx, input.organizationName);
    await identity.insertMembership(trx, organization.id, user.id, ['owner']);
    const caller: Caller = { kind: 'anonymous', meta };
    const actor = { type: 'user' as const, id: user.id, name: user.name };
    await audit.record(trx, caller, {
      action: 'user.created',
      organizationId: organization.id,
      actor,
      targets: [{ type: 'user', id: user.id }],
      metadata: { email: user.email, superAdmin: true, via: meta.source === 'system' ? 'cli' : 'setup' },
      personal: ['email'],
    });
    await audit.record(trx, caller, {
      action: 'organization.created',
      organizationId: organization.id,
      actor,
      targets: [{ type: 'organization', id: organization.id, name: organization.name }],
    });
    return { user, organization };
  }

  return {
    async isRequired(): Promise<boolean> {
      return (await identity.countUsers(db)) === 0;
    },

    /** On a start with no users: a fresh one-time link for the operator, else null. */
    async issueSetupLink(): Promise<string | null> {
      if ((await identity.countUsers(db)) > 0) return null;
      const token = randomToken(32);
      await store.replaceSetupToken(db, hashToken(token), isoAfter(SETUP_TOKEN_TTL_MS));
      return `${config.publicUrl}/setup#token=${token}`;
    },

    async complete(meta: RequestMeta, input: FirstAdminInput & { token: string }): Promise<IssuedSession> {
      assertAcceptablePassword(input.password, { email: input.email });
      const passwordHash = await hashPassword(input.password);
      return db.transaction().execute(async (trx) => {
        if ((await identity.countUsers(trx)) > 0) {
          throw forbidden('SETUP_ALREADY_DONE', 'Custos is already set up. Sign in instead.');
        }
        if (!(await store.useSetupToken(trx, hashToken(input.token)))) {
          throw badRequest(
            'SETUP_TOKEN_INVALID',
            'This setup link is invalid or expired. Restart Custos to print a new one.',
          );
        }
        const { user, organization } = await createSuperAdmin(trx, input, passwordHash, meta);
        return auth.issueSession(trx, user, organization, meta);
      });
    },

    /** For automation (`custos admin create`): no link, no prompt. */
    async createAdminFromCli(
      input: FirstAdminInput,
    ): Promise<{ user: UserRow; organization: OrganizationRow }> {
      assertAcceptablePassword(input.password, { email: input.email });
      const passwordHash = await hashPassword(input.password);
      return db.transaction().execute((trx) => createSuperAdmin(trx, input, passwordHash, systemMeta()));
    },
  };
}

export type SetupService = ReturnType<typeof createSetupService>;
