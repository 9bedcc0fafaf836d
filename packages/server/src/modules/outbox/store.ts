import type { OutboxMessage } from '@custos/shared';
import type { Kysely } from 'kysely';
import { nowIso } from '../../platform/clock';
import { newId } from '../../platform/crypto/tokens';
import type { DB } from '../../platform/db/schema';

export async function insertMessage(
  db: Kysely<DB>,
  input: {
    organizationId: string | null;
    recipient: string;
    subject: string;
    bodyText: string | null;
    status: string;
    error: string | null;
  },
): Promise<void> {
  await db
    .insertInto('outbox')
    .values({ id: newId(), createdAt: nowIso(), ...input })
    .execute();
}

export async function listMessages(db: Kysely<DB>, limit: number): Promise<OutboxMessage[]> {
  const rows = await db
    .selectFrom('outbox')
    .selectAll()
    .orderBy('createdAt', 'desc')
    .orderBy('id', 'desc')
    .limit(limit)
    .execute();
  return rows.map((r) => ({
    id: r.id,
    organizationId: r.organizationId,
    to: r.recipient,
    subject: r.subject,
    text: r.bodyText,
    status: r.status as OutboxMessage['status'],
    error: r.error,
    createdAt: r.createdAt,
  }));
}
