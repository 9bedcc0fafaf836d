import type { AccessRuleRef } from '@custos/shared';

/**
 * Access rules, compiled for evaluation on every request. (Skeleton: the rules work fills it in.)
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

export interface CompiledRules {
  /** No enabled rule: the session check skips evaluation entirely. */
  readonly empty: boolean;
  readonly needsCountry: boolean;
}

export const NO_RULES: CompiledRules = Object.freeze({ empty: true, needsCountry: false });

export function compileRules(rows: readonly AccessRuleRow[], _timeZone: string): CompiledRules {
  return rows.length === 0 ? NO_RULES : { empty: false, needsCountry: false };
}

const ALLOWED: RuleVerdict = Object.freeze({ allowed: true });
export function evaluateRules(_rules: CompiledRules, _request: RuleRequest): RuleVerdict {
  return ALLOWED;
}
