import { EvidenceAccount, EvidenceOutcome } from '@custos/shared';
import { z } from 'zod';
import type { DetectionEvidence } from '../detection';

const Fact = z.string().nullable().optional();

/** Evidence as noted in shared state: the ids it needs, and the facts when they are well-formed. */
const NotedEvidence = z.object({
  auditEventId: z.string(),
  seq: z.number(),
  action: z.string(),
  occurredAt: z.string(),
  ip: Fact.catch(null),
  country: Fact.catch(null),
  device: Fact.catch(null),
  account: EvidenceAccount.nullable().optional().catch(null),
  outcome: EvidenceOutcome.nullable().optional().catch(null),
  reason: Fact.catch(null),
});

/**
 * Evidence read back from shared state (JSON written by this or another server process, maybe an
 * older one). Null for text that is no evidence at all: Redis is shared, so nothing is trusted as is.
 */
export function evidenceFromJson(text: string): DetectionEvidence | null {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return null;
  }
  const parsed = NotedEvidence.safeParse(value);
  return parsed.success ? parsed.data : null;
}
