import type {
  AccessRuleKind,
  AccessRuleOut,
  AccessRuleTarget,
  CreateAccessRuleBody,
  UpdateAccessRuleBody,
} from '@custos/shared';
import type { ApiError } from '../../app/errors';
import { END_TIME, isCidr, normalizeTime, START_TIME, splitCidrs } from './values';

export interface WindowDraft {
  days: number[];
  start: string;
  end: string;
}

/** A rule as its editor holds it: every kind's value, so switching kind loses nothing typed. */
export interface RuleDraft {
  kind: AccessRuleKind;
  effect: 'allow' | 'deny';
  target: AccessRuleTarget;
  role: string | null;
  description: string;
  enabled: boolean;
  /** The CIDR text area: one entry a line (commas and spaces separate too). */
  cidrs: string;
  countries: string[];
  windows: WindowDraft[];
}

export const OFFICE_HOURS: WindowDraft = { days: [1, 2, 3, 4, 5], start: '08:00', end: '18:00' };

export function newDraft(kind: AccessRuleKind): RuleDraft {
  return {
    kind,
    effect: 'allow',
    target: 'everyone',
    role: null,
    description: '',
    enabled: true,
    cidrs: '',
    countries: [],
    windows: [{ ...OFFICE_HOURS, days: [...OFFICE_HOURS.days] }],
  };
}

export function draftOf(rule: AccessRuleOut): RuleDraft {
  const draft = newDraft(rule.kind);
  return {
    ...draft,
    effect: rule.effect,
    target: rule.target,
    role: rule.role,
    description: rule.description,
    enabled: rule.enabled,
    cidrs: rule.cidrs?.join('\n') ?? '',
    countries: rule.countries ?? [],
    windows: rule.windows?.map((w) => ({ days: [...w.days], start: w.start, end: w.end })) ?? draft.windows,
  };
}

export interface WindowProblems {
  days?: string;
  start?: string;
  end?: string;
}

export interface DraftProblems {
  cidrs?: string;
  countries?: string;
  windows?: string;
  window?: Record<number, WindowProblems>;
  role?: string;
}

/** What the editor can tell before asking the server. */
export function validateRuleDraft(draft: RuleDraft): DraftProblems {
  const problems: DraftProblems = {};
  if (draft.target === 'role' && !draft.role) problems.role = 'Pick the role this rule applies to';
  if (draft.kind === 'ip') {
    const entries = splitCidrs(draft.cidrs);
    const bad = entries.filter((entry) => !isCidr(entry));
    if (entries.length === 0) problems.cidrs = 'Add at least one address or range';
    else if (bad.length > 0) {
      problems.cidrs = `Not an IP address or CIDR range: ${bad.slice(0, 3).join(', ')}${bad.length > 3 ? ` and ${bad.length - 3} more` : ''}`;
    } else if (entries.length > 500) problems.cidrs = 'At most 500 entries';
  }
  if (draft.kind === 'country' && draft.countries.length === 0)
    problems.countries = 'Pick at least one country';
  if (draft.kind === 'time') {
    if (draft.windows.length === 0) problems.windows = 'Add at least one time window';
    const window: Record<number, WindowProblems> = {};
    draft.windows.forEach((w, index) => {
      const p: WindowProblems = {};
      if (w.days.length === 0) p.days = 'Pick at least one day';
      if (!START_TIME.test(normalizeTime(w.start))) p.start = 'HH:MM, 00:00 to 23:59';
      if (!END_TIME.test(normalizeTime(w.end))) p.end = 'HH:MM, up to 24:00';
      else if (START_TIME.test(normalizeTime(w.start)) && normalizeTime(w.start) === normalizeTime(w.end)) {
        p.end = 'The end must differ from the start';
      }
      if (Object.keys(p).length > 0) window[index] = p;
    });
    if (Object.keys(window).length > 0) problems.window = window;
  }
  return problems;
}

export function hasProblems(problems: DraftProblems): boolean {
  return Object.keys(problems).length > 0;
}

function ruleValue(draft: RuleDraft) {
  switch (draft.kind) {
    case 'ip':
      return { kind: 'ip' as const, cidrs: splitCidrs(draft.cidrs) };
    case 'country':
      return { kind: 'country' as const, countries: draft.countries };
    case 'time':
      return {
        kind: 'time' as const,
        windows: draft.windows.map((w) => ({
          days: [...w.days].sort((a, b) => a - b),
          start: normalizeTime(w.start),
          end: normalizeTime(w.end),
        })),
      };
  }
}

function commonOf(draft: RuleDraft) {
  return {
    effect: draft.effect,
    target: draft.target,
    role: draft.target === 'role' ? draft.role : null,
    description: draft.description.trim(),
    enabled: draft.enabled,
  };
}

export function createBody(draft: RuleDraft): CreateAccessRuleBody {
  return { ...ruleValue(draft), ...commonOf(draft) };
}

/** Everything the editor shows; a rule's kind never changes. */
export function updateBody(draft: RuleDraft): UpdateAccessRuleBody {
  const { kind: _kind, ...value } = ruleValue(draft);
  return { ...value, ...commonOf(draft) };
}

/** The entry `ACCESS_RULE_INVALID` points at: which field, which entry, what was wrong with it. */
export interface InvalidEntry {
  field: string;
  index: number | null;
  value: string | null;
  message: string;
}

function detailsOf(error: ApiError): Record<string, unknown> {
  return typeof error.details === 'object' && error.details !== null
    ? (error.details as Record<string, unknown>)
    : {};
}

export function invalidEntry(error: ApiError | undefined): InvalidEntry | undefined {
  if (error?.code !== 'ACCESS_RULE_INVALID') return undefined;
  const details = detailsOf(error);
  const field = typeof details.field === 'string' ? details.field : '';
  return {
    field: field.split('.')[0] ?? field,
    index: typeof details.index === 'number' ? details.index : null,
    value: details.value === undefined || details.value === null ? null : String(details.value),
    message: error.message,
  };
}

/** The rule a refused change would have locked the caller out by, as the server names it. */
export interface LockoutRule {
  kind?: string;
  effect?: string;
  description?: string;
}

export function lockoutRule(error: ApiError | undefined): LockoutRule | undefined {
  if (error?.code !== 'ACCESS_RULE_LOCKOUT') return undefined;
  const rule = detailsOf(error).rule;
  if (typeof rule !== 'object' || rule === null) return {};
  const { kind, effect, description } = rule as Record<string, unknown>;
  return {
    kind: typeof kind === 'string' ? kind : undefined,
    effect: typeof effect === 'string' ? effect : undefined,
    description: typeof description === 'string' ? description : undefined,
  };
}
