import type { AccessRuleRef, TimeWindow } from '@custos/shared';
import { countryLabel } from './countries';
import {
  type Cidr,
  cidrContains,
  type LocalTime,
  localTime,
  localTimeLabel,
  MINUTES_PER_DAY,
  minutesOf,
  parseCidr,
  type RequestAddress,
  requestAddress,
} from './rule-values';

/**
 * Access rules, compiled for evaluation on every request: IP lists as 32-bit words, countries as a
 * set, time windows as a bitmap of the week's minutes, all grouped by effect and kind, so judging a
 * request is a few lookups and no allocation beyond the verdict.
 */

/** An access_rules row as the store returns it (value parsed). */
export interface AccessRuleRow {
  id: string;
  kind: 'ip' | 'country' | 'time';
  effect: 'allow' | 'deny';
  target: 'everyone' | 'members' | 'role' | 'api_keys';
  role: string | null;
  value: unknown;
  description: string;
  enabled: boolean;
}

/** The request being judged. `country` is only looked up when `CompiledRules.needsCountry`. */
export interface RuleRequest {
  ip: string | null;
  country: string | null;
  /** Epoch milliseconds. */
  at: number;
  roles: readonly string[];
  apiKey: boolean;
}

export type RuleVerdict = { allowed: true } | { allowed: false; rule: AccessRuleRef; message: string };

/** What a compiled rule needs to know about a request; parsed once per evaluation, lazily. */
class Facts {
  private address: RequestAddress | null | undefined;
  private local: LocalTime | undefined;

  constructor(
    readonly request: RuleRequest,
    private readonly timeZone: string,
  ) {}

  get ip(): RequestAddress | null {
    if (this.address === undefined) this.address = requestAddress(this.request.ip);
    return this.address;
  }

  get time(): LocalTime {
    this.local ??= localTime(this.request.at, this.timeZone);
    return this.local;
  }
}

interface CompiledRule {
  readonly ref: AccessRuleRef;
  readonly target: AccessRuleRow['target'];
  readonly role: string | null;
  matches(facts: Facts): boolean;
  /** Why the request is refused by this rule (deny: it matched; allow: it did not). */
  explain(facts: Facts): string;
}

export interface CompiledRules {
  /** No enabled rule: the session check skips evaluation entirely. */
  readonly empty: boolean;
  readonly needsCountry: boolean;
  readonly timeZone: string;
  /** Enabled deny rules, oldest first. */
  readonly deny: readonly CompiledRule[];
  /** Enabled allow rules by kind, oldest first. */
  readonly allow: Readonly<Record<AccessRuleRow['kind'], readonly CompiledRule[]>>;
}

export const NO_RULES: CompiledRules = Object.freeze({
  empty: true,
  needsCountry: false,
  timeZone: 'UTC',
  deny: [],
  allow: Object.freeze({ ip: [], country: [], time: [] }),
});

const KINDS = ['ip', 'country', 'time'] as const;
const KIND_NAMES = { ip: 'IP', country: 'country', time: 'time' } as const;

/** How messages name a rule: by its description, else by what it is. */
function labelsOf(row: AccessRuleRow): { list: string; rule: string } {
  if (row.description) return { list: `'${row.description}'`, rule: `'${row.description}'` };
  const what = `an unnamed ${KIND_NAMES[row.kind]} rule`;
  return { list: `of ${what}`, rule: what };
}

const stringList = (value: unknown): string[] =>
  Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];

function compileIp(row: AccessRuleRow): Pick<CompiledRule, 'matches' | 'explain'> {
  const cidrs = stringList(row.value)
    .map(parseCidr)
    .filter((c): c is Cidr => c !== null);
  const v4 = cidrs.filter((c) => c.version === 4);
  const v6 = cidrs.filter((c) => c.version === 6);
  const label = labelsOf(row);
  return {
    // A missing or unparseable IP is in no list: an allow list fails closed, a deny list does not match.
    matches(facts) {
      const address = facts.ip;
      if (!address) return false;
      const list = address.version === 4 ? v4 : v6;
      for (const cidr of list) if (cidrContains(cidr, address)) return true;
      return false;
    },
    explain(facts) {
      const ip = facts.request.ip ?? 'unknown';
      return row.effect === 'deny'
        ? `Your IP address (${ip}) is in the deny list ${label.list}`
        : `Your IP address (${ip}) is not in the allow list ${label.list}`;
    },
  };
}

function compileCountry(row: AccessRuleRow): Pick<CompiledRule, 'matches' | 'explain'> {
  const countries = new Set(stringList(row.value).map((c) => c.toUpperCase()));
  const label = labelsOf(row);
  return {
    // An unknown country (private address, not in the database) is in no list.
    matches: (facts) => facts.request.country !== null && countries.has(facts.request.country),
    explain(facts) {
      const country = facts.request.country;
      if (row.effect === 'deny')
        return `Requests from ${countryLabel(country ?? '')} are denied by ${label.rule}`;
      return country === null
        ? `The country of your IP address (${facts.request.ip ?? 'unknown'}) is unknown, and ${label.rule} allows only the countries it lists`
        : `Requests from ${countryLabel(country)} are not in the allow list ${label.list}`;
    },
  };
}

/**
 * The week's minutes a rule's windows cover, as a bitmap (Monday 00:00 is bit 0). A window ending
 * before it starts runs past midnight, into the next day (Sunday into Monday).
 */
export function weekBitmap(windows: readonly TimeWindow[]): Uint32Array {
  const WEEK = 7 * MINUTES_PER_DAY;
  const bits = new Uint32Array(Math.ceil(WEEK / 32));
  const set = (from: number, to: number) => {
    for (let m = from; m < to; m++) {
      const i = m % WEEK;
      bits[i >> 5] = (bits[i >> 5] ?? 0) | (1 << (i & 31));
    }
  };
  for (const window of windows) {
    const start = minutesOf(window.start);
    const end = minutesOf(window.end);
    for (const day of window.days) {
      const base = (day - 1) * MINUTES_PER_DAY;
      set(base + start, base + (end > start ? end : end + MINUTES_PER_DAY));
    }
  }
  return bits;
}

function compileTime(row: AccessRuleRow, timeZone: string): Pick<CompiledRule, 'matches' | 'explain'> {
  const windows = Array.isArray(row.value) ? (row.value as TimeWindow[]) : [];
  const bits = weekBitmap(windows);
  const label = labelsOf(row);
  return {
    matches(facts) {
      const { day, minute } = facts.time;
      const i = (day - 1) * MINUTES_PER_DAY + minute;
      return ((bits[i >> 5] ?? 0) & (1 << (i & 31))) !== 0;
    },
    explain(facts) {
      const now = `${localTimeLabel(facts.request.at, timeZone)} (${timeZone})`;
      return row.effect === 'deny'
        ? `Access at ${now} is denied by ${label.rule}`
        : `Access at ${now} is outside the hours of ${label.rule}`;
    },
  };
}

export function compileRules(rows: readonly AccessRuleRow[], timeZone: string): CompiledRules {
  const enabled = rows.filter((r) => r.enabled);
  if (enabled.length === 0) return timeZone === 'UTC' ? NO_RULES : { ...NO_RULES, timeZone };
  const deny: CompiledRule[] = [];
  const allow: Record<AccessRuleRow['kind'], CompiledRule[]> = { ip: [], country: [], time: [] };
  for (const row of enabled) {
    const logic =
      row.kind === 'ip'
        ? compileIp(row)
        : row.kind === 'country'
          ? compileCountry(row)
          : compileTime(row, timeZone);
    const rule: CompiledRule = {
      ref: { id: row.id, kind: row.kind, effect: row.effect, description: row.description },
      target: row.target,
      role: row.role,
      ...logic,
    };
    if (row.effect === 'deny') deny.push(rule);
    else allow[row.kind].push(rule);
  }
  return {
    empty: false,
    needsCountry: enabled.some((r) => r.kind === 'country'),
    timeZone,
    deny,
    allow,
  };
}

/** Whether the rule is about this request's kind of caller. */
function appliesTo(rule: CompiledRule, request: RuleRequest): boolean {
  switch (rule.target) {
    case 'everyone':
      return true;
    case 'members':
      return !request.apiKey;
    case 'api_keys':
      return request.apiKey;
    case 'role':
      return !request.apiKey && rule.role !== null && request.roles.includes(rule.role);
  }
}

const ALLOWED: RuleVerdict = Object.freeze({ allowed: true });

/**
 * Deny rules first: one that applies and matches refuses. Then each kind that has applicable allow
 * rules needs at least one of them to match; otherwise the first of them is the one that refused.
 */
export function evaluateRules(rules: CompiledRules, request: RuleRequest): RuleVerdict {
  if (rules.empty) return ALLOWED;
  const facts = new Facts(request, rules.timeZone);
  for (const rule of rules.deny) {
    if (appliesTo(rule, request) && rule.matches(facts)) return refusal(rule, facts);
  }
  for (const kind of KINDS) {
    let first: CompiledRule | null = null;
    let matched = false;
    for (const rule of rules.allow[kind]) {
      if (!appliesTo(rule, request)) continue;
      first ??= rule;
      if (rule.matches(facts)) {
        matched = true;
        break;
      }
    }
    if (first && !matched) return refusal(first, facts);
  }
  return ALLOWED;
}

function refusal(rule: CompiledRule, facts: Facts): RuleVerdict {
  return { allowed: false, rule: rule.ref, message: rule.explain(facts) };
}
