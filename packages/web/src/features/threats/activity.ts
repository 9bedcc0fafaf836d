import type { DetectorType, ResponseKind, SecurityEventDetail, SecurityEventStatus } from '@custos/shared';
import { formatDateTime, formatDuration, formatLargeNumber } from '../../app/format';
import { countLabel, factorLabel, RESPONSE_LABELS, reasonLabel, STATUS_LABELS } from './labels';

export type Activity = SecurityEventDetail['timeline'][number];

/** A timeline entry in words: a title, and a line of detail when the entry has one. */
export interface ActivityText {
  title: string;
  detail?: string;
}

function text(data: Record<string, unknown>, key: string): string | undefined {
  const value = data[key];
  return typeof value === 'string' && value.length > 0 ? value : undefined;
}

function statusLabel(value: string | undefined): string | undefined {
  return value && value in STATUS_LABELS ? STATUS_LABELS[value as SecurityEventStatus] : value;
}

function responseLabel(value: string | undefined): string {
  return value && value in RESPONSE_LABELS ? RESPONSE_LABELS[value as ResponseKind] : 'Response';
}

/** The name an `assigned` entry carries for the new assignee, in the shapes the server may use. */
function assigneeName(data: Record<string, unknown>): string | undefined {
  const to = data.to;
  if (typeof to === 'object' && to !== null) {
    const name = (to as { name?: unknown }).name;
    if (typeof name === 'string') return name;
  }
  return text(data, 'assigneeName') ?? text(data, 'name') ?? text(data, 'toName');
}

function unassigned(data: Record<string, unknown>): boolean {
  return ('to' in data && data.to === null) || ('assigneeId' in data && data.assigneeId === null);
}

/**
 * A timeline entry in words. `type` is the event's detector: counts read in its words ("46 attempts
 * in all"), the same number and words as the event's count everywhere else.
 */
export function activityText(activity: Activity, type?: DetectorType): ActivityText {
  const { data } = activity;
  const count = typeof data.count === 'number' ? data.count : undefined;
  const inAll = count === undefined ? undefined : `${countLabel(type ?? '', count)} in all`;
  switch (activity.kind) {
    case 'raised': {
      const explanation = text(data, 'explanation');
      return {
        title: inAll ? `Raised: ${inAll}` : 'Raised',
        ...(explanation ? { detail: explanation } : {}),
      };
    }
    case 'repeated':
      return { title: inAll ? `Seen again: ${inAll}` : 'Seen again' };
    case 'status_changed': {
      const from = statusLabel(text(data, 'from'));
      const to = statusLabel(text(data, 'to')) ?? 'changed';
      return { title: from ? `Status: ${from} → ${to}` : `Status: ${to}` };
    }
    case 'assigned': {
      if (unassigned(data)) return { title: 'Unassigned' };
      const name = assigneeName(data);
      return { title: name ? `Assigned to ${name}` : 'Assignee changed' };
    }
    case 'note':
      return { title: 'Note', detail: text(data, 'text') ?? '' };
    case 'response_applied': {
      const kind = text(data, 'kind');
      const expiresAt = text(data, 'expiresAt');
      const lasting = kind === 'lock_account' || kind === 'block_ip';
      const title = `Response applied: ${responseLabel(kind)}`;
      if (expiresAt) return { title, detail: `Until ${formatDateTime(expiresAt)}` };
      return lasting && data.expiresAt === null ? { title, detail: 'Until lifted' } : { title };
    }
    case 'response_lifted':
      return { title: `Response lifted: ${responseLabel(text(data, 'kind'))}` };
    case 'alert_sent': {
      const channel = text(data, 'channelName');
      const status = text(data, 'status');
      return {
        title: channel ? `Alert sent to ${channel}` : 'Alert sent',
        ...(status ? { detail: `Delivery ${status}` } : {}),
      };
    }
    default:
      return { title: activity.kind };
  }
}

/** Who did it: a person's name, or what raised the event for the system's own entries. */
export function activityActor(activity: Activity, type?: DetectorType): string {
  if (activity.actor.name) return activity.actor.name;
  if (activity.kind !== 'raised' && activity.kind !== 'repeated') return 'Custos';
  // The audit trail's alarm comes from the checkpoint signer, not from a detector counting events.
  return type === 'audit_tampering' ? 'Checkpoint signer' : 'Detector';
}

/** A detector figure's value as text: numbers grouped, lists joined, objects as compact JSON. */
export function figureValue(value: unknown, key = ''): string {
  if (value === null || value === undefined) return '—';
  if (typeof value === 'number') return numberFigure(value, key);
  if (typeof value === 'boolean') return value ? 'Yes' : 'No';
  if (typeof value === 'string')
    return key === 'reason' ? reasonLabel(value) : key === 'factor' ? factorLabel(value) : value;
  if (Array.isArray(value) && value.every((item) => typeof item !== 'object' || item === null)) {
    return value.map(String).join(', ');
  }
  return JSON.stringify(value);
}

/**
 * A detector's number in its unit, read from the figure's key: durations in words ("windowSeconds":
 * 888 → "14 min 48 s"), speeds and distances with their unit and huge values shortened ("speedKmh":
 * 1829320314 → "1.8B km/h"), ratios as "642×".
 */
function numberFigure(value: number, key: string): string {
  if (/Seconds$/.test(key)) return formatDuration(value);
  if (/Minutes$/.test(key)) return formatDuration(value * 60);
  if (/Hours$/.test(key)) return formatDuration(value * 3600);
  if (/Kmh$/.test(key)) return `${formatLargeNumber(Math.round(value))} km/h`;
  if (/Km$/.test(key)) return `${formatLargeNumber(Math.round(value))} km`;
  if (/(Ratio|Factor)$|^(ratio|factor)$/.test(key)) {
    return `${value.toLocaleString(undefined, { maximumFractionDigits: value < 10 ? 1 : 0 })}×`;
  }
  return formatLargeNumber(value);
}
