import type { DetectorType, ListSecurityEventsQuery, SecurityEventStatus, Severity } from '@custos/shared';
import { DETECTOR_ORDER, SEVERITY_ORDER, STATUS_ORDER } from './labels';

/**
 * The security events list's filters and their URL form, so a link such as
 * `/security/events?severity=high&status=open` (from the overview) opens the list it names.
 * Lists repeat their key or separate values with commas; unknown values are dropped.
 */
export interface EventFilters {
  /** Empty: every status. */
  status: SecurityEventStatus[];
  severity: Severity[];
  type: DetectorType[];
  sourceIp: string | undefined;
  /** Only events assigned to the signed-in person. */
  mine: boolean;
  /** A subject id from a link (a user's or an IP's events); not editable in the bar. */
  subjectId: string | undefined;
}

/** What the list shows when the URL names no status: what still needs someone. */
export const DEFAULT_STATUSES: readonly SecurityEventStatus[] = ['open', 'acknowledged'];

/** `status=all` in the URL: the person cleared the status filter on purpose. */
const ALL = 'all';

function listParam<T extends string>(params: URLSearchParams, key: string, known: readonly T[]): T[] {
  const values = params
    .getAll(key)
    .flatMap((value) => value.split(','))
    .map((value) => value.trim().toLowerCase());
  return known.filter((item) => values.includes(item));
}

function textParam(params: URLSearchParams, key: string): string | undefined {
  const value = params.get(key)?.trim();
  return value ? value : undefined;
}

export function filtersFromParams(params: URLSearchParams): EventFilters {
  const statusGiven = params.has('status');
  const status =
    !statusGiven || params.get('status') === ALL ? [] : listParam(params, 'status', STATUS_ORDER);
  return {
    status: statusGiven ? status : [...DEFAULT_STATUSES],
    severity: listParam(params, 'severity', SEVERITY_ORDER),
    type: listParam(params, 'type', DETECTOR_ORDER),
    sourceIp: textParam(params, 'sourceIp'),
    mine: params.get('assignee') === 'me',
    subjectId: textParam(params, 'subjectId'),
  };
}

function sameSet(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((item) => b.includes(item));
}

/** The URL query for these filters; the default status set leaves `status` out. */
export function paramsFromFilters(filters: EventFilters): URLSearchParams {
  const params = new URLSearchParams();
  if (filters.status.length === 0) params.set('status', ALL);
  else if (!sameSet(filters.status, DEFAULT_STATUSES)) {
    for (const status of filters.status) params.append('status', status);
  }
  for (const severity of filters.severity) params.append('severity', severity);
  for (const type of filters.type) params.append('type', type);
  if (filters.sourceIp) params.set('sourceIp', filters.sourceIp);
  if (filters.mine) params.set('assignee', 'me');
  if (filters.subjectId) params.set('subjectId', filters.subjectId);
  return params;
}

/** The API query for these filters; `meId` resolves "assigned to me". */
export function eventsQuery(filters: EventFilters, meId: string): ListSecurityEventsQuery {
  const query: ListSecurityEventsQuery = {};
  if (filters.status.length > 0 && filters.status.length < STATUS_ORDER.length) query.status = filters.status;
  if (filters.severity.length > 0) query.severity = filters.severity;
  if (filters.type.length > 0) query.type = filters.type;
  if (filters.sourceIp) query.sourceIp = filters.sourceIp;
  if (filters.mine) query.assigneeId = meId;
  if (filters.subjectId) query.subjectId = filters.subjectId;
  return query;
}

/** Filters that differ from what the list opens with. */
export function activeFilterCount(filters: EventFilters): number {
  return (
    (sameSet(filters.status, DEFAULT_STATUSES) ? 0 : 1) +
    (filters.severity.length > 0 ? 1 : 0) +
    (filters.type.length > 0 ? 1 : 0) +
    (filters.sourceIp ? 1 : 0) +
    (filters.mine ? 1 : 0) +
    (filters.subjectId ? 1 : 0)
  );
}

/** A loose check of what was typed as a source IP: IPv4 or IPv6 characters only. */
export function looksLikeIp(value: string): boolean {
  const text = value.trim();
  if (text.length < 2 || text.length > 45) return false;
  if (/^\d{1,3}(\.\d{1,3}){3}$/.test(text)) return text.split('.').every((part) => Number(part) <= 255);
  return text.includes(':') && /^[0-9a-fA-F:.]+$/.test(text);
}
