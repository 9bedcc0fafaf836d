import { createHash } from 'node:crypto';
import type { AuditEventInputParsed, AuditReceipt } from '@custos/shared';
import type { Kysely } from 'kysely';
import { isoAfter, nowIso } from '../../platform/clock';
import { newId } from '../../platform/crypto/tokens';
import { isUniqueViolation } from '../../platform/db/errors';
import type { DB } from '../../platform/db/schema';
import { authorize, type Caller } from '../../platform/http/caller';
import { badRequest, conflict } from '../../platform/http/errors';
import type { GroupCommitter } from './committer';
import type { AuditDraft } from './seal';
import * as store from './store';

const IDEMPOTENCY_TTL_MS = 24 * 3_600_000;
const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,255}$/;

export interface IngestResult {
  receipts: AuditReceipt[];
  /** True when an earlier request with the same Idempotency-Key already wrote these events. */
  replayed: boolean;
}

/** Host-app ingestion: validation is done by the route schema; this owns permission and idempotency. */
export function createIngestion(db: Kysely<DB>, committer: GroupCommitter) {
  const inFlight = new Map<string, Promise<IngestResult>>();

  async function replay(
    organizationId: string,
    key: string,
    requestHash: string,
  ): Promise<IngestResult | null> {
    const row = await store.findIdempotencyKey(db, organizationId, key, nowIso());
    if (!row) return null;
    if (row.requestHash !== requestHash) {
      throw conflict(
        'IDEMPOTENCY_KEY_REUSED',
        'This Idempotency-Key was used for a different request in the last 24 hours. Use a new key.',
      );
    }
    return { receipts: JSON.parse(row.response) as AuditReceipt[], replayed: true };
  }

  async function write(
    organizationId: string,
    drafts: AuditDraft[],
    key: string | undefined,
    requestHash: string,
  ): Promise<IngestResult> {
    if (!key)
      return { receipts: await committer.submit(organizationId, drafts, null, 'host'), replayed: false };
    const earlier = await replay(organizationId, key, requestHash);
    if (earlier) return earlier;
    const idempotency = { organizationId, key, requestHash, expiresAt: isoAfter(IDEMPOTENCY_TTL_MS) };
    try {
      return {
        receipts: await committer.submit(organizationId, drafts, idempotency, 'host'),
        replayed: false,
      };
    } catch (error) {
      // Another server process took the key first: answer with what it wrote.
      if (!isUniqueViolation(error)) throw error;
      const winner = await replay(organizationId, key, requestHash);
      if (!winner) throw error;
      return winner;
    }
  }

  return {
    async ingest(
      caller: Caller,
      inputs: AuditEventInputParsed[],
      idempotencyKey: string | undefined,
    ): Promise<IngestResult> {
      const c = authorize(caller, 'audit:write');
      if (idempotencyKey !== undefined && !IDEMPOTENCY_KEY.test(idempotencyKey)) {
        throw badRequest(
          'IDEMPOTENCY_KEY_INVALID',
          'Idempotency-Key must be 1–255 visible ASCII characters.',
        );
      }
      const receivedAt = nowIso();
      const drafts = inputs.map((input) => draftOf(input, c.organizationId, receivedAt));
      const requestHash = idempotencyKey
        ? createHash('sha256').update(JSON.stringify(inputs)).digest('hex')
        : '';
      const flightKey = `${c.organizationId}\u0000${idempotencyKey}`;
      const running = idempotencyKey ? inFlight.get(flightKey) : undefined;
      if (running) {
        const result = await running;
        return (await replay(c.organizationId, idempotencyKey as string, requestHash)) ?? result;
      }
      const promise = write(c.organizationId, drafts, idempotencyKey, requestHash);
      if (!idempotencyKey) return promise;
      inFlight.set(flightKey, promise);
      try {
        return await promise;
      } finally {
        inFlight.delete(flightKey);
      }
    },
  };
}

/** The draft one parsed input becomes (exported for the raw-insert benchmark baseline). */
export function draftOf(
  input: AuditEventInputParsed,
  organizationId: string,
  receivedAt: string,
): AuditDraft {
  const actor = (a: NonNullable<AuditEventInputParsed['impersonator']>) => ({
    type: a.type,
    id: a.id ?? null,
    name: a.name ?? null,
    ...(a.email !== undefined ? { email: a.email } : {}),
    ip: a.ip ?? null,
    userAgent: a.userAgent ?? null,
  });
  return {
    id: newId(),
    organizationId,
    occurredAt: input.occurredAt ? new Date(input.occurredAt).toISOString() : receivedAt,
    receivedAt,
    actor: actor(input.actor),
    impersonator: input.impersonator ? actor(input.impersonator) : null,
    action: input.action,
    outcome: input.outcome,
    targets: input.targets.map((t) => ({
      type: t.type,
      id: t.id,
      ...(t.name !== undefined ? { name: t.name } : {}),
    })),
    source: input.source,
    requestId: input.requestId ?? null,
    changes: (input.changes as AuditDraft['changes']) ?? null,
    metadata: (input.metadata as AuditDraft['metadata']) ?? null,
    personal: input.personal,
    subjectRef: input.subject ? `subject:${input.subject}` : null,
  };
}

export type Ingestion = ReturnType<typeof createIngestion>;
