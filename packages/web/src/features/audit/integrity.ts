import type { AuditIntegrityOut } from '@custos/shared';
import { formatCount } from '../../app/format';

/**
 * Words for the server's integrity alarms, shared by the console's red warning and the
 * "Audit trail tampering" security event. Spelled out rather than imported as values from
 * `@custos/shared`, which would pull zod into the first bundle.
 */

export type IntegrityAlarm = AuditIntegrityOut['alarms'][number];
export type IntegrityAlarmKind = IntegrityAlarm['kind'];

export const ALARM_KIND_LABELS: Record<IntegrityAlarmKind, string> = {
  rewritten: 'History rewritten',
  rolled_back: 'Log rolled back',
  inserted_row: 'Row written around Custos',
  signer_state_unreadable: 'Signer’s memory unreadable',
};

/** Alarms over which the signer refuses to sign the log; a row in the way is moved aside and the log goes on. */
const STOPS_SIGNING: ReadonlySet<IntegrityAlarmKind> = new Set([
  'rewritten',
  'rolled_back',
  'signer_state_unreadable',
]);

export function stopsSigning(alarms: readonly Pick<IntegrityAlarm, 'kind'>[]): boolean {
  return alarms.some((alarm) => STOPS_SIGNING.has(alarm.kind));
}

export interface AlarmFigure {
  key: 'signedSize' | 'headSize' | 'seq';
  label: string;
  value: string;
}

const events = (n: number) => `${formatCount(n)} ${n === 1 ? 'event' : 'events'}`;

const SEQ_LABELS: Record<IntegrityAlarmKind, string> = {
  rolled_back: 'First missing event',
  inserted_row: 'Row in the way',
  rewritten: 'Event concerned',
  signer_state_unreadable: 'Event concerned',
};

/** The sizes an alarm names, as label and value; figures the alarm does not know are left out. */
export function alarmFigures(
  alarm: Pick<IntegrityAlarm, 'kind'> & Partial<Record<AlarmFigure['key'], unknown>>,
): AlarmFigure[] {
  const figures: AlarmFigure[] = [];
  const { signedSize, headSize, seq } = alarm;
  if (typeof signedSize === 'number') {
    figures.push({ key: 'signedSize', label: 'Last signed checkpoint', value: events(signedSize) });
  }
  if (typeof headSize === 'number') {
    figures.push({ key: 'headSize', label: 'Log in the database now', value: events(headSize) });
  }
  if (typeof seq === 'number') {
    figures.push({ key: 'seq', label: SEQ_LABELS[alarm.kind], value: `#${formatCount(seq)}` });
  }
  return figures;
}

export function isAlarmKind(value: unknown): value is IntegrityAlarmKind {
  return typeof value === 'string' && Object.hasOwn(ALARM_KIND_LABELS, value);
}
