import type { AuditSearchQuery } from '@custos/shared';
import type { Kysely } from 'kysely';
import { nowIso } from '../../platform/clock';
import type { Keyring } from '../../platform/crypto/keyring';
import { newId } from '../../platform/crypto/tokens';
import type { DB } from '../../platform/db/schema';
import { authorize, type Caller, requireUser } from '../../platform/http/caller';
import { notFound } from '../../platform/http/errors';
import type { AuditRecorder } from './recorder';

export interface SavedSearch {
  id: string;
  name: string;
  query: AuditSearchQuery;
  createdAt: string;
}

export interface AuditSettings {
  retentionDays: number | null;
  legalHold: boolean;
  updatedAt: string | null;
}

/** Saved searches (per user), retention and legal hold (per organization), and subject erasure. */
export function createAuditManagement(db: Kysely<DB>, keyring: Keyring, audit: AuditRecorder) {
  async function settingsOf(organizationId: string): Promise<AuditSettings> {
    const row = await db
      .selectFrom('auditSettings')
      .selectAll()
      .where('organizationId', '=', organizationId)
      .executeTakeFirst();
    return row
      ? { retentionDays: row.retentionDays, legalHold: row.legalHold === 1, updatedAt: row.updatedAt }
      : { retentionDays: null, legalHold: false, updatedAt: null };
  }

  return {
    async listSavedSearches(caller: Caller): Promise<SavedSearch[]> {
      const c = requireUser(authorize(caller, 'audit:read'));
      const rows = await db
        .selectFrom('auditSavedSearches')
        .selectAll()
        .where('organizationId', '=', c.organizationId)
        .where('userId', '=', c.userId)
        .orderBy('name')
        .execute();
      return rows.map((r) => ({
        id: r.id,
        name: r.name,
        query: JSON.parse(r.query),
        createdAt: r.createdAt,
      }));
    },

    async saveSearch(caller: Caller, input: { name: string; query: AuditSearchQuery }): Promise<SavedSearch> {
      const c = requireUser(authorize(caller, 'audit:read'));
      const saved = { id: newId(), name: input.name, query: input.query, createdAt: nowIso() };
      await db.transaction().execute(async (trx) => {
        await trx
          .insertInto('auditSavedSearches')
          .values({
            ...saved,
            organizationId: c.organizationId,
            userId: c.userId,
            query: JSON.stringify(input.query),
          })
          .execute();
        await audit.record(trx, c, {
          action: 'audit.saved_search_created',
          targets: [{ type: 'saved_search', id: saved.id, name: saved.name }],
          metadata: { query: input.query },
        });
      });
      return saved;
    },

    async deleteSavedSearch(caller: Caller, id: string): Promise<void> {
      const c = requireUser(authorize(caller, 'audit:read'));
      await db.transaction().execute(async (trx) => {
        const row = await trx
          .deleteFrom('auditSavedSearches')
          .where('id', '=', id)
          .where('organizationId', '=', c.organizationId)
          .where('userId', '=', c.userId)
          .returning(['name'])
          .executeTakeFirst();
        if (!row) throw notFound('SAVED_SEARCH_NOT_FOUND', 'No saved search with that id.');
        await audit.record(trx, c, {
          action: 'audit.saved_search_deleted',
          targets: [{ type: 'saved_search', id, name: row.name }],
        });
      });
    },

    async settings(caller: Caller): Promise<AuditSettings> {
      const c = authorize(caller, 'audit:read');
      return settingsOf(c.organizationId);
    },

    async updateSettings(caller: Caller, input: { retentionDays: number | null; legalHold: boolean }) {
      const c = authorize(caller, 'audit:manage');
      const before = await settingsOf(c.organizationId);
      const updatedAt = nowIso();
      await db.transaction().execute(async (trx) => {
        const values = { retentionDays: input.retentionDays, legalHold: input.legalHold ? 1 : 0, updatedAt };
        await trx
          .insertInto('auditSettings')
          .values({ organizationId: c.organizationId, ...values })
          .onConflict((oc) => oc.column('organizationId').doUpdateSet(values))
          .execute();
        await audit.record(trx, c, {
          action: 'audit.settings_updated',
          targets: [{ type: 'organization', id: c.organizationId }],
          changes: {
            retentionDays: [before.retentionDays, input.retentionDays],
            legalHold: [before.legalHold, input.legalHold],
          },
        });
      });
      return { ...input, updatedAt };
    },

    /**
     * Crypto-shredding: destroys the data keys of everything this subject could be named by (a
     * member's user id and e-mail, or a host app's subject id) and wipes the plaintext search
     * projections of their events. The sealed bytes stay, so every proof still verifies.
     */
    async eraseSubject(caller: Caller, subject: string) {
      const c = authorize(caller, 'privacy:erase');
      const refs = [`user:${subject}`, `subject:${subject}`, `email:${subject.toLowerCase()}`];
      const user = await db
        .selectFrom('users')
        .innerJoin('memberships', 'memberships.userId', 'users.id')
        .select(['users.id', 'users.email'])
        .where('memberships.organizationId', '=', c.organizationId)
        .where((eb) => eb.or([eb('users.id', '=', subject), eb('users.email', '=', subject.toLowerCase())]))
        .executeTakeFirst();
      if (user) refs.push(`user:${user.id}`, `email:${user.email}`);
      const ids = [...new Set(refs)].map((ref) => keyring.subjectId(ref));
      return db.transaction().execute(async (trx) => {
        let keysDestroyed = 0;
        for (const id of ids) keysDestroyed += await keyring.destroySubjectKey(trx, c.organizationId, id);
        const wiped = await trx
          .updateTable('auditEvents')
          .set({ searchText: null, actorIpKey: null })
          .where('logId', '=', c.organizationId)
          .where((eb) =>
            eb.or([
              eb('dataSubject', 'in', ids),
              ...(user ? [eb.and([eb('actorType', '=', 'user'), eb('actorId', '=', user.id)])] : []),
              eb.and([eb('actorType', '=', 'user'), eb('actorId', '=', subject)]),
            ]),
          )
          .executeTakeFirst();
        const eventsAffected = Number(wiped.numUpdatedRows);
        // The record of the erasure names the subject only by its keyring id: no personal data.
        await audit.record(trx, c, {
          action: 'audit.subject_erased',
          targets: [{ type: 'data_subject', id: ids[0] as string }],
          metadata: { keysDestroyed, eventsAffected },
        });
        return { keysDestroyed, eventsAffected };
      });
    },

    settingsOf,
  };
}

export type AuditManagement = ReturnType<typeof createAuditManagement>;
