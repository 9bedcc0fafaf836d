import type { AccessRuleKind, AccessRuleOut, AccessRuleTarget } from '@custos/shared';

/** `one` starts a sentence, `noun` sits inside one. */
export const KIND_LABELS: Record<
  AccessRuleKind,
  { one: string; noun: string; title: string; empty: string }
> = {
  ip: {
    one: 'IP rule',
    noun: 'IP rule',
    title: 'IP addresses',
    empty: 'Allow only your office and VPN ranges, or block addresses you never want to hear from.',
  },
  country: {
    one: 'Country rule',
    noun: 'country rule',
    title: 'Countries',
    empty: 'Allow only the countries your people work from, or block countries you do no business with.',
  },
  time: {
    one: 'Time rule',
    noun: 'time rule',
    title: 'Times',
    empty:
      "Allow access only during working hours, or block a maintenance window, in the organization's time zone.",
  },
};

export const TARGET_LABELS: Record<AccessRuleTarget, string> = {
  everyone: 'Everyone (members and API keys)',
  members: 'All members',
  role: 'Members with a role',
  api_keys: 'API keys',
};

/** "Everyone", "Members with Auditor", "API keys". */
export function targetLabel(
  rule: Pick<AccessRuleOut, 'target' | 'role'>,
  roleName: (key: string) => string,
): string {
  if (rule.target === 'role')
    return rule.role ? `Members with ${roleName(rule.role)}` : 'Members with a role';
  if (rule.target === 'everyone') return 'Everyone';
  return TARGET_LABELS[rule.target];
}
