import type { DetectorType, SecurityEventOut, SecurityEventStatus, Severity } from '@custos/shared';
import type { SecurityEventRow } from './store';

type SubjectType = SecurityEventOut['subject']['type'];

/**
 * Details that are not a JSON object, or not JSON at all (never written so, but never trusted),
 * show as {}: one bad row must not take the whole overview down.
 */
function detailsOf(text: string): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return {};
  }
  return parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed)
    ? (parsed as Record<string, unknown>)
    : {};
}

/**
 * A security event as the API shows it. The threats module has its own presenter; the overview
 * keeps this small copy so the two modules stay independent (the response schema checks both).
 */
export function presentSecurityEvent(row: SecurityEventRow): SecurityEventOut {
  return {
    id: row.id,
    type: row.type as DetectorType,
    severity: row.severity as Severity,
    status: row.status as SecurityEventStatus,
    subject: { type: row.subjectType as SubjectType, id: row.subjectId, label: row.subjectLabel },
    sourceIp: row.sourceIp,
    country: row.country,
    explanation: row.explanation,
    details: detailsOf(row.details),
    count: row.count,
    firstSeenAt: row.firstSeenAt,
    lastSeenAt: row.lastSeenAt,
    // A deleted assignee leaves the id without a user to name: shown as unassigned.
    assignee:
      row.assigneeId && row.assigneeName !== null ? { id: row.assigneeId, name: row.assigneeName } : null,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}
