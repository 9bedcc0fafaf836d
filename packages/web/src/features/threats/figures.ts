import type { SecurityEventOut } from '@custos/shared';
import { ALARM_KIND_LABELS, alarmFigures, isAlarmKind } from '../audit/integrity';
import { figureValue } from './activity';
import { humanizeKey } from './labels';

export interface Figure {
  key: string;
  label: string;
  value: string;
}

/** An audit tampering alarm's figures in words: what was found and the sizes it names. */
function auditTamperingFigures(details: Record<string, unknown>): Figure[] {
  const { kind } = details;
  if (!isAlarmKind(kind)) return genericFigures(details);
  return [
    { key: 'kind', label: 'What was found', value: ALARM_KIND_LABELS[kind] },
    ...alarmFigures({ kind, ...details }),
  ];
}

/** A figure's key in words without its unit, which the value now carries: "speedKmh" → "Speed". */
function figureLabel(key: string): string {
  return humanizeKey(key.replace(/(Seconds|Minutes|Hours|Kmh|Km)$/, '') || key);
}

/** Each figure under its key in words; a figure the detector left empty says nothing and is left out. */
function genericFigures(details: Record<string, unknown>): Figure[] {
  return Object.entries(details)
    .filter(([, value]) => value !== null && value !== undefined)
    .map(([key, value]) => ({ key, label: figureLabel(key), value: figureValue(value, key) }));
}

/** The detector's figures of an event, as the Facts card lists them. */
export function eventFigures(event: Pick<SecurityEventOut, 'type' | 'details'>): Figure[] {
  return event.type === 'audit_tampering'
    ? auditTamperingFigures(event.details)
    : genericFigures(event.details);
}
