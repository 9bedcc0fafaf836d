import { type ApiKeyOut, type CreateApiKeyBody, type CreateApiKeyResult, isPermission } from '@custos/shared';
import type { Deps } from '../../deps';
import { isoAfter } from '../../platform/clock';
import { hashToken, newId, randomToken } from '../../platform/crypto/tokens';
import {
  type ApiKeyCaller,
  authorize,
  type Caller,
  type RequestMeta,
  requireStepUp,
  requireUser,
} from '../../platform/http/caller';
import { conflict, forbidden, notFound } from '../../platform/http/errors';
import type { AccessPolicies } from '../access';
import * as store from './store';

/** Every key starts with this, so a leaked key is recognisable (secret scanners) and routable. */
export const API_KEY_PREFIX = 'custos_';
const TOUCH_INTERVAL_MS = 60_000;

export function isApiKeyToken(token: string): boolean {
  return token.startsWith(API_KEY_PREFIX);
}

export function createApiKeysService(deps: Deps & { accessPolicies: AccessPolicies }) {
  const { db, audit, accessPolicies } = deps;
  return {
    async list(caller: Caller): Promise<ApiKeyOut[]> {
      const c = authorize(caller, 'apikeys:read');
      return store.listKeys(db, c.organizationId);
    },

    /** The secret is returned once and only its hash is stored. */
    async create(caller: Caller, input: CreateApiKeyBody): Promise<CreateApiKeyResult> {
      const c = authorize(caller, 'apikeys:manage');
      const user = requireUser(c);
      requireStepUp(user);
      const permissions = [...new Set(input.permissions)].sort();
      const missing = permissions.filter((p) => !isPermission(p) || !c.permissions.has(p));
      if (missing.length > 0) {
        throw forbidden(
          'PERMISSION_NOT_GRANTABLE',
          'A key cannot hold permissions you do not hold yourself.',
          { missing },
        );
      }
      const id = newId();
      const prefix = `${API_KEY_PREFIX}${randomToken(6)}`;
      const secret = `${prefix}_${randomToken(32)}`;
      await db.transaction().execute(async (trx) => {
        await store.insertKey(trx, {
          id,
          organizationId: c.organizationId,
          name: input.name,
          prefix,
          keyHash: hashToken(secret),
          permissions,
          createdBy: user.userId,
          expiresAt: input.expiresInDays ? isoAfter(input.expiresInDays * 86_400_000) : null,
        });
        await audit.record(trx, c, {
          action: 'api_key.created',
          targets: [{ type: 'api_key', id, name: input.name }],
          metadata: { permissions, expiresInDays: input.expiresInDays ?? null },
        });
      });
      const apiKey = await store.findKey(db, c.organizationId, id);
      if (!apiKey) throw notFound('API_KEY_NOT_FOUND', 'The API key vanished while it was created.');
      return { apiKey, secret };
    },

    async revoke(caller: Caller, id: string): Promise<ApiKeyOut> {
      const c = authorize(caller, 'apikeys:manage');
      return db.transaction().execute(async (trx) => {
        const key = await store.findKey(trx, c.organizationId, id);
        if (!key) throw notFound('API_KEY_NOT_FOUND', 'No such API key in this organization.');
        if (key.revokedAt) throw conflict('CONFLICT', 'This API key is already revoked.');
        await store.revokeKey(trx, c.organizationId, id);
        await audit.record(trx, c, {
          action: 'api_key.revoked',
          targets: [{ type: 'api_key', id, name: key.name }],
        });
        const revoked = await store.findKey(trx, c.organizationId, id);
        return revoked ?? key;
      });
    },

    /** Resolves a presented key to its caller, or null when unknown, revoked or expired. */
    async authenticate(secret: string, meta: RequestMeta): Promise<ApiKeyCaller | null> {
      const key = await store.findKeyByHash(db, hashToken(secret));
      const now = new Date();
      const nowText = now.toISOString();
      if (!key || key.revokedAt || (key.expiresAt && key.expiresAt <= nowText)) return null;
      // A key never outlives or exceeds its creator's access in the organization.
      if (!key.creatorRoles) return null;
      const access = await accessPolicies.at(db, key.organizationId, key.accessVersion);
      const creatorMay = access.grantsOf(key.creatorRoles).custos;
      if (!key.lastUsedAt || now.getTime() - Date.parse(key.lastUsedAt) > TOUCH_INTERVAL_MS) {
        await store.touchKey(db, key.id, nowText);
      }
      return {
        kind: 'apiKey',
        apiKeyId: key.id,
        name: key.name,
        organizationId: key.organizationId,
        permissions: new Set(key.permissions.filter(isPermission).filter((p) => creatorMay.has(p))),
        accessVersion: access.version,
        meta: { ...meta, source: 'api' },
      };
    },
  };
}

export type ApiKeysService = ReturnType<typeof createApiKeysService>;
