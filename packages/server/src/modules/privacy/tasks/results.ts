import { createHash } from 'node:crypto';
import type { Transaction } from 'kysely';
import { newId } from '../../../platform/crypto/tokens';
import type { Executor } from '../../../platform/db/executor';
import type { DB } from '../../../platform/db/schema';
import type { RequestRow } from '../requests-store';
import type { SubjectSeal } from '../subject-seal';
import * as store from './store';

/** The largest result one task may upload (bytes of its JSON). */
export const MAX_RESULT_BYTES = 5 * 1024 * 1024;
/** What the complete route accepts on the wire: the result plus room for the envelope. */
export const COMPLETE_BODY_LIMIT = MAX_RESULT_BYTES + 64 * 1024;

/** Why a result is refused, for the task's lastError and the 4xx answer; null when it is fine. */
export function resultProblem(result: unknown): { status: 400 | 413; reason: string } | null {
  if (result === null || typeof result !== 'object') {
    return { status: 400, reason: 'The result must be a JSON object or array.' };
  }
  const size = Buffer.byteLength(JSON.stringify(result));
  if (size > MAX_RESULT_BYTES) {
    return {
      status: 413,
      reason: `The result is ${size} bytes; at most ${MAX_RESULT_BYTES} are accepted. Split it or leave out bulk files.`,
    };
  }
  return null;
}

const field = (taskId: string) => `task_result|${taskId}`;

/**
 * Stores a result sealed under the subject's key (erasing the subject makes it unreadable),
 * with its SHA-256 and size; answers the result's id.
 */
export async function storeResult(
  trx: Transaction<DB>,
  seal: SubjectSeal,
  request: RequestRow,
  taskId: string,
  result: unknown,
  at: string,
): Promise<string> {
  const json = JSON.stringify(result);
  const sealed = await seal.sealFields(trx, request.organizationId, request.subjectKey, request.id, {
    [field(taskId)]: json,
  });
  const id = newId();
  await store.deleteResultsOf(trx, request.organizationId, taskId);
  await store.insertResult(trx, {
    id,
    organizationId: request.organizationId,
    taskId,
    contentSealed: sealed[field(taskId)] as string,
    contentType: 'application/json',
    sizeBytes: Buffer.byteLength(json),
    sha256: createHash('sha256').update(json).digest('hex'),
    createdAt: at,
  });
  return id;
}

/** A task's result, opened; null when there is none or the subject's key is destroyed. */
export async function readResult(
  db: Executor,
  seal: SubjectSeal,
  request: Pick<RequestRow, 'id' | 'organizationId'>,
  taskId: string,
): Promise<unknown | null> {
  const [row] = await store.resultsOf(db, request.organizationId, [taskId]);
  if (!row) return null;
  const opener = await seal.opener(db, request.organizationId, [row.contentSealed]);
  const json = opener(request.id, field(taskId), row.contentSealed);
  return json === null ? null : (JSON.parse(json) as unknown);
}
