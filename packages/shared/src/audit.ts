/** Audit action names Custos itself records: `<domain>.<past-tense verb>`. */
export const AUDIT_ACTIONS = [
  'user.signed_in',
  'user.sign_in_failed',
  'user.signed_out',
  'user.created',
  'user.updated',
  'user.password_changed',
  'user.organization_switched',
  'organization.created',
  'organization.updated',
  'invitation.sent',
  'invitation.accepted',
  'invitation.revoked',
  'member.role_changed',
  'member.removed',
  'api_key.created',
  'api_key.revoked',
  'access.denied',
  'audit.searched',
  'audit.event_viewed',
  'audit.exported',
  'audit.tail_opened',
  'audit.settings_updated',
  'audit.saved_search_created',
  'audit.saved_search_deleted',
  'audit.subject_erased',
  'audit.events_purged',
] as const;

export type AuditAction = (typeof AUDIT_ACTIONS)[number];
export type AuditOutcome = 'success' | 'failure' | 'denied';
export type AuditSource = 'console' | 'api' | 'sdk' | 'system';
