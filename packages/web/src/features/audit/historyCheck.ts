import type { AuditVerifyResult, CheckpointCheck, CustosClient } from '@custos/sdk';
import type { ApiError } from '../../app/errors';
import { type RememberedCheckpoint, readRemembered, rememberCheckpoint } from './rememberedCheckpoint';

/** The server's log checked against what this browser remembered before the check. */
export interface HistoryCheck {
  remembered: RememberedCheckpoint | null;
  result: AuditVerifyResult;
}

/**
 * Verifies the organization's log against the checkpoint this browser remembers and, only when it
 * holds, remembers the current one instead. After a failed check the old checkpoint stays: it is
 * the evidence, and every later visit must keep failing against it until the log extends it again.
 */
export async function checkHistory(sdk: CustosClient, organizationId: string): Promise<HistoryCheck> {
  const remembered = readRemembered(organizationId);
  const result = await sdk.audit.verify({ checkpoints: remembered ? [remembered.note] : [] });
  const { current } = result;
  if (result.ok && current.status === 'verified') {
    rememberCheckpoint(organizationId, {
      note: current.note,
      treeSize: current.treeSize,
      savedAt: new Date().toISOString(),
    });
  }
  return { remembered, result };
}

export type FailedCheck = CheckpointCheck & { status: Exclude<CheckpointCheck['status'], 'consistent'> };

/** The first remembered checkpoint the log failed, if any. */
export function failedCheck(check: HistoryCheck): FailedCheck | undefined {
  return check.result.checks.find((c): c is FailedCheck => c.status !== 'consistent');
}

/**
 * Whether the reader may accept the server's current history instead of the remembered checkpoint:
 * only a failed check against a remembered one, when the current checkpoint is itself properly
 * signed (otherwise there is nothing trustworthy to take as the new baseline).
 */
export function canForget(check: HistoryCheck): boolean {
  return check.remembered !== null && !check.result.ok && check.result.current.status === 'verified';
}

/** Replaces the remembered checkpoint with the one the check found current (see `canForget`). */
export function replaceRemembered(
  organizationId: string,
  check: HistoryCheck,
  now: Date = new Date(),
): { data: null } | { error: ApiError } {
  if (!canForget(check)) {
    return {
      error: {
        status: 0,
        code: 'NOTHING_TO_FORGET',
        message: 'The server’s current checkpoint is not properly signed, so it cannot become the baseline.',
      },
    };
  }
  const { note, treeSize } = check.result.current;
  const stored = rememberCheckpoint(organizationId, { note, treeSize, savedAt: now.toISOString() });
  if (!stored) {
    return {
      error: {
        status: 0,
        code: 'STORAGE_UNAVAILABLE',
        message: 'This browser refused to store the checkpoint.',
      },
    };
  }
  return { data: null };
}
