import type { OutboxMessage } from '@custos/shared';
import type { Kysely } from 'kysely';
import { nowIso } from '../../platform/clock';
import { newId } from '../../platform/crypto/tokens';
import type { Executor } from '../../platform/db/executor';
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

/** Mail no longer waiting to go (every status the sender leaves behind is final). */
const FINISHED = ['sent', 'undelivered', 'failed'];

/** Privacy retention: how many of an organization's finished mails were written before `cutoff`. */
export async function countFinishedMailBefore(
  db: Executor,
  organizationId: string,
  cutoff: string,
): Promise<number> {
  const row = await db
    .selectFrom('outbox')
    .select((eb) => eb.fn.countAll<string | number>().as('n'))
    .where('organizationId', '=', organizationId)
    .where('status', 'in', FINISHED)
    .where('createdAt', '<', cutoff)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** Privacy retention: removes them; answers how many. */
export async function deleteFinishedMailBefore(
  db: Executor,
  organizationId: string,
  cutoff: string,
): Promise<number> {
  const result = await db
    .deleteFrom('outbox')
    .where('organizationId', '=', organizationId)
    .where('status', 'in', FINISHED)
    .where('createdAt', '<', cutoff)
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}
