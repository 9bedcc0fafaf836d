import type { AuditVerifyResult, CheckpointCheck, CustosClient } from '@custos/sdk';
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
