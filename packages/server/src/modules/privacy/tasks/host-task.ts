import type { PrivacyHostTask, PrivacyTaskOut } from '@custos/shared';
import type { Executor } from '../../../platform/db/executor';
import { parseJson } from '../../../platform/db/json';
import * as requests from '../requests-store';
import type { SubjectSeal } from '../subject-seal';
import type { TaskResultRow, TaskRow } from './store';

/**
 * Tasks as a host system receives them: the subject's address and what they asked are opened from
 * the request's seals at send time (never stored in the task), so an erased subject sends null.
 */
export async function hostTasks(
  db: Executor,
  seal: SubjectSeal,
  organizationId: string,
  tasks: TaskRow[],
): Promise<PrivacyHostTask[]> {
  const ids = [...new Set(tasks.map((t) => t.requestId).filter((id): id is string => id !== null))];
  const rows = await Promise.all(ids.map((id) => requests.findRequest(db, organizationId, id)));
  const byId = new Map(rows.filter((r) => r !== undefined).map((r) => [r.id, r]));
  const opener = await seal.opener(
    db,
    organizationId,
    [...byId.values()].flatMap((r) => [r.emailSealed, r.detailsSealed]),
  );
  return tasks.map((task) => {
    const request = task.requestId ? byId.get(task.requestId) : undefined;
    const payload = parseJson<Record<string, unknown>>(task.payload);
    if (request && payload.includesDetails === true) {
      payload.details = opener(request.id, 'details', request.detailsSealed);
    }
    return {
      id: task.id,
      kind: task.kind as PrivacyHostTask['kind'],
      requestId: task.requestId,
      systemId: task.systemId,
      regime: (request?.regime ?? null) as PrivacyHostTask['regime'],
      subject: {
        subjectRef: request?.subjectRef ?? null,
        email: request ? opener(request.id, 'email', request.emailSealed) : null,
      },
      payload,
      attempts: task.attempts,
      leaseUntil: task.state === 'claimed' ? task.leaseUntil : null,
      createdAt: task.createdAt,
    };
  });
}

export function presentTask(
  task: TaskRow & { systemName: string },
  result: TaskResultRow | undefined,
): PrivacyTaskOut {
  return {
    id: task.id,
    systemId: task.systemId,
    systemName: task.systemName,
    kind: task.kind as PrivacyTaskOut['kind'],
    state: task.state as PrivacyTaskOut['state'],
    attempts: task.attempts,
    lastError: task.lastError,
    delivery: task.delivery as PrivacyTaskOut['delivery'],
    createdAt: task.createdAt,
    updatedAt: task.updatedAt,
    finishedAt: task.finishedAt,
    result: result
      ? { sizeBytes: result.sizeBytes, sha256: result.sha256, contentType: result.contentType }
      : null,
  };
}
