import type { RetentionAction, RetentionTrigger } from './taxonomy';

/**
 * The kinds of data Custos itself keeps that retention may remove, as rules of the built-in Custos
 * system. Their trigger and action are fixed by what the data is; an organization changes the
 * period or turns a rule off. The audit trail is not here on purpose: its retention is the audit
 * module's own setting (Audit → Settings), because removing events there keeps their proofs.
 */
export const CUSTOS_RETENTION_KINDS = [
  'custos.ended_sessions',
  'custos.outbox_mail',
  'custos.alert_deliveries',
  'custos.task_results',
] as const;
export type CustosRetentionKind = (typeof CUSTOS_RETENTION_KINDS)[number];

export interface CustosRetentionKindInfo {
  name: string;
  description: string;
  defaultPeriodDays: number;
  trigger: RetentionTrigger;
  action: RetentionAction;
}

export const CUSTOS_RETENTION_KIND_INFO: Record<CustosRetentionKind, CustosRetentionKindInfo> = {
  'custos.ended_sessions': {
    name: 'Ended sessions',
    description:
      'Sign-in sessions that were signed out, revoked or expired (IP address, browser, device). Counted from when the session ended. Live sessions are never removed.',
    defaultPeriodDays: 90,
    trigger: 'since_last_activity',
    action: 'delete',
  },
  'custos.outbox_mail': {
    name: 'Sent mail',
    description:
      'E-mails Custos sent or gave up on (invitations, codes, notices), with their recipient. Counted from when the mail was written.',
    defaultPeriodDays: 30,
    trigger: 'since_creation',
    action: 'delete',
  },
  'custos.alert_deliveries': {
    name: 'Alert delivery logs',
    description:
      'Finished deliveries of alerts to webhooks and e-mail channels, with their attempts. Counted from when the delivery was made. Deliveries still being retried are kept.',
    defaultPeriodDays: 90,
    trigger: 'since_creation',
    action: 'delete',
  },
  'custos.task_results': {
    name: 'Results of finished privacy tasks',
    description:
      'Data that host systems uploaded for access requests, kept sealed. Counted from when the task finished; only results of requests that are closed are removed.',
    defaultPeriodDays: 90,
    trigger: 'since_creation',
    action: 'delete',
  },
};

export function isCustosRetentionKind(key: string): key is CustosRetentionKind {
  return (CUSTOS_RETENTION_KINDS as readonly string[]).includes(key);
}
