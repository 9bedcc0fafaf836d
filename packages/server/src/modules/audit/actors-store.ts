import type { Executor } from '../../platform/db/executor';

/**
 * Distinct actor ids of one log starting with `prefix`, in id order, at most `limit`. A skip scan
 * over the (log_id, actor_id, seq) index: one seek per id found, however many events each actor
 * has, so a prolific host-app user costs the same as a rare one.
 */
export async function actorsStartingWith(
  db: Executor,
  logId: string,
  prefix: string,
  limit: number,
): Promise<Array<{ type: string; id: string }>> {
  const found: Array<{ type: string; id: string }> = [];
  let after: string | null = null;
  while (found.length < limit) {
    let query = db.selectFrom('auditEvents').select(['actorId', 'actorType']).where('logId', '=', logId);
    query = after === null ? query.where('actorId', '>=', prefix) : query.where('actorId', '>', after);
    const row = await query.orderBy('actorId').limit(1).executeTakeFirst();
    if (!row?.actorId?.startsWith(prefix)) break;
    found.push({ type: row.actorType, id: row.actorId });
    after = row.actorId;
  }
  return found;
}
