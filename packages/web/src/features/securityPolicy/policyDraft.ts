import { SecurityPolicy, type SecurityPolicyOut, type UpdateSecurityPolicyBody } from '@custos/shared';

/** The policy as the form edits it: number inputs may be empty while typing. */
export type SecurityPolicyDraft = {
  [K in keyof SecurityPolicy]: SecurityPolicy[K] extends number ? number | string : SecurityPolicy[K];
};

export type NumberField = {
  [K in keyof SecurityPolicy]: SecurityPolicy[K] extends number ? K : never;
}[keyof SecurityPolicy];

const FIELDS = Object.keys(SecurityPolicy.shape) as (keyof SecurityPolicy)[];

export function draftOf(policy: SecurityPolicyOut): SecurityPolicyDraft {
  const { updatedAt: _updatedAt, ...settings } = policy;
  return settings;
}

/** The bounds the server accepts for a number setting, read from the contract. */
export function rangeOf(field: NumberField): { min: number; max: number } {
  const schema = SecurityPolicy.shape[field];
  return { min: schema.minValue ?? 0, max: schema.maxValue ?? Number.MAX_SAFE_INTEGER };
}

/** What a number input holds as a number; empty reads as NaN, which the contract refuses. */
function toNumber(value: string): number {
  return value.trim() === '' ? Number.NaN : Number(value);
}

/** The draft as a policy, and a message per field the contract (or the form's own rule) refuses. */
export function validateDraft(draft: SecurityPolicyDraft): {
  policy: SecurityPolicy | undefined;
  problems: Partial<Record<keyof SecurityPolicy, string>>;
} {
  const candidate = Object.fromEntries(
    FIELDS.map((field) => {
      const value = draft[field];
      return [field, typeof value === 'string' && isNumberField(field) ? toNumber(value) : value];
    }),
  );
  const problems: Partial<Record<keyof SecurityPolicy, string>> = {};
  const parsed = SecurityPolicy.safeParse(candidate);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const field = issue.path[0] as keyof SecurityPolicy;
      if (problems[field]) continue;
      problems[field] = isNumberField(field)
        ? `A whole number from ${rangeOf(field).min.toLocaleString()} to ${rangeOf(field).max.toLocaleString()}`
        : issue.message;
    }
  }
  if (draft.mfaRequirement === 'roles' && draft.mfaRoles.length === 0) {
    problems.mfaRoles = 'Pick at least one role, or require two-step verification of everyone';
  }
  const valid = parsed.success && Object.keys(problems).length === 0;
  return { policy: valid ? parsed.data : undefined, problems };
}

function isNumberField(field: keyof SecurityPolicy): field is NumberField {
  return SecurityPolicy.shape[field].type === 'number';
}

function same(a: unknown, b: unknown): boolean {
  if (Array.isArray(a) && Array.isArray(b))
    return a.length === b.length && [...a].sort().join() === [...b].sort().join();
  return a === b;
}

/** Only the settings that differ from what the server holds. */
export function changedFields(policy: SecurityPolicy, saved: SecurityPolicyOut): UpdateSecurityPolicyBody {
  const changes: Partial<SecurityPolicy> = {};
  for (const field of FIELDS) {
    if (!same(policy[field], saved[field])) Object.assign(changes, { [field]: policy[field] });
  }
  return changes;
}
