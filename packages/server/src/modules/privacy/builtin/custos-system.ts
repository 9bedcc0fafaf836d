import type { Deps } from '../../../deps';
import type { Executor } from '../../../platform/db/executor';
import type { SubjectData } from '../../audit';
import { identity, type UserRow } from '../../identity';
import { sessionPorts } from '../../sessions/ports';
import * as requests from '../requests-store';
import type { SubjectSeal } from '../subject-seal';
import { storeResult } from '../tasks/results';
import type { TaskRow } from '../tasks/store';
import { SYSTEM } from '../tasks/transitions';
import type { BuiltinRunner } from '../tasks/worker';

/** How many of a member's sessions an access answer lists (newest first). */
const SESSIONS_LIMIT = 1000;

export interface CustosSystemDeps extends Pick<Deps, 'db' | 'audit'> {
  seal: SubjectSeal;
  subjectData: SubjectData;
}

/**
 * Custos' own data as a system of the data map, run in-process.
 *
 * Access/portability: the subject's audit events (decrypted), and for a member of the
 * organization their membership, sessions and devices, stored as the task's sealed result.
 *
 * Erasure: the subject's audit keys are crypto-shredded (the audit module's erase-subject path:
 * bodies stay sealed, every proof still verifies), their search projections wiped, their sessions
 * ended, their membership of this organization removed; an account that belongs to no other
 * organization is renamed "Erased member" and disabled. Kept, and documented in docs: the
 * request row itself (type, regime, dates, states, timeline, with its e-mail and name sealed under
 * the destroyed key, so unreadable) as the accountability record of GDPR Art. 5(2); a disabled
 * account's e-mail (the login identifier, owned by the identity module). An owner is not erased
 * automatically: ownership must move first (the task fails saying so and can be retried).
 */
export function createCustosSystem(deps: CustosSystemDeps): BuiltinRunner {
  const { db, seal, subjectData } = deps;

  async function subjectOf(request: requests.RequestRow) {
    const opener = await seal.opener(db, request.organizationId, [request.emailSealed]);
    const email = opener(request.id, 'email', request.emailSealed);
    const member = await memberOf(db, request.organizationId, request.subjectRef, email);
    const refs = [
      ...(email ? [`email:${email.toLowerCase()}`] : []),
      ...(request.subjectRef ? [`subject:${request.subjectRef}`, `user:${request.subjectRef}`] : []),
      ...(member ? [`user:${member.id}`, `email:${member.email}`] : []),
    ];
    return { refs: [...new Set(refs)], userIds: member ? [member.id] : [], member };
  }

  async function access(task: TaskRow, request: requests.RequestRow) {
    const subject = await subjectOf(request);
    const events = await subjectData.events(db, request.organizationId, subject);
    const member = subject.member ? await memberData(db, request.organizationId, subject.member) : null;
    const result = { system: 'Custos', auditEvents: events, member };
    return db
      .transaction()
      .execute((trx) => storeResult(trx, seal, request, task.id, result, new Date().toISOString()));
  }

  async function erase(request: requests.RequestRow): Promise<string | null> {
    const subject = await subjectOf(request);
    const member = subject.member;
    if (member) {
      const membership = await identity.findMembership(db, request.organizationId, member.id);
      if (membership?.roles.includes('owner')) {
        return 'The subject owns this organization: move the ownership to another member, then retry this task.';
      }
    }
    await db.transaction().execute(async (trx) => {
      const shred = await subjectData.shred(trx, request.organizationId, subject);
      let sessionsEnded = 0;
      let accountAnonymized = false;
      if (member) {
        sessionsEnded = await sessionPorts.revokeUserSessions(trx, member.id, 'member_removed', {
          organizationId: request.organizationId,
        });
        await identity.deleteMembership(trx, request.organizationId, member.id);
        const others = await identity.listMembershipsOfUser(trx, member.id);
        // Another organization still has the account: its data there is that organization's.
        if (others.length === 0 && !member.isSuperAdmin) {
          await identity.updateUserName(trx, member.id, 'Erased member');
          await identity.setUserDisabled(trx, member.id, true);
          sessionsEnded += await sessionPorts.revokeUserSessions(trx, member.id, 'member_removed');
          accountAnonymized = true;
        }
      }
      // Named only by the keyring id: the record of an erasure holds no personal data.
      await deps.audit.record(trx, SYSTEM, {
        action: 'audit.subject_erased',
        organizationId: request.organizationId,
        targets: [
          { type: 'data_subject', id: shred.keyIds[0] ?? request.subjectKey },
          { type: 'privacy_request', id: request.id },
        ],
        metadata: {
          keysDestroyed: shred.keysDestroyed,
          eventsAffected: shred.eventsAffected,
          sessionsEnded,
          membershipRemoved: member !== undefined,
          accountAnonymized,
        },
      });
    });
    return null;
  }

  return async (task) => {
    const request = task.requestId
      ? await requests.findRequest(db, task.organizationId, task.requestId)
      : undefined;
    if (!request) return { ok: false, error: 'The task has no request.' };
    if (task.kind === 'access' || task.kind === 'portability') {
      return { ok: true, resultRef: await access(task, request) };
    }
    if (task.kind === 'erasure') {
      const refused = await erase(request);
      return refused ? { ok: false, error: refused } : { ok: true };
    }
    // Members correct their own name and e-mail in their profile; restriction and objection
    // concern host processing: Custos processes members' data only to secure their access.
    return { ok: true };
  };
}

async function memberOf(
  db: Executor,
  organizationId: string,
  subjectRef: string | null,
  email: string | null,
): Promise<UserRow | undefined> {
  const user =
    (subjectRef ? await identity.findUserById(db, subjectRef) : undefined) ??
    (email ? await identity.findUserByEmail(db, email.toLowerCase()) : undefined);
  if (!user) return undefined;
  return (await identity.findMembership(db, organizationId, user.id)) ? user : undefined;
}

/** A member's account, membership, sessions and devices in this organization (read only). */
async function memberData(db: Executor, organizationId: string, user: UserRow) {
  const membership = await identity.findMembership(db, organizationId, user.id);
  // Read through the sessions module, which keeps both tables.
  const sessions = await sessionPorts.sessionsForSubjectCopy(db, user.id, organizationId, SESSIONS_LIMIT);
  const trusted = await sessionPorts.trustedDevicesForSubjectCopy(db, user.id);
  const labels = [...new Set(sessions.map((s) => s.deviceLabel).filter((l): l is string => l !== null))];
  return {
    account: { id: user.id, email: user.email, name: user.name, createdAt: user.createdAt },
    membership: membership ? { roles: membership.roles, since: membership.createdAt } : null,
    sessions,
    devices: { seen: labels, trustedDevices: trusted },
  };
}
