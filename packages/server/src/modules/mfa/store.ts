import type { AuthenticatorTransportFuture } from '@simplewebauthn/server';
import { CompiledQuery, type Kysely } from 'kysely';
import { nowIso } from '../../platform/clock';
import { newId } from '../../platform/crypto/tokens';
import type { Dialect } from '../../platform/db/database';
import type { Executor } from '../../platform/db/executor';
import { parseJson } from '../../platform/db/json';
import type { DB } from '../../platform/db/schema';

export interface FactorRow {
  id: string;
  userId: string;
  type: 'totp' | 'passkey';
  name: string;
  secretSealed: string | null;
  lastUsedStep: number | null;
  credentialId: string | null;
  publicKey: string | null;
  signCount: number | null;
  transports: AuthenticatorTransportFuture[];
  backedUp: boolean | null;
  confirmedAt: string | null;
  createdAt: string;
  lastUsedAt: string | null;
}

type RawFactor = Awaited<ReturnType<typeof selectFactors>>[number];

function selectFactors(db: Executor) {
  return db.selectFrom('mfaFactors').selectAll().execute();
}

function toFactor(row: RawFactor): FactorRow {
  const transports = row.transports == null ? [] : parseJson<unknown>(row.transports);
  return {
    ...row,
    type: row.type === 'passkey' ? 'passkey' : 'totp',
    transports: Array.isArray(transports) ? (transports.map(String) as AuthenticatorTransportFuture[]) : [],
    backedUp: row.backedUp == null ? null : row.backedUp === 1,
  };
}

/** A user's confirmed factors, oldest first. */
export async function listFactors(db: Executor, userId: string): Promise<FactorRow[]> {
  const rows = await db
    .selectFrom('mfaFactors')
    .selectAll()
    .where('userId', '=', userId)
    .where('confirmedAt', 'is not', null)
    .orderBy('createdAt')
    .orderBy('id')
    .execute();
  return rows.map(toFactor);
}

/** One of the user's factors (confirmed or not); another user's factor is simply not found. */
export async function findFactor(
  db: Executor,
  userId: string,
  factorId: string,
): Promise<FactorRow | undefined> {
  const row = await db
    .selectFrom('mfaFactors')
    .selectAll()
    .where('userId', '=', userId)
    .where('id', '=', factorId)
    .executeTakeFirst();
  return row ? toFactor(row) : undefined;
}

export async function findPasskeyByCredentialId(
  db: Executor,
  credentialId: string,
): Promise<FactorRow | undefined> {
  const row = await db
    .selectFrom('mfaFactors')
    .selectAll()
    .where('credentialId', '=', credentialId)
    .where('type', '=', 'passkey')
    .where('confirmedAt', 'is not', null)
    .executeTakeFirst();
  return row ? toFactor(row) : undefined;
}

export async function insertTotpFactor(
  trx: Executor,
  input: { id: string; userId: string; name: string; secretSealed: string },
): Promise<void> {
  await trx
    .insertInto('mfaFactors')
    .values({
      ...input,
      type: 'totp',
      createdAt: nowIso(),
      confirmedAt: null,
      lastUsedAt: null,
      lastUsedStep: null,
    })
    .execute();
}

export async function insertPasskeyFactor(
  trx: Executor,
  input: {
    userId: string;
    name: string;
    credentialId: string;
    publicKey: string;
    signCount: number;
    transports: string[];
    backedUp: boolean;
  },
): Promise<string> {
  const id = newId();
  const at = nowIso();
  await trx
    .insertInto('mfaFactors')
    .values({
      id,
      userId: input.userId,
      type: 'passkey',
      name: input.name,
      credentialId: input.credentialId,
      publicKey: input.publicKey,
      signCount: input.signCount,
      transports: JSON.stringify(input.transports),
      backedUp: input.backedUp ? 1 : 0,
      createdAt: at,
      confirmedAt: at,
      lastUsedAt: null,
    })
    .execute();
  return id;
}

/** Unfinished TOTP enrolments of the user are dropped when a new one starts. */
export async function deleteUnconfirmedFactors(trx: Executor, userId: string): Promise<void> {
  await trx.deleteFrom('mfaFactors').where('userId', '=', userId).where('confirmedAt', 'is', null).execute();
}

/** Confirms an enrolment once: false when another request confirmed it first. */
export async function confirmFactor(trx: Executor, factorId: string, step: number): Promise<boolean> {
  const at = nowIso();
  const result = await trx
    .updateTable('mfaFactors')
    .set({ confirmedAt: at, lastUsedStep: step, lastUsedAt: at })
    .where('id', '=', factorId)
    .where('confirmedAt', 'is', null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/** The claim statement for a batch of `size`, built once per size and dialect (the text never changes). */
const claimStatements = new Map<string, string>();
function claimStatementFor(dialect: Dialect, size: number): string {
  const cacheKey = `${dialect}:${size}`;
  let text = claimStatements.get(cacheKey);
  if (!text) {
    const p = dialect === 'postgres' ? (i: number) => `$${i}` : () => '?';
    const stepType = dialect === 'postgres' ? 'bigint' : 'integer';
    const rows = Array.from({ length: size }, (_, i) => {
      const [id, user, step] = [p(2 + i * 3), p(3 + i * 3), p(4 + i * 3)];
      return i === 0
        ? `select ${id} as id, ${user} as user_id, cast(${step} as ${stepType}) as step`
        : `select ${id}, ${user}, cast(${step} as ${stepType})`;
    }).join(' union all ');
    text =
      `update mfa_factors set last_used_step = v.step, last_used_at = ${p(1)} from (${rows}) as v ` +
      'where mfa_factors.id = v.id and mfa_factors.user_id = v.user_id and mfa_factors.confirmed_at is not null ' +
      'and (mfa_factors.last_used_step is null or mfa_factors.last_used_step < v.step) ' +
      'returning mfa_factors.id as id, mfa_factors.last_used_step as step';
    claimStatements.set(cacheKey, text);
  }
  return text;
}

/**
 * Accepts TOTP time steps only where each is later than its factor's last accepted one, in one
 * conditional UPDATE: of two concurrent uses of one code exactly one moves the row, on either
 * database (a factor may appear only once per call). A factor removed meanwhile, or another user's,
 * matches no row. Answers the steps accepted, by factor id. Run it on a Kysely without plugins: the
 * columns are already named as read.
 */
export async function claimTotpSteps(
  db: Kysely<DB>,
  dialect: Dialect,
  claims: ReadonlyArray<{ factorId: string; userId: string; step: number }>,
): Promise<Map<string, number>> {
  const parameters: unknown[] = [nowIso()];
  for (const c of claims) parameters.push(c.factorId, c.userId, c.step);
  const result = await db.executeQuery<{ id: string; step: number }>(
    CompiledQuery.raw(claimStatementFor(dialect, claims.length), parameters),
  );
  return new Map(result.rows.map((r) => [r.id, Number(r.step)]));
}

/** Stores a passkey's new signature counter, only forward (a concurrent older assertion loses). */
export async function advancePasskeyCounter(
  db: Executor,
  factorId: string,
  from: number,
  to: number,
): Promise<boolean> {
  const result = await db
    .updateTable('mfaFactors')
    .set({ signCount: to, lastUsedAt: nowIso() })
    .where('id', '=', factorId)
    .where('signCount', '=', from)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

export async function renameFactor(trx: Executor, factorId: string, name: string): Promise<void> {
  await trx.updateTable('mfaFactors').set({ name }).where('id', '=', factorId).execute();
}

export async function deleteFactor(trx: Executor, factorId: string): Promise<void> {
  await trx.deleteFrom('mfaFactors').where('id', '=', factorId).execute();
}

// ---- recovery codes ----

export async function replaceRecoveryCodes(trx: Executor, userId: string, hashes: string[]): Promise<void> {
  await trx.deleteFrom('recoveryCodes').where('userId', '=', userId).execute();
  const at = nowIso();
  await trx
    .insertInto('recoveryCodes')
    .values(hashes.map((codeHash) => ({ id: newId(), userId, codeHash, createdAt: at, usedAt: null })))
    .execute();
}

export async function deleteRecoveryCodes(trx: Executor, userId: string): Promise<void> {
  await trx.deleteFrom('recoveryCodes').where('userId', '=', userId).execute();
}

export async function unusedRecoveryCodes(db: Executor, userId: string) {
  return db
    .selectFrom('recoveryCodes')
    .select(['id', 'codeHash'])
    .where('userId', '=', userId)
    .where('usedAt', 'is', null)
    .execute();
}

/** Uses a recovery code once: true only for the one request that marks it used. */
export async function useRecoveryCode(db: Executor, userId: string, codeId: string): Promise<boolean> {
  const result = await db
    .updateTable('recoveryCodes')
    .set({ usedAt: nowIso() })
    .where('userId', '=', userId)
    .where('id', '=', codeId)
    .where('usedAt', 'is', null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

export async function recoveryCodeStatus(
  db: Executor,
  userId: string,
): Promise<{ remaining: number; generatedAt: string } | null> {
  const rows = await db
    .selectFrom('recoveryCodes')
    .select(['usedAt', 'createdAt'])
    .where('userId', '=', userId)
    .execute();
  const first = rows[0];
  if (!first) return null;
  return { remaining: rows.filter((r) => r.usedAt === null).length, generatedAt: first.createdAt };
}

// ---- challenges (sign-in MFA step, WebAuthn ceremonies) ----

export type ChallengeKind = 'sign_in_mfa' | 'passkey_sign_in' | 'passkey_registration' | 'step_up_passkey';

export interface ChallengeRow {
  id: string;
  kind: string;
  userId: string | null;
  sessionId: string | null;
  organizationId: string | null;
  webauthnChallenge: string | null;
  invitationId: string | null;
  attempts: number;
  createdAt: string;
  expiresAt: string;
  consumedAt: string | null;
}

const CHALLENGE_COLUMNS = [
  'id',
  'kind',
  'userId',
  'sessionId',
  'organizationId',
  'webauthnChallenge',
  'invitationId',
  'attempts',
  'createdAt',
  'expiresAt',
  'consumedAt',
] as const;

export async function insertChallenge(
  trx: Executor,
  input: {
    tokenHash: string;
    kind: ChallengeKind;
    userId: string | null;
    sessionId: string | null;
    organizationId: string | null;
    webauthnChallenge: string | null;
    invitationId?: string | null;
    expiresAt: string;
  },
): Promise<void> {
  await trx
    .insertInto('authChallenges')
    .values({ id: newId(), invitationId: null, ...input, createdAt: nowIso(), consumedAt: null })
    .execute();
}

/** A challenge of this kind that is unused and unexpired, or undefined. */
export async function findChallenge(
  db: Executor,
  tokenHash: string,
  kind: ChallengeKind,
): Promise<ChallengeRow | undefined> {
  return db
    .selectFrom('authChallenges')
    .select(CHALLENGE_COLUMNS)
    .where('tokenHash', '=', tokenHash)
    .where('kind', '=', kind)
    .where('consumedAt', 'is', null)
    .where('expiresAt', '>', nowIso())
    .executeTakeFirst();
}

export async function setChallengeWebauthn(
  db: Executor,
  id: string,
  webauthnChallenge: string,
): Promise<void> {
  await db.updateTable('authChallenges').set({ webauthnChallenge }).where('id', '=', id).execute();
}

/**
 * Takes one of a challenge's attempts before its answer is checked, atomically: parallel answers
 * cannot all pass a read-then-count check, so a challenge is never tried more than `max` times.
 * False when none is left, or the challenge was used meanwhile.
 */
export async function takeAttempt(db: Executor, id: string, max: number): Promise<boolean> {
  const result = await db
    .updateTable('authChallenges')
    .set((eb) => ({ attempts: eb('attempts', '+', 1) }))
    .where('id', '=', id)
    .where('attempts', '<', max)
    .where('consumedAt', 'is', null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/** Marks a challenge used; false when another request used it first. */
export async function consumeChallenge(db: Executor, id: string): Promise<boolean> {
  const result = await db
    .updateTable('authChallenges')
    .set({ consumedAt: nowIso() })
    .where('id', '=', id)
    .where('consumedAt', 'is', null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/** Expired or used challenges older than a day are of no further use. */
export async function deleteStaleChallenges(db: Executor, before: string): Promise<void> {
  await db.deleteFrom('authChallenges').where('expiresAt', '<', before).execute();
}

/**
 * The open challenge of a kind that belongs to a session and carries this WebAuthn challenge (step-up
 * with a passkey). Matching the challenge, not taking the newest, lets the answer to any open
 * ceremony of the session count: a second request for options (another tab, a re-render) does not
 * void the prompt the user is answering.
 */
export async function findSessionChallenge(
  db: Executor,
  sessionId: string,
  kind: ChallengeKind,
  webauthnChallenge: string,
): Promise<ChallengeRow | undefined> {
  return db
    .selectFrom('authChallenges')
    .select(CHALLENGE_COLUMNS)
    .where('sessionId', '=', sessionId)
    .where('kind', '=', kind)
    .where('webauthnChallenge', '=', webauthnChallenge)
    .where('consumedAt', 'is', null)
    .where('expiresAt', '>', nowIso())
    .executeTakeFirst();
}

export async function deleteAllFactors(trx: Executor, userId: string): Promise<void> {
  await trx.deleteFrom('mfaFactors').where('userId', '=', userId).execute();
}

// ---- summaries for an admin's member list (read only) ----

/** Ids per query: well under both databases' limit on bound parameters. */
const ID_CHUNK = 500;

function chunks<T>(items: readonly T[]): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += ID_CHUNK) out.push(items.slice(i, i + ID_CHUNK));
  return out;
}

/** Confirmed factors per user and kind. */
export async function countFactorsByUser(
  db: Executor,
  userIds: readonly string[],
): Promise<Array<{ userId: string; type: 'totp' | 'passkey'; count: number }>> {
  const out: Array<{ userId: string; type: 'totp' | 'passkey'; count: number }> = [];
  for (const ids of chunks(userIds)) {
    const rows = await db
      .selectFrom('mfaFactors')
      .select(['userId', 'type', (eb) => eb.fn.countAll<number | string>().as('n')])
      .where('userId', 'in', ids)
      .where('confirmedAt', 'is not', null)
      .groupBy(['userId', 'type'])
      .execute();
    for (const r of rows)
      out.push({ userId: r.userId, type: r.type === 'passkey' ? 'passkey' : 'totp', count: Number(r.n) });
  }
  return out;
}

/** Of these users, those with at least one unused recovery code. */
export async function usersWithUnusedRecoveryCodes(
  db: Executor,
  userIds: readonly string[],
): Promise<string[]> {
  const out: string[] = [];
  for (const ids of chunks(userIds)) {
    const rows = await db
      .selectFrom('recoveryCodes')
      .select('userId')
      .distinct()
      .where('userId', 'in', ids)
      .where('usedAt', 'is', null)
      .execute();
    for (const r of rows) out.push(r.userId);
  }
  return out;
}
