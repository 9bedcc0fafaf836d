import type { Deps } from '../../../deps';
import { newId } from '../../../platform/crypto/tokens';
import { afterCommit } from '../../../platform/db/after-commit';
import { isUniqueViolation } from '../../../platform/db/errors';
import { identity } from '../../identity';
import * as requests from '../requests-store';
import type { SubjectSeal } from '../subject-seal';
import * as systems from '../systems-store';
import { readResult } from '../tasks/results';
import * as tasks from '../tasks/store';
import { SYSTEM } from '../tasks/transitions';
import { appendTimeline } from '../timeline';
import { buildPackage, type SystemResult } from './contents';
import type { DigestSigner } from './signing';
import * as store from './store';

/** The largest ZIP kept (it is stored sealed in its row): a bigger one is not made, and the timeline says so. */
export const MAX_PACKAGE_BYTES = 32 * 1024 * 1024;
/** How long the download link works; the file is deleted when it expires. */
export const PACKAGE_TTL_MS = 14 * 86_400_000;

const PACKAGE_TYPES = ['access', 'portability'];
export const packageField = (packageId: string) => `access_package|${packageId}`;

export interface PackageBuildDeps extends Pick<Deps, 'db' | 'audit' | 'log'> {
  seal: SubjectSeal;
  signer: DigestSigner | null;
  /** Mails the download link of a package just made (after its transaction commits). */
  sendLink: (organizationId: string, packageId: string) => Promise<unknown>;
  now: () => Date;
}

/**
 * Makes the package of a completed access or portability request, once: the ZIP of every done
 * task's sealed result, sealed under the subject's key in its row, audited, and its link mailed.
 * Answers the package id, or null when there is nothing to make (or another server made it).
 */
export async function buildRequestPackage(
  deps: PackageBuildDeps,
  organizationId: string,
  requestId: string,
): Promise<string | null> {
  const { db, seal } = deps;
  const request = await requests.findRequest(db, organizationId, requestId);
  if (request?.state !== 'completed' || !PACKAGE_TYPES.includes(request.type)) return null;
  if (await store.packageOfRequest(db, organizationId, requestId)) return null;
  if (!deps.signer) {
    deps.log.error({ requestId }, 'privacy: no signing key, access package not made');
    return null;
  }
  const organization = await identity.findOrganization(db, organizationId);
  const names = new Map((await systems.listSystems(db, organizationId)).map((s) => [s.id, s.name]));
  const results: SystemResult[] = [];
  for (const task of await tasks.tasksOfRequest(db, organizationId, requestId)) {
    if (task.state !== 'done' || !PACKAGE_TYPES.includes(task.kind)) continue;
    const result = await readResult(db, seal, request, task.id);
    if (result === null) continue;
    results.push({ systemId: task.systemId, systemName: names.get(task.systemId) ?? 'System', result });
  }
  const at = deps.now();
  const createdAt = at.toISOString();
  const built = buildPackage(
    {
      organization: { id: organizationId, name: organization?.name ?? '' },
      request: {
        id: request.id,
        type: request.type,
        regime: request.regime,
        receivedAt: request.receivedAt,
        completedAt: request.closedAt,
      },
      createdAt,
    },
    results,
    deps.signer,
  );
  const id = newId();
  const tooLarge = built.zip.byteLength > MAX_PACKAGE_BYTES;
  try {
    await db.transaction().execute(async (trx) => {
      const sealed = tooLarge
        ? null
        : (
            await seal.sealFields(trx, organizationId, request.subjectKey, request.id, {
              [packageField(id)]: Buffer.from(built.zip).toString('base64'),
            })
          )[packageField(id)];
      await store.insertPackage(trx, {
        id,
        organizationId,
        requestId,
        fileRefSealed: sealed ?? null,
        sha256: built.sha256,
        sizeBytes: built.zip.byteLength,
        tokenHash: null,
        expiresAt: new Date(at.getTime() + PACKAGE_TTL_MS).toISOString(),
        downloads: 0,
        lastDownloadedAt: null,
        deletedAt: tooLarge ? createdAt : null,
        createdAt,
      });
      await appendTimeline(trx, {
        organizationId,
        requestId,
        kind: tooLarge ? 'package_too_large' : 'package_created',
        caller: null,
        data: { packageId: id, sizeBytes: built.zip.byteLength, files: built.manifest.files.length },
        at: createdAt,
      });
      await deps.audit.record(trx, SYSTEM, {
        action: 'privacy_package.created',
        organizationId,
        targets: [
          { type: 'privacy_package', id },
          { type: 'privacy_request', id: requestId },
        ],
        metadata: {
          sizeBytes: built.zip.byteLength,
          sha256: built.sha256,
          systems: results.length,
          tooLarge,
        },
      });
      if (!tooLarge) {
        await afterCommit(trx, () => {
          void deps
            .sendLink(organizationId, id)
            .catch((error: unknown) => deps.log.warn({ err: error }, 'privacy: package link mail failed'));
        });
      }
    });
  } catch (error) {
    // Another server made it first (one package per request).
    if (isUniqueViolation(error)) return null;
    throw error;
  }
  return id;
}

/**
 * Wipes the file of every package whose link has expired, in any organization (the job and the
 * retention run call it); each deletion is audited in its transaction. Answers the packages wiped.
 */
export async function deleteExpiredPackages(
  deps: Pick<Deps, 'db' | 'audit'>,
  now: Date,
  limit = 500,
): Promise<{ id: string; organizationId: string; requestId: string }[]> {
  const at = now.toISOString();
  const due = await store.expiredPackages(deps.db, at, limit);
  const wiped: { id: string; organizationId: string; requestId: string }[] = [];
  for (const row of due) {
    await deps.db.transaction().execute(async (trx) => {
      if (!(await store.wipePackage(trx, row.organizationId, row.id, at))) return;
      await deps.audit.record(trx, SYSTEM, {
        action: 'privacy_package.deleted',
        organizationId: row.organizationId,
        targets: [
          { type: 'privacy_package', id: row.id },
          { type: 'privacy_request', id: row.requestId },
        ],
        metadata: { reason: 'expired', expiresAt: row.expiresAt },
      });
      wiped.push({ id: row.id, organizationId: row.organizationId, requestId: row.requestId });
    });
  }
  return wiped;
}
