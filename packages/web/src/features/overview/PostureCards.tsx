import type { SecurityOverview } from '@custos/shared';
import { Anchor, Badge, Group, Progress, SimpleGrid, Stack, Text, ThemeIcon } from '@mantine/core';
import { IconDevices, IconHandStop, IconShieldLock } from '@tabler/icons-react';
import type { ReactNode } from 'react';
import { Link } from 'react-router';
import { formatCount } from '../../app/format';
import { useCan } from '../shell/session';
import { DashboardCard } from './DashboardCard';
import { percent } from './figures';

function Figure({
  icon,
  color,
  value,
  caption,
}: {
  icon: ReactNode;
  color: string;
  value: ReactNode;
  caption: string;
}) {
  return (
    <Group gap="sm" wrap="nowrap">
      <ThemeIcon variant="light" color={color} size={40} radius="md">
        {icon}
      </ThemeIcon>
      <Stack gap={0}>
        <Text fw={700} fz={26} lh={1.1}>
          {value}
        </Text>
        <Text size="xs" c="dimmed">
          {caption}
        </Text>
      </Stack>
    </Group>
  );
}

function SessionsCard({ sessions }: { sessions: SecurityOverview['sessions'] }) {
  const canOpen = useCan('sessions:read');
  const mfaShare = percent(sessions.withMfa, sessions.active);
  return (
    <DashboardCard
      title="Active sessions"
      more={canOpen ? { to: '/sessions', label: 'Session list' } : undefined}
      morePlacement="bottom"
      testId="active-sessions"
    >
      <Figure
        icon={<IconDevices size={22} />}
        color="indigo"
        value={<span data-testid="active-sessions-count">{formatCount(sessions.active)}</span>}
        caption="signed in now"
      />
      <Stack gap={6}>
        <Group justify="space-between">
          <Text size="sm">Signed in with a second step</Text>
          <Text size="sm" fw={600}>
            {formatCount(sessions.withMfa)} ({mfaShare}%)
          </Text>
        </Group>
        <Progress
          value={mfaShare}
          color="teal"
          size="sm"
          aria-label="Sessions signed in with a second step"
        />
        <Group justify="space-between">
          <Text size="sm">Idle for over 7 days</Text>
          <Badge variant="light" color={sessions.stale > 0 ? 'orange' : 'gray'}>
            {formatCount(sessions.stale)} session{sessions.stale === 1 ? '' : 's'}
          </Badge>
        </Group>
      </Stack>
    </DashboardCard>
  );
}

function MfaCard({ mfa }: { mfa: SecurityOverview['mfa'] }) {
  const share = percent(mfa.enrolled, mfa.members);
  const color = share >= 90 ? 'teal' : share >= 50 ? 'yellow' : 'red';
  return (
    <DashboardCard
      title="Two-step verification (MFA)"
      more={{ to: '/settings/security', label: 'Who must use it' }}
      morePlacement="bottom"
      testId="mfa-adoption"
    >
      <Figure
        icon={<IconShieldLock size={22} />}
        color={color}
        value={`${share}%`}
        caption={`${formatCount(mfa.enrolled)} of ${formatCount(mfa.members)} members have an authenticator app or passkey`}
      />
      <Stack gap={6}>
        <Progress value={share} color={color} size="sm" aria-label="Members with two-step verification" />
        {mfa.adminsWithout > 0 ? (
          <Anchor
            component={Link}
            to="/members?filter=privileged-without-mfa"
            size="sm"
            fw={600}
            c="red.9"
            data-testid="admins-without-mfa"
          >
            {formatCount(mfa.adminsWithout)} privileged member{mfa.adminsWithout === 1 ? '' : 's'} without MFA
          </Anchor>
        ) : (
          <Text size="sm" c="dimmed">
            Every privileged member (who can change members, roles, access or security settings) uses MFA.
          </Text>
        )}
      </Stack>
    </DashboardCard>
  );
}

function ResponsesCard({ activeResponses }: { activeResponses: number }) {
  return (
    <DashboardCard
      title="Active responses"
      more={{ to: '/security/responses', label: 'Blocks and locks' }}
      morePlacement="bottom"
      testId="active-responses"
    >
      <Figure
        icon={<IconHandStop size={22} />}
        color={activeResponses > 0 ? 'orange' : 'gray'}
        value={<span data-testid="active-responses-count">{formatCount(activeResponses)}</span>}
        caption="blocks and locks in force"
      />
      <Text size="sm" c="dimmed">
        {activeResponses > 0
          ? 'Blocked addresses and locked accounts expire on their own or when an admin lifts them.'
          : 'No address is blocked and no account is locked.'}
      </Text>
    </DashboardCard>
  );
}

/** Sessions, MFA adoption and responses in force, side by side. */
export function PostureCards({ overview }: { overview: SecurityOverview }) {
  return (
    <SimpleGrid cols={{ base: 1, sm: 3 }}>
      <SessionsCard sessions={overview.sessions} />
      <MfaCard mfa={overview.mfa} />
      <ResponsesCard activeResponses={overview.activeResponses} />
    </SimpleGrid>
  );
}
