import { createCipheriv, createDecipheriv, createHmac, hkdfSync, randomBytes } from 'node:crypto';
import { nowIso } from '../clock';
import type { Executor } from '../db/executor';
import { memoizeText } from '../memo';
import * as keyStore from './keyring-store';
import { newId, pooledRandomBytes } from './tokens';

/**
 * A three-level keyring: the master key (configuration or data directory) wraps one key-encryption
 * key per scope (an organization's log), which wraps one data key per subject. Destroying a subject's
 * data key makes everything sealed under it unreadable — crypto-shredding — without touching the
 * sealed bytes, so hashes over them (the audit Merkle tree) stay valid.
 */
export interface DataKey {
  id: string;
  key: Buffer;
}

const SEALED_PREFIX = 'custos:enc:v1:';
const IV_BYTES = 12;
const TAG_BYTES = 16;

export function isSealed(value: unknown): value is string {
  return typeof value === 'string' && value.startsWith(SEALED_PREFIX);
}

/** AES-256-GCM; the context (e.g. event id and field) is bound as associated data. */
export function seal(dataKey: DataKey, plaintext: string, context: string): string {
  const iv = pooledRandomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', dataKey.key, iv);
  cipher.setAAD(Buffer.from(context));
  const body = Buffer.concat([iv, cipher.update(plaintext, 'utf8'), cipher.final(), cipher.getAuthTag()]);
  return `${SEALED_PREFIX}${dataKey.id}:${body.toString('base64url')}`;
}

/** The id of the data key a sealed value needs. */
export function sealedKeyId(sealed: string): string {
  return sealed.slice(SEALED_PREFIX.length, sealed.indexOf(':', SEALED_PREFIX.length));
}

/** Opens a sealed value, or returns null when the key is gone or the value was tampered with. */
export function open(key: Buffer | undefined, sealed: string, context: string): string | null {
  if (!key) return null;
  const raw = Buffer.from(sealed.slice(sealed.indexOf(':', SEALED_PREFIX.length) + 1), 'base64url');
  if (raw.length < IV_BYTES + TAG_BYTES) return null;
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, raw.subarray(0, IV_BYTES));
    decipher.setAAD(Buffer.from(context));
    decipher.setAuthTag(raw.subarray(raw.length - TAG_BYTES));
    return Buffer.concat([
      decipher.update(raw.subarray(IV_BYTES, raw.length - TAG_BYTES)),
      decipher.final(),
    ]).toString('utf8');
  } catch {
    return null;
  }
}

function wrap(kek: Buffer, key: Buffer, context: string): string {
  return seal({ id: 'w', key: kek }, key.toString('base64'), context);
}

function unwrap(kek: Buffer, wrapped: string, context: string): Buffer {
  const opened = open(kek, wrapped, context);
  if (opened === null) throw new Error(`keyring: cannot unwrap key (${context}); wrong master key?`);
  return Buffer.from(opened, 'base64');
}

const MAX_CACHED = 50_000;

export class Keyring {
  /** Unwrapped keys by id. Safe to fill from any read: an id only ever names one key. */
  private readonly unwrapped = new Map<string, Buffer>();
  /** (scope, purpose, subject) → key id, only for keys known to be committed and live. */
  private readonly committed = new Map<string, string>();
  private readonly subjectSecret: Buffer;

  constructor(private readonly masterKey: Buffer) {
    if (masterKey.length !== 32) throw new Error('keyring: the master key must be 32 bytes');
    this.subjectSecret = Buffer.from(
      hkdfSync('sha256', masterKey, Buffer.alloc(0), 'custos subject ids', 32),
    );
  }

  /**
   * A key for one purpose of Custos' own secrets (TOTP seeds, the recovery-code pepper), derived from
   * the master key with HKDF so each purpose has its own and none is stored.
   */
  derivedKey(purpose: string): Buffer {
    return Buffer.from(hkdfSync('sha256', this.masterKey, Buffer.alloc(0), `custos ${purpose}`, 32));
  }

  /**
   * A stable, non-reversible name for a subject (so the keyring holds no e-mail addresses). Every
   * audited change asks it about the same few actors: remembered (the names are pseudonyms, not keys).
   * The memo holds the refs themselves (which may name an e-mail address) in this process's memory
   * only, never on disk, and forgets them all once it holds 10,000.
   */
  readonly subjectId = memoizeText((subjectRef: string) =>
    createHmac('sha256', this.subjectSecret).update(subjectRef).digest('hex').slice(0, 40),
  );

  /**
   * Data keys for subjects of one scope, created inside `trx` when missing. Pass `promote` to learn
   * the new mappings only once the caller knows the transaction committed.
   */
  async dataKeysFor(
    trx: Executor,
    scope: string,
    subjects: string[],
  ): Promise<{ keys: Map<string, DataKey>; promote: () => void }> {
    const keys = new Map<string, DataKey>();
    const missing: string[] = [];
    for (const subject of new Set(subjects)) {
      const id = this.committed.get(cacheKey(scope, subject));
      const key = id ? this.unwrapped.get(id) : undefined;
      if (id && key) keys.set(subject, { id, key });
      else missing.push(subject);
    }
    if (missing.length === 0) return { keys, promote: () => {} };
    const kek = await this.scopeKey(trx, scope);
    const learned = new Map<string, string>();
    for (let i = 0; i < missing.length; i += 500) {
      const chunk = missing.slice(i, i + 500);
      const rows = await keyStore.liveSubjectKeys(trx, scope, chunk);
      for (const row of rows) {
        if (!row.subject || !row.wrapped) continue;
        const key = this.remember(row.id, () =>
          unwrap(kek, row.wrapped as string, `${scope}|${row.subject}`),
        );
        keys.set(row.subject, { id: row.id, key });
        learned.set(row.subject, row.id);
      }
    }
    const toCreate = missing.filter((s) => !keys.has(s));
    if (toCreate.length > 0) {
      const created = await this.createDataKeys(trx, scope, kek, toCreate);
      for (const [subject, key] of created) {
        keys.set(subject, key);
        learned.set(subject, key.id);
      }
    }
    return {
      keys,
      promote: () => {
        for (const [subject, id] of learned) this.committed.set(cacheKey(scope, subject), id);
        this.trim();
      },
    };
  }

  /**
   * Creates data keys for subjects; a subject whose key another transaction created meanwhile
   * (ON CONFLICT DO NOTHING on the live-key index) gets that one instead.
   */
  private async createDataKeys(
    trx: Executor,
    scope: string,
    kek: Buffer,
    subjects: string[],
  ): Promise<Map<string, DataKey>> {
    const result = new Map<string, DataKey>();
    const at = nowIso();
    for (let i = 0; i < subjects.length; i += 500) {
      const fresh = subjects
        .slice(i, i + 500)
        .map((subject) => ({ subject, id: newId(), key: randomBytes(32) }));
      const inserted = await keyStore.insertKeys(
        trx,
        fresh.map((k) => ({
          id: k.id,
          scope,
          purpose: 'subject',
          subject: k.subject,
          wrapped: wrap(kek, k.key, `${scope}|${k.subject}`),
          createdAt: at,
        })),
      );
      const insertedIds = new Set(inserted.map((r) => r.id));
      for (const k of fresh) {
        if (!insertedIds.has(k.id)) continue;
        this.remember(k.id, () => k.key);
        result.set(k.subject, { id: k.id, key: k.key });
      }
    }
    const lost = subjects.filter((s) => !result.has(s));
    if (lost.length > 0) {
      const { keys } = await this.dataKeysFor(trx, scope, lost);
      for (const [subject, key] of keys) result.set(subject, key);
    }
    return result;
  }

  /** Live data keys by id, for opening sealed values; destroyed keys are simply absent. */
  async liveKeys(db: Executor, scope: string, ids: string[]): Promise<Map<string, Buffer>> {
    const result = new Map<string, Buffer>();
    const unique = [...new Set(ids)];
    if (unique.length === 0) return result;
    let kek: Buffer | null = null;
    for (let i = 0; i < unique.length; i += 500) {
      const rows = await keyStore.liveKeysById(db, scope, unique.slice(i, i + 500));
      for (const row of rows) {
        if (!row.wrapped) continue;
        const cached = this.unwrapped.get(row.id);
        if (cached) {
          result.set(row.id, cached);
          continue;
        }
        kek ??= await this.scopeKey(db, scope);
        const key = this.remember(row.id, () =>
          unwrap(kek as Buffer, row.wrapped as string, `${scope}|${row.subject}`),
        );
        result.set(row.id, key);
      }
    }
    return result;
  }

  /** Destroys a subject's data key (the wrapped bytes are deleted, not just flagged). */
  async destroySubjectKey(trx: Executor, scope: string, subject: string): Promise<number> {
    const rows = await keyStore.destroySubjectKeys(trx, scope, subject);
    this.committed.delete(cacheKey(scope, subject));
    for (const row of rows) this.unwrapped.delete(row.id);
    return rows.length;
  }

  /** The scope's key-encryption key, created (inside the caller's transaction) on first use. */
  private async scopeKey(db: Executor, scope: string): Promise<Buffer> {
    const row = await keyStore.liveScopeKey(db, scope);
    if (row?.wrapped) {
      const wrapped = row.wrapped;
      return this.remember(row.id, () => unwrap(this.masterKey, wrapped, `scope|${scope}`));
    }
    const id = newId();
    const key = randomBytes(32);
    await keyStore.insertKeys(db, [
      {
        id,
        scope,
        purpose: 'scope',
        subject: null,
        wrapped: wrap(this.masterKey, key, `scope|${scope}`),
        createdAt: nowIso(),
      },
    ]);
    // Another writer may have won the race: read back whichever key is live.
    return this.scopeKey(db, scope);
  }

  private remember(id: string, load: () => Buffer): Buffer {
    const cached = this.unwrapped.get(id);
    if (cached) return cached;
    const key = load();
    this.unwrapped.set(id, key);
    return key;
  }

  private trim(): void {
    for (const map of [this.unwrapped, this.committed] as Map<string, unknown>[]) {
      if (map.size <= MAX_CACHED) continue;
      const excess = map.size - MAX_CACHED;
      let i = 0;
      for (const key of map.keys()) {
        if (i++ >= excess) break;
        map.delete(key);
      }
    }
  }
}

const cacheKey = (scope: string, subject: string) => `${scope}\u0000${subject}`;
