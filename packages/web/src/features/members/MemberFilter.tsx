import { MEMBER_FILTERS, type MemberFilter, MemberFilterSchema } from '@custos/shared';
import { SegmentedControl, Stack, Text } from '@mantine/core';
import { useSearchParams } from 'react-router';

const LABELS: Record<MemberFilter, string> = {
  all: 'All',
  'privileged-without-mfa': 'Privileged without two-step',
  locked: 'Locked out',
  'without-mfa': 'Without two-step',
};

/** What each filter lists, in plain words (shown under the control). */
const EXPLAINED: Record<MemberFilter, string> = {
  all: 'Everyone in the organization.',
  'privileged-without-mfa':
    'Privileged members are those whose roles can change members or invitations, roles and access rules, the security policy, API keys, audit retention or encryption keys. These have no second sign-in step (two-step verification, MFA): no authenticator app or passkey (disabled accounts are left out: they cannot sign in). The security score counts exactly these.',
  locked:
    'Members whose sign-ins from new devices and networks are refused for a while after too many failed attempts.',
  'without-mfa':
    'Members with no second sign-in step (two-step verification, MFA): no authenticator app or passkey (disabled accounts are left out: they cannot sign in).',
};

/** The filter, kept in the URL's `filter` query so a link (the security score's) opens it. */
export function useMemberFilter(): [MemberFilter, (next: MemberFilter) => void] {
  const [params, setParams] = useSearchParams();
  const parsed = MemberFilterSchema.safeParse(params.get('filter'));
  const filter = parsed.success ? parsed.data : 'all';
  const set = (next: MemberFilter) =>
    setParams(
      (current) => {
        const updated = new URLSearchParams(current);
        if (next === 'all') updated.delete('filter');
        else updated.set('filter', next);
        return updated;
      },
      { replace: true },
    );
  return [filter, set];
}

export function MemberFilterControl({
  value,
  onChange,
}: {
  value: MemberFilter;
  onChange: (f: MemberFilter) => void;
}) {
  return (
    <Stack gap={4} px="lg" pb="sm">
      <SegmentedControl
        aria-label="Show members"
        value={value}
        onChange={(next) => onChange(MemberFilterSchema.parse(next))}
        data={MEMBER_FILTERS.map((f) => ({ value: f, label: LABELS[f] }))}
        fullWidth
        styles={{ label: { whiteSpace: 'normal' } }}
      />
      <Text size="xs" c="dimmed" aria-live="polite">
        {EXPLAINED[value]}
      </Text>
    </Stack>
  );
}
