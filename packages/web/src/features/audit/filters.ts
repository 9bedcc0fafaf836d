import type { AuditSearchQuery } from '@custos/shared';
import { formatDateTime } from '../../app/format';

/**
 * The audit log's filters live in the URL query string, so a search can be shared, bookmarked and
 * walked back with the browser's back button. This module turns that query string into filters and
 * filters into the API's search query.
 */

export const TIME_RANGES = [
  { value: 'all', label: 'All time' },
  { value: '1h', label: 'Last hour', ms: 3_600_000 },
  { value: '24h', label: 'Last 24 hours', ms: 86_400_000 },
  { value: '7d', label: 'Last 7 days', ms: 7 * 86_400_000 },
  { value: '30d', label: 'Last 30 days', ms: 30 * 86_400_000 },
  { value: 'custom', label: 'Custom range' },
] as const;
export type TimeRange = (typeof TIME_RANGES)[number]['value'];

export const OUTCOMES = ['success', 'failure', 'denied'] as const;
export const SOURCES = ['console', 'api', 'sdk', 'system'] as const;
type Outcome = (typeof OUTCOMES)[number];
type Source = (typeof SOURCES)[number];

/** Text filters, by their URL parameter (the same name as the API's). */
export const TEXT_FILTERS = ['q', 'actor', 'action', 'ip', 'targetType', 'targetId'] as const;
export type TextFilter = (typeof TEXT_FILTERS)[number];

export interface AuditFilters {
  range: TimeRange;
  /** ISO instants of a custom range. */
  from?: string;
  to?: string;
  q?: string;
  actor?: string;
  action?: string;
  outcome?: Outcome;
  source?: Source;
  ip?: string;
  targetType?: string;
  targetId?: string;
  /** Exactly these audit events ("id,id,…"), e.g. a security event's evidence. */
  ids?: string;
}

/** Every URL parameter the filters use; `event` (the open drawer) is not a filter. */
const FILTER_PARAMS = ['range', 'from', 'to', 'outcome', 'source', 'ids', ...TEXT_FILTERS] as const;

/**
 * The URL parameter that shows the viewer's own reads of the trail (their searches, event views and
 * live tails). They are hidden by default: every search records one, so they would fill page 1.
 */
export const OWN_READS_PARAM = 'ownReads';

export function ownReadsShown(params: URLSearchParams): boolean {
  return params.get(OWN_READS_PARAM) === 'shown';
}

/** A copy of `params` that shows or hides the viewer's own reads (the drawer stays as it is). */
export function withOwnReads(params: URLSearchParams, shown: boolean): URLSearchParams {
  const next = new URLSearchParams(params);
  if (shown) next.set(OWN_READS_PARAM, 'shown');
  else next.delete(OWN_READS_PARAM);
  return next;
}

/**
 * The query the page runs: the filters, leaving out the viewer's own reads unless asked to show
 * them. A selection of exact events (`ids`) is shown whole.
 */
export function visibleQuery(query: AuditSearchQuery, ownReadsShown: boolean): AuditSearchQuery {
  return ownReadsShown || query.ids ? query : { ...query, hideOwnReads: 'true' };
}

/** What the search accepts in `ids`: at most this many audit event ids. */
export const IDS_FILTER_LIMIT = 200;
const AUDIT_EVENT_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * The `ids` parameter as the search takes it: well-formed ids, each once, lower case, at most
 * IDS_FILTER_LIMIT; undefined when none is left (a mangled link then shows everything, with no
 * chip claiming a selection).
 */
export function idsFilter(value: string | null): string | undefined {
  if (!value) return undefined;
  const ids = [...new Set(value.split(',').map((id) => id.trim().toLowerCase()))].filter((id) =>
    AUDIT_EVENT_ID.test(id),
  );
  return ids.length > 0 ? ids.slice(0, IDS_FILTER_LIMIT).join(',') : undefined;
}

/** How many events an `ids` filter selects. */
export function idsCount(ids: string | undefined): number {
  return ids ? ids.split(',').length : 0;
}
type FilterParam = (typeof FILTER_PARAMS)[number];

function oneOf<T extends string>(values: readonly T[], value: string | null): T | undefined {
  return values.find((v) => v === value);
}

function isInstant(value: string | null): value is string {
  return value !== null && !Number.isNaN(Date.parse(value));
}

export function filtersFromParams(params: URLSearchParams): AuditFilters {
  const filters: AuditFilters = {
    range:
      oneOf(
        TIME_RANGES.map((r) => r.value),
        params.get('range'),
      ) ?? 'all',
  };
  if (filters.range === 'custom') {
    const from = params.get('from');
    const to = params.get('to');
    if (isInstant(from)) filters.from = from;
    if (isInstant(to)) filters.to = to;
  }
  for (const name of TEXT_FILTERS) {
    const value = params.get(name)?.trim();
    if (value) filters[name] = value;
  }
  const outcome = oneOf(OUTCOMES, params.get('outcome'));
  if (outcome) filters.outcome = outcome;
  const source = oneOf(SOURCES, params.get('source'));
  if (source) filters.source = source;
  const ids = idsFilter(params.get('ids'));
  if (ids) filters.ids = ids;
  return filters;
}

/** A copy of `params` with some filters set (a value) or cleared (`undefined` or empty). */
export function withFilters(
  params: URLSearchParams,
  patch: Partial<Record<FilterParam, string | undefined>>,
): URLSearchParams {
  const next = new URLSearchParams(params);
  for (const [name, value] of Object.entries(patch)) {
    if (value) next.set(name, value);
    else next.delete(name);
  }
  if (next.get('range') !== 'custom') {
    next.delete('from');
    next.delete('to');
  }
  if (next.get('range') === 'all') next.delete('range');
  // A new search closes the event drawer.
  next.delete('event');
  return next;
}

/** The query string of no filters at all (keeps parameters that are not filters). */
export function withoutFilters(params: URLSearchParams): URLSearchParams {
  const next = new URLSearchParams(params);
  for (const name of FILTER_PARAMS) next.delete(name);
  next.delete('event');
  return next;
}

/** How many filters narrow the search (the time range counts as one). */
export function activeFilterCount(filters: AuditFilters): number {
  const { range, from, to, ...rest } = filters;
  return (range === 'all' ? 0 : 1) + Object.values(rest).filter(Boolean).length;
}

/** The API's search query for these filters; preset ranges stay relative (`since`). */
export function searchQuery(filters: AuditFilters): AuditSearchQuery {
  const { range, from, to, ...rest } = filters;
  const query: AuditSearchQuery = { ...rest };
  const preset = TIME_RANGES.find((r) => r.value === range);
  // Presets travel as `since`, resolved by the server, so a saved "last 7 days" stays relative.
  if (preset && 'ms' in preset) query.since = preset.value;
  if (range === 'custom') {
    if (from) query.from = from;
    if (to) query.to = to;
  }
  return query;
}

/** The URL parameters that show a saved search's query. */
export function paramsFromQuery(query: AuditSearchQuery): URLSearchParams {
  const params = new URLSearchParams();
  // Whether the viewer's own reads show is their choice on the page, not part of a saved search.
  const { from, to, since, hideOwnReads: _ownReads, ...rest } = query;
  if (since && TIME_RANGES.some((r) => r.value === since)) params.set('range', since);
  if (from || to) params.set('range', 'custom');
  if (from) params.set('from', from);
  if (to) params.set('to', to);
  for (const [name, value] of Object.entries(rest)) if (value) params.set(name, String(value));
  return params;
}

export function rangeLabel(range: TimeRange): string {
  return TIME_RANGES.find((r) => r.value === range)?.label ?? range;
}

/** What the search API accepts as an action filter (a name, or a prefix ending in `.*`). */
const ACTION_FILTER = /^[a-z][a-z0-9_]*(\.[a-z0-9_]+)*(\.\*)?$/;
const IPV4 = /^(\d{1,3})(\.\d{1,3}){3}(\/\d{1,2})?$/;
const IPV6 = /^[0-9a-f:.]*:[0-9a-f:.]*(\/\d{1,3})?$/i;

/** Why a filter's text would be refused, checked before it reaches the URL; undefined when fine. */
export function filterProblem(name: TextFilter, value: string): string | undefined {
  if (!value) return undefined;
  if (name === 'action' && !ACTION_FILTER.test(value)) {
    return 'An action such as user.signed_in, or a prefix such as user.*';
  }
  if (name === 'ip' && !IPV4.test(value) && !IPV6.test(value)) {
    return 'An IP address or a CIDR range, e.g. 203.0.113.7 or 10.0.0.0/8';
  }
  return undefined;
}

/** The query a saved search keeps: a preset range stays relative (`since`), a custom one is fixed. */
export function savableQuery(filters: AuditFilters): AuditSearchQuery {
  return searchQuery(filters);
}

const FILTER_LABELS: Record<keyof AuditSearchQuery, string> = {
  since: 'Time range',
  from: 'From',
  to: 'To',
  q: 'Search',
  actor: 'Actor',
  action: 'Action',
  outcome: 'Outcome',
  source: 'Source',
  ip: 'IP',
  targetType: 'Target type',
  targetId: 'Target id',
  ids: 'Selected events',
  hideOwnReads: 'My own searches and views',
};

/** A search query in words, one "Label: value" per filter, e.g. to show what a saved search holds. */
export function describeQuery(query: AuditSearchQuery): string[] {
  return Object.entries(query)
    .filter(([, value]) => value)
    .map(([name, value]) => {
      const label = FILTER_LABELS[name as keyof AuditSearchQuery] ?? name;
      const shown =
        name === 'from' || name === 'to'
          ? formatDateTime(String(value))
          : name === 'since'
            ? rangeLabel(value as TimeRange)
            : name === 'ids'
              ? String(idsCount(String(value)))
              : name === 'hideOwnReads'
                ? value === 'true'
                  ? 'hidden'
                  : 'shown'
                : String(value);
      return `${label}: ${shown}`;
    });
}

/** Where an event came from, in words (filters, chips and the events' source badges). */
export const SOURCE_WORDS: Record<Source, string> = {
  console: 'Console',
  api: 'API',
  sdk: 'SDK (host apps)',
  system: 'System',
};

/** What each source means, for the badge's tooltip. */
export const SOURCE_HELP: Record<Source, string> = {
  console: 'Done by a person in this console',
  api: 'Done through the API, with an API key or a session outside the console',
  sdk: 'Sent by your application through the Custos SDK',
  system: 'Done by Custos itself (jobs, detections, retention)',
};
const SINCE_WORDS: Partial<Record<TimeRange, string>> = {
  '1h': '1 hour ago',
  '24h': '24 hours ago',
  '7d': '7 days ago',
  '30d': '30 days ago',
};

/** One active filter as a removable chip under the search box. */
export interface FilterChip {
  /** Stable key (the URL parameter it stands for). */
  key: string;
  /** "Actor: Ada Lovelace", as shown; the remove button is "Remove filter <label>". */
  label: string;
  /** What removing it does to the URL. */
  remove: Partial<Record<FilterParam, undefined>>;
}

/**
 * Every active filter as a chip, in the order of the form. `actorName` is the picked actor's name
 * when known (the URL holds only the id); `formatInstant` shows a custom range's bounds.
 */
export function filterChips(
  filters: AuditFilters,
  options: { actorName?: string | undefined; formatInstant: (iso: string) => string },
): FilterChip[] {
  const chips: FilterChip[] = [];
  const add = (
    key: FilterParam,
    label: string,
    value: string,
    remove: FilterChip['remove'] = { [key]: undefined },
  ) => chips.push({ key, label: `${label}: ${value}`, remove });
  if (filters.ids) add('ids', 'Selected events', String(idsCount(filters.ids)));
  if (filters.q) add('q', 'Search', filters.q);
  const since = SINCE_WORDS[filters.range];
  if (since) add('range', 'Since', since);
  if (filters.range === 'custom') {
    // Removing the last bound ends the custom range, rather than leave one with no bounds.
    const { from, to } = filters;
    if (from)
      add('from', 'From', options.formatInstant(from), to ? { from: undefined } : { range: undefined });
    if (to) add('to', 'To', options.formatInstant(to), from ? { to: undefined } : { range: undefined });
  }
  if (filters.actor) add('actor', 'Actor', options.actorName || filters.actor);
  if (filters.action) add('action', 'Action', filters.action);
  if (filters.outcome) add('outcome', 'Outcome', capitalize(filters.outcome));
  if (filters.source) add('source', 'Source', SOURCE_WORDS[filters.source]);
  if (filters.ip) add('ip', 'IP', filters.ip);
  if (filters.targetType) add('targetType', 'Target type', filters.targetType);
  if (filters.targetId) add('targetId', 'Target id', filters.targetId);
  return chips;
}

function capitalize(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}
