import { randomBytes } from 'node:crypto';
import {
  type CreatePrivacySystemBody,
  DATA_CATEGORIES,
  type DataMapOut,
  isDataCategoryKey,
  type PrivacySystemOut,
  type SystemCategoryIn,
  type UpdatePrivacySystemBody,
} from '@custos/shared';
import type { Transaction } from 'kysely';
import type { z } from 'zod';
import type { Deps } from '../../deps';
import { nowIso } from '../../platform/clock';
import { seal } from '../../platform/crypto/keyring';
import { newId } from '../../platform/crypto/tokens';
import { isUniqueViolation } from '../../platform/db/errors';
import type { Executor } from '../../platform/db/executor';
import { toJson } from '../../platform/db/json';
import type { DB } from '../../platform/db/schema';
import { authorize, type Caller, type OrganizationCaller } from '../../platform/http/caller';
import { badRequest, conflict, notFound } from '../../platform/http/errors';
import { presentCustomCategory, presentSystem } from './present';
import * as store from './systems-store';

type CategoryIn = z.output<typeof SystemCategoryIn>;
type CreateBody = z.output<typeof CreatePrivacySystemBody>;
type UpdateBody = z.output<typeof UpdatePrivacySystemBody>;

/** The categories Custos itself holds about members, declared on its built-in system. */
const CUSTOS_CATEGORIES: { key: string; purpose: string; strategy: string }[] = [
  { key: 'identifiers.name', purpose: 'Accounts and the audit trail', strategy: 'crypto_shred' },
  { key: 'contact.email', purpose: 'Sign-in, invitations and security notices', strategy: 'crypto_shred' },
  {
    key: 'online.ip_address',
    purpose: 'Security: sessions, threat detection, audit',
    strategy: 'crypto_shred',
  },
  { key: 'online.device_id', purpose: 'Security: trusted devices and new-device alerts', strategy: 'delete' },
  { key: 'online.credentials', purpose: 'Authentication', strategy: 'delete' },
];

export const notFoundSystem = () =>
  notFound('PRIVACY_SYSTEM_NOT_FOUND', 'No such system in this organization.');

/**
 * The data map: the systems that hold personal data (Custos built in, host apps registered in the
 * console or by API key), the categories each holds with purposes, lawful basis, retention and
 * erasure strategy, and the organization's own categories. Category keys must be the taxonomy's
 * or one of the organization's `custom.` categories.
 */
export function createDataMapService(deps: Pick<Deps, 'db' | 'audit' | 'keyring'>) {
  const { db, audit, keyring } = deps;
  const secretKey = { id: 'privacy-connector', key: keyring.derivedKey('privacy connector secrets') };

  function builtInRow(organizationId: string, at: string): store.SystemRow {
    return {
      id: newId(),
      organizationId,
      kind: 'custos',
      builtIn: 'custos',
      name: 'Custos',
      owner: null,
      description: 'This control plane: accounts, memberships, sessions, devices and the audit trail.',
      webhookUrl: null,
      webhookSecretSealed: null,
      webhookSecretHint: null,
      polling: 0,
      enabled: 1,
      subjectTypes: toJson(['members']),
      storageCountry: null,
      recipients: toJson([]),
      apiKeyId: null,
      createdAt: at,
      updatedAt: at,
    };
  }

  /**
   * Every organization has the built-in system; it is made the first time the data map is read
   * (a default like the settings' defaults, so not an audited change). Two first reads at once:
   * the unique index keeps one.
   */
  async function ensureBuiltIn(organizationId: string): Promise<void> {
    if (await store.hasBuiltIn(db, organizationId)) return;
    await db.transaction().execute((trx) => ensureBuiltInIn(trx, organizationId));
  }

  /** The same inside the caller's transaction (the approval that fans tasks out). */
  async function ensureBuiltInIn(trx: Executor, organizationId: string): Promise<void> {
    if (await store.hasBuiltIn(trx, organizationId)) return;
    const at = nowIso();
    const row = builtInRow(organizationId, at);
    await store.ensureBuiltIn(trx, row);
    if (!(await store.findSystem(trx, organizationId, row.id))) return;
    const known = CUSTOS_CATEGORIES.filter((c) => isDataCategoryKey(c.key));
    await store.replaceCategories(
      trx,
      organizationId,
      row.id,
      known.map((c, position) => ({
        systemId: row.id,
        organizationId,
        categoryKey: c.key,
        purposes: toJson([{ purpose: c.purpose, lawfulBasis: 'legitimate_interests' }]),
        retentionDays: null,
        retentionTrigger: null,
        retentionAction: null,
        erasureStrategy: c.strategy,
        position,
      })),
    );
  }

  async function customMap(ex: Executor, organizationId: string) {
    const rows = await store.listCustomCategories(ex, organizationId);
    return new Map(rows.map((r) => [r.key, r]));
  }

  async function loadSystem(ex: Executor, organizationId: string, id: string): Promise<PrivacySystemOut> {
    const row = await store.findSystem(ex, organizationId, id);
    if (!row) throw notFoundSystem();
    const categories = (await store.categoriesOf(ex, organizationId)).filter((c) => c.systemId === id);
    return presentSystem(row, categories, await customMap(ex, organizationId));
  }

  /** Category entries as rows, refusing unknown keys and a key listed twice. */
  async function categoryRows(
    trx: Executor,
    organizationId: string,
    systemId: string,
    entries: CategoryIn[],
  ): Promise<store.SystemCategoryRow[]> {
    const custom = await customMap(trx, organizationId);
    const seen = new Set<string>();
    return entries.map((entry, position) => {
      if (!isDataCategoryKey(entry.categoryKey) && !custom.has(entry.categoryKey)) {
        throw badRequest(
          'PRIVACY_CATEGORY_UNKNOWN',
          `"${entry.categoryKey}" is not a data category: use a key of the taxonomy (GET /api/v1/privacy/categories) or create it as a custom category first.`,
          { categoryKey: entry.categoryKey },
        );
      }
      if (seen.has(entry.categoryKey)) {
        throw badRequest(
          'VALIDATION_FAILED',
          `"${entry.categoryKey}" is listed twice; list each category once.`,
          {
            categoryKey: entry.categoryKey,
          },
        );
      }
      seen.add(entry.categoryKey);
      return {
        systemId,
        organizationId,
        categoryKey: entry.categoryKey,
        purposes: toJson(entry.purposes),
        retentionDays: entry.retention?.periodDays ?? null,
        retentionTrigger: entry.retention?.trigger ?? null,
        retentionAction: entry.retention?.action ?? null,
        erasureStrategy: entry.erasureStrategy,
        position,
      };
    });
  }

  function newSecret(systemId: string) {
    const secret = `whsec_${randomBytes(32).toString('base64')}`;
    return {
      secret,
      sealed: seal(secretKey, secret, `privacy_system|${systemId}|webhook_secret`),
      hint: secret.slice(-4),
    };
  }

  /** A duplicate name is a 409 whether the check or the unique index catches it. */
  async function guardName<T>(work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      if (isUniqueViolation(error)) throw nameTaken();
      throw error;
    }
  }
  const nameTaken = () =>
    conflict(
      'PRIVACY_SYSTEM_NAME_TAKEN',
      'The organization already has a system of that name: choose another.',
    );

  async function checkName(trx: Transaction<DB>, c: OrganizationCaller, name: string, id?: string) {
    const existing = await store.findSystemByName(trx, c.organizationId, name);
    if (existing && existing.id !== id) throw nameTaken();
  }

  return {
    ensureBuiltIn,
    ensureBuiltInIn,

    async list(caller: Caller): Promise<PrivacySystemOut[]> {
      const c = authorize(caller, 'privacy:read');
      await ensureBuiltIn(c.organizationId);
      const [rows, categories, custom] = await Promise.all([
        store.listSystems(db, c.organizationId),
        store.categoriesOf(db, c.organizationId),
        customMap(db, c.organizationId),
      ]);
      return rows.map((row) => presentSystem(row, categories, custom));
    },

    async get(caller: Caller, id: string): Promise<PrivacySystemOut> {
      const c = authorize(caller, 'privacy:read');
      await ensureBuiltIn(c.organizationId);
      return loadSystem(db, c.organizationId, id);
    },

    async create(caller: Caller, body: CreateBody) {
      const c = authorize(caller, 'privacy:manage');
      const input = body;
      const id = newId();
      const at = nowIso();
      const secret = input.connector.webhookUrl ? newSecret(id) : null;
      return guardName(() =>
        db.transaction().execute(async (trx) => {
          await checkName(trx, c, input.name);
          await store.insertSystem(trx, {
            id,
            organizationId: c.organizationId,
            kind: 'host',
            builtIn: null,
            name: input.name,
            owner: input.owner,
            description: input.description,
            webhookUrl: input.connector.webhookUrl,
            webhookSecretSealed: secret?.sealed ?? null,
            webhookSecretHint: secret?.hint ?? null,
            polling: input.connector.polling ? 1 : 0,
            enabled: input.enabled ? 1 : 0,
            subjectTypes: toJson(input.subjectTypes),
            storageCountry: input.storageCountry,
            recipients: toJson(input.recipients),
            apiKeyId: c.kind === 'apiKey' ? c.apiKeyId : null,
            createdAt: at,
            updatedAt: at,
          });
          const rows = await categoryRows(trx, c.organizationId, id, input.categories);
          await store.replaceCategories(trx, c.organizationId, id, rows);
          await audit.record(trx, c, {
            action: 'privacy_system.created',
            targets: [{ type: 'privacy_system', id, name: input.name }],
            metadata: { categories: rows.map((r) => r.categoryKey), webhook: secret !== null },
          });
          return { ...(await loadSystem(trx, c.organizationId, id)), webhookSecret: secret?.secret ?? null };
        }),
      );
    },

    async update(caller: Caller, id: string, body: UpdateBody) {
      const c = authorize(caller, 'privacy:manage');
      const input = body;
      await ensureBuiltIn(c.organizationId);
      return guardName(() =>
        db.transaction().execute(async (trx) => {
          const row = await store.findSystem(trx, c.organizationId, id);
          if (!row) throw notFoundSystem();
          if (row.kind === 'custos' && (input.connector !== undefined || input.name !== undefined)) {
            throw conflict(
              'PRIVACY_SYSTEM_BUILT_IN',
              'The built-in Custos system keeps its name and needs no connector; change its other fields only.',
            );
          }
          if (input.name !== undefined) await checkName(trx, c, input.name, id);
          const webhookChanged =
            input.connector !== undefined && input.connector.webhookUrl !== row.webhookUrl;
          const secret = webhookChanged && input.connector?.webhookUrl ? newSecret(id) : null;
          const set = {
            ...(input.name !== undefined ? { name: input.name } : {}),
            ...(input.owner !== undefined ? { owner: input.owner } : {}),
            ...(input.description !== undefined ? { description: input.description } : {}),
            ...(input.enabled !== undefined ? { enabled: input.enabled ? 1 : 0 } : {}),
            ...(input.subjectTypes !== undefined ? { subjectTypes: toJson(input.subjectTypes) } : {}),
            ...(input.storageCountry !== undefined ? { storageCountry: input.storageCountry } : {}),
            ...(input.recipients !== undefined ? { recipients: toJson(input.recipients) } : {}),
            ...(input.connector !== undefined
              ? {
                  webhookUrl: input.connector.webhookUrl,
                  polling: input.connector.polling ? 1 : 0,
                  ...(webhookChanged
                    ? { webhookSecretSealed: secret?.sealed ?? null, webhookSecretHint: secret?.hint ?? null }
                    : {}),
                }
              : {}),
            updatedAt: nowIso(),
          };
          await store.updateSystem(trx, c.organizationId, id, set);
          await audit.record(trx, c, {
            action: 'privacy_system.updated',
            targets: [{ type: 'privacy_system', id, name: input.name ?? row.name }],
            metadata: { fields: Object.keys(input), newWebhookSecret: secret !== null },
          });
          return { ...(await loadSystem(trx, c.organizationId, id)), webhookSecret: secret?.secret ?? null };
        }),
      );
    },

    async remove(caller: Caller, id: string): Promise<void> {
      const c = authorize(caller, 'privacy:manage');
      await ensureBuiltIn(c.organizationId);
      await db.transaction().execute(async (trx) => {
        const row = await store.findSystem(trx, c.organizationId, id);
        if (!row) throw notFoundSystem();
        if (row.kind === 'custos') {
          throw conflict(
            'PRIVACY_SYSTEM_BUILT_IN',
            'The built-in Custos system cannot be deleted: Custos always holds its members’ data.',
          );
        }
        await store.deleteSystem(trx, c.organizationId, id);
        await audit.record(trx, c, {
          action: 'privacy_system.deleted',
          targets: [{ type: 'privacy_system', id, name: row.name }],
        });
      });
    },

    async putCategories(caller: Caller, id: string, entries: CategoryIn[]) {
      const c = authorize(caller, 'privacy:manage');
      await ensureBuiltIn(c.organizationId);
      return db.transaction().execute(async (trx) => {
        const row = await store.findSystem(trx, c.organizationId, id);
        if (!row) throw notFoundSystem();
        const before = (await store.categoriesOf(trx, c.organizationId))
          .filter((r) => r.systemId === id)
          .map((r) => r.categoryKey);
        const rows = await categoryRows(trx, c.organizationId, id, entries);
        await store.replaceCategories(trx, c.organizationId, id, rows);
        await store.updateSystem(trx, c.organizationId, id, { updatedAt: nowIso() });
        await audit.record(trx, c, {
          action: 'privacy_system.categories_updated',
          targets: [{ type: 'privacy_system', id, name: row.name }],
          changes: { categories: [before, rows.map((r) => r.categoryKey)] },
        });
        return loadSystem(trx, c.organizationId, id);
      });
    },

    /** The whole map, with one flattened row per system, category and purpose (a ROPA's lines). */
    async dataMap(caller: Caller): Promise<DataMapOut> {
      const c = authorize(caller, 'privacy:read');
      await ensureBuiltIn(c.organizationId);
      const [rows, categories, customRows] = await Promise.all([
        store.listSystems(db, c.organizationId),
        store.categoriesOf(db, c.organizationId),
        store.listCustomCategories(db, c.organizationId),
      ]);
      const custom = new Map(customRows.map((r) => [r.key, r]));
      const systems = rows.map((row) => presentSystem(row, categories, custom));
      const activities = systems.flatMap((system) =>
        system.categories.flatMap((category) => {
          const purposes = category.purposes.length > 0 ? category.purposes : [null];
          return purposes.map((p) => ({
            systemId: system.id,
            systemName: system.name,
            categoryKey: category.categoryKey,
            categoryName: category.name,
            special: category.special,
            purpose: p?.purpose ?? null,
            lawfulBasis: p?.lawfulBasis ?? null,
            subjectTypes: system.subjectTypes,
            recipients: system.recipients,
            storageCountry: system.storageCountry,
            retention: category.retention,
          }));
        }),
      );
      return {
        organizationId: c.organizationId,
        generatedAt: nowIso(),
        systems,
        customCategories: customRows.map(presentCustomCategory),
        activities,
      };
    },

    /** The taxonomy and the organization's own categories. */
    async categories(caller: Caller) {
      const c = authorize(caller, 'privacy:read');
      return {
        builtIn: DATA_CATEGORIES.map((d) => ({
          key: d.key,
          name: d.name,
          description: d.description,
          group: d.group,
          special: d.special,
          phi: d.phi,
        })),
        custom: (await store.listCustomCategories(db, c.organizationId)).map(presentCustomCategory),
      };
    },
  };
}

export type DataMapService = ReturnType<typeof createDataMapService>;
