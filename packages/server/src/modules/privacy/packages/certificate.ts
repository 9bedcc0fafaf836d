import {
  CERTIFICATE_SIGNATURE_FORMAT,
  localDate,
  type PrivacyCertificate,
  type SignedPrivacyCertificate,
} from '@custos/shared';
import type { Executor } from '../../../platform/db/executor';
import { parseJson } from '../../../platform/db/json';
import { authorize, type Caller } from '../../../platform/http/caller';
import { conflict } from '../../../platform/http/errors';
import { identity } from '../../identity';
import { notFoundRequest } from '../requests-service';
import * as requests from '../requests-store';
import * as systems from '../systems-store';
import * as tasks from '../tasks/store';
import { canonicalJson, type DigestSigner, sha256Hex, signDigest } from './signing';

interface TaskPayload {
  categories?: { categoryKey: string; erasureStrategy?: string }[];
  recipient?: string;
}

/** What one task did, from its row (erasure strategies from the payload it was sent). */
function taskLine(task: tasks.TaskRow): PrivacyCertificate['systems'][number]['tasks'][number] {
  const payload = parseJson<TaskPayload>(task.payload) ?? {};
  return {
    taskId: task.id,
    kind: task.kind,
    state: task.state,
    attempts: task.attempts,
    finishedAt: task.finishedAt,
    lastError: task.state === 'done' ? null : task.lastError,
    strategies:
      task.kind === 'erasure'
        ? (payload.categories ?? []).map((c) => ({
            categoryKey: c.categoryKey,
            erasureStrategy: c.erasureStrategy ?? 'delete',
          }))
        : [],
    recipient: typeof payload.recipient === 'string' ? payload.recipient : null,
  };
}

/**
 * The completion certificate of a request: per system what was done and when, the clock and a
 * summary of the timeline up to completion, signed with the audit key over its canonical JSON.
 * Built from the rows each time; deterministic, so the same request always gets the same bytes.
 */
export async function certificateOf(
  db: Executor,
  signer: DigestSigner | null,
  caller: Caller,
  requestId: string,
): Promise<SignedPrivacyCertificate> {
  const c = authorize(caller, 'privacy:read');
  const request = await requests.findRequest(db, c.organizationId, requestId);
  if (!request) throw notFoundRequest();
  if (request.state !== 'completed' || !request.closedAt) {
    throw conflict(
      'PRIVACY_CERTIFICATE_NOT_READY',
      `A certificate is issued for completed requests; this one is ${request.state.replace('_', ' ')}.`,
      { state: request.state },
    );
  }
  if (!signer) throw conflict('PRIVACY_CERTIFICATE_UNSIGNED', 'This server has no audit signing key.');
  const closedAt = request.closedAt;
  const organization = await identity.findOrganization(db, c.organizationId);
  const names = new Map((await systems.listSystems(db, c.organizationId)).map((s) => [s.id, s.name]));
  const bySystem = new Map<string, PrivacyCertificate['systems'][number]>();
  for (const task of await tasks.tasksOfRequest(db, c.organizationId, requestId)) {
    const entry = bySystem.get(task.systemId) ?? {
      systemId: task.systemId,
      systemName: names.get(task.systemId) ?? 'Deleted system',
      tasks: [],
    };
    entry.tasks.push(taskLine(task));
    bySystem.set(task.systemId, entry);
  }
  // Up to completion: later entries (package downloads) must not change a certificate once issued.
  const events = (await requests.listEvents(db, c.organizationId, requestId)).filter((e) => e.at <= closedAt);
  const byKind: Record<string, number> = {};
  for (const event of events) byKind[event.kind] = (byKind[event.kind] ?? 0) + 1;
  const certificate: PrivacyCertificate = {
    format: CERTIFICATE_SIGNATURE_FORMAT,
    organization: { id: c.organizationId, name: organization?.name ?? '' },
    request: {
      id: request.id,
      type: request.type,
      regime: request.regime,
      state: request.state,
      receivedAt: request.receivedAt,
      verifiedAt: request.verifiedAt,
      approvedAt: request.approvedAt,
      completedAt: closedAt,
    },
    clock: {
      timeZone: request.timeZone,
      startDate: request.startDate,
      acknowledgeBy: request.ackBy,
      dueDate: request.dueDate,
      extensions: request.extensions,
      onTime: localDate(closedAt, request.timeZone) <= request.dueDate,
    },
    systems: [...bySystem.values()].sort((a, b) => a.systemName.localeCompare(b.systemName)),
    timeline: {
      entries: events.length,
      first: events[0]?.at ?? null,
      last: events.at(-1)?.at ?? null,
      byKind,
    },
  };
  return {
    certificate,
    signature: signDigest(signer, CERTIFICATE_SIGNATURE_FORMAT, sha256Hex(canonicalJson(certificate))),
  };
}
