import type { PrivacyTaskOut } from '@custos/shared';

/** The per-system tasks' words: what each asks of the system, and where it stands. */
export const TASK_KIND_LABELS: Record<PrivacyTaskOut['kind'], string> = {
  access: 'Copy of data',
  portability: 'Portable export',
  erasure: 'Erasure',
  rectification: 'Correction',
  restriction: 'Restriction',
  objection: 'Stop processing',
  recipient_notice: 'Notice to a recipient',
  retention: 'Retention clean-up',
};

export const TASK_STATE_LABELS: Record<PrivacyTaskOut['state'], string> = {
  queued: 'Waiting',
  delivered: 'Sent to the system',
  claimed: 'Being worked',
  done: 'Done',
  failed: 'Failed',
  skipped: 'Skipped',
};

export const TASK_STATE_DESCRIPTIONS: Record<PrivacyTaskOut['state'], string> = {
  queued: 'Waiting to be sent, or for the system to ask for it.',
  delivered: 'Sent to the system’s webhook; waiting for it to report back.',
  claimed: 'The system picked it up and is working on it.',
  done: 'The system reported it finished.',
  failed: 'The system refused it, could not be reached, or took too long. Retry it once the cause is fixed.',
  skipped: 'Nothing to do in this system (for example it is disabled or holds none of these data).',
};

export const TASK_STATE_COLORS: Record<PrivacyTaskOut['state'], string> = {
  queued: 'gray',
  delivered: 'blue',
  claimed: 'indigo',
  done: 'teal',
  failed: 'red',
  skipped: 'gray',
};

export const DELIVERY_LABELS: Record<PrivacyTaskOut['delivery'], string> = {
  webhook: 'Webhook (Custos sends it)',
  polling: 'Polling (the system fetches it)',
  builtin: 'Built in (Custos itself)',
};
