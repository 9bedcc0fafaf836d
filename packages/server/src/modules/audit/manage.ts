import type { AuditSearchQuery } from '@custos/shared';
import type { Kysely, Transaction } from 'kysely';
import { nowIso } from '../../platform/clock';
import type { Keyring } from '../../platform/crypto/keyring';
import { newId } from '../../platform/crypto/tokens';
import type { DB } from '../../platform/db/schema';
import { authorize, type Caller, requireStepUp, requireUser } from '../../platform/http/caller';
import { notFound } from '../../platform/http/errors';
import { identity } from '../identity';
import type { AuditRecorder } from './recorder';
import * as store from './store';

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
  async function settingsOf(
    organizationId: string,
    executor: Kysely<DB> | Transaction<DB> = db,
  ): Promise<AuditSettings> {
    const row = await store.readSettings(executor, organizationId);
    return row
      ? { retentionDays: row.retentionDays, legalHold: row.legalHold === 1, updatedAt: row.updatedAt }
      : { retentionDays: null, legalHold: false, updatedAt: null };
  }

  /** The organization's member named by id or e-mail, if the subject is one. */
  async function memberNamed(organizationId: string, subject: string) {
    const user =
      (await identity.findUserById(db, subject)) ??
      (await identity.findUserByEmail(db, subject.toLowerCase()));
    if (!user) return undefined;
    return (await identity.findMembership(db, organizationId, user.id)) ? user : undefined;
  }

  return {
    async listSavedSearches(caller: Caller): Promise<SavedSearch[]> {
      const c = requireUser(authorize(caller, 'audit:read'));
      const rows = await store.listSavedSearches(db, c.organizationId, c.userId);
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
        await store.insertSavedSearch(trx, c.organizationId, c.userId, {
          ...saved,
          query: JSON.stringify(input.query),
        });
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
        const name = await store.deleteSavedSearch(trx, c.organizationId, c.userId, id);
        if (name === undefined) throw notFound('SAVED_SEARCH_NOT_FOUND', 'No saved search with that id.');
        await audit.record(trx, c, {
          action: 'audit.saved_search_deleted',
          targets: [{ type: 'saved_search', id, name }],
        });
      });
    },

    async settings(caller: Caller): Promise<AuditSettings> {
      const c = authorize(caller, 'audit:read');
      return settingsOf(c.organizationId);
    },

    async updateSettings(caller: Caller, input: { retentionDays: number | null; legalHold: boolean }) {
      const c = authorize(caller, 'audit:manage');
      const updatedAt = nowIso();
      await db.transaction().execute(async (trx) => {
        const before = await settingsOf(c.organizationId, trx);
        await store.upsertSettings(trx, c.organizationId, {
          retentionDays: input.retentionDays,
          legalHold: input.legalHold ? 1 : 0,
          updatedAt,
        });
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
      requireStepUp(c);
      const refs = [`user:${subject}`, `subject:${subject}`, `email:${subject.toLowerCase()}`];
      const member = await memberNamed(c.organizationId, subject);
      if (member) refs.push(`user:${member.id}`, `email:${member.email}`);
      const ids = [...new Set(refs)].map((ref) => keyring.subjectId(ref));
      const actorIds = member ? [subject, member.id] : [subject];
      return db.transaction().execute(async (trx) => {
        let keysDestroyed = 0;
        for (const id of ids) keysDestroyed += await keyring.destroySubjectKey(trx, c.organizationId, id);
        const eventsAffected = await store.wipeSubjectProjections(trx, c.organizationId, ids, actorIds);
        // The record of the erasure names the subject only by its keyring id: no personal data.
        await audit.record(trx, c, {
          action: 'audit.subject_erased',
          targets: [{ type: 'data_subject', id: ids[0] as string }],
          metadata: { keysDestroyed, eventsAffected },
        });
        return { keysDestroyed, eventsAffected };
      });
    },
  };
}

export type AuditManagement = ReturnType<typeof createAuditManagement>;
