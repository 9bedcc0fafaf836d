import {
  Avatar,
  Group,
  Menu,
  Text,
  UnstyledButton,
  useComputedColorScheme,
  useMantineColorScheme,
  VisuallyHidden,
} from '@mantine/core';
import { notifications } from '@mantine/notifications';
import {
  IconCheck,
  IconChevronDown,
  IconLogout,
  IconMoon,
  IconShieldLock,
  IconSun,
  IconUserCircle,
} from '@tabler/icons-react';
import { useEffect } from 'react';
import { useNavigate } from 'react-router';
import { hookError } from '../../app/errors';
import { VIEWER_TIME_ZONE } from '../../app/format';
import {
  chooseTimeZone,
  learnOrganizationTimeZone,
  type TimeZoneChoice,
  useTimeZoneSetting,
} from '../../ui/timeZone';
import { useSignOutMutation } from '../auth/api';
import { useSessionChange } from '../auth/useSessionChange';
import { useMe } from './session';

export function initials(name: string): string {
  const parts = name.trim().split(/\s+/).filter(Boolean);
  const letters = parts.length > 1 ? [parts[0], parts[parts.length - 1]] : parts;
  return letters.map((p) => (p ?? '').charAt(0).toUpperCase()).join('') || '?';
}

/** Keeps the organization's time zone (from /me, so every member has it) known to the setting. */
function useOrganizationTimeZone(): string | undefined {
  const zone = useMe().organizationTimeZone ?? undefined;
  useEffect(() => learnOrganizationTimeZone(zone), [zone]);
  return zone;
}

function TimeZoneItems({ organization }: { organization: string | undefined }) {
  const setting = useTimeZoneSetting();
  // While the organization's zone is unknown, times are in the viewer's: the check mark says so.
  const shown = setting.choice === 'organization' && !setting.organizationZone ? 'viewer' : setting.choice;
  const options: { choice: TimeZoneChoice; label: string; disabled?: boolean }[] = [
    { choice: 'viewer', label: `My time zone (${VIEWER_TIME_ZONE})` },
    { choice: 'utc', label: 'UTC' },
    {
      choice: 'organization',
      label: organization ? `Organization (${organization})` : 'Organization (none chosen)',
      disabled: !organization,
    },
  ];
  return (
    <>
      <Menu.Label>Show times in</Menu.Label>
      {options.map(({ choice, label, disabled }) => {
        const current = shown === choice;
        return (
          <Menu.Item
            key={choice}
            leftSection={
              current ? (
                <IconCheck size={16} aria-hidden />
              ) : (
                <span style={{ display: 'inline-block', width: 16 }} />
              )
            }
            onClick={() => chooseTimeZone(choice)}
            disabled={disabled}
            data-time-zone-choice={choice}
            data-current={current || undefined}
          >
            {/* A menu item can't be a checked radio here (Mantine fixes its role): the name says it. */}
            <VisuallyHidden>Show times in </VisuallyHidden>
            {label}
            {current && <VisuallyHidden> (current)</VisuallyHidden>}
          </Menu.Item>
        );
      })}
    </>
  );
}

export function UserMenu() {
  // Here, not in the dropdown (mounted only while open): times shown in it must follow the zone.
  const organizationZone = useOrganizationTimeZone();
  const me = useMe();
  const navigate = useNavigate();
  const [signOut] = useSignOutMutation();
  const sessionChanged = useSessionChange();
  const { setColorScheme } = useMantineColorScheme();
  const scheme = useComputedColorScheme('light');

  async function handleSignOut() {
    const result = await signOut();
    if ('error' in result) {
      notifications.show({
        color: 'red',
        title: 'Could not sign out',
        message: hookError(result.error)?.message,
      });
      return;
    }
    sessionChanged('/sign-in');
  }

  return (
    <Menu position="bottom-end" width={280} shadow="md" withinPortal>
      <Menu.Target>
        <UnstyledButton px={6} py={4} style={{ borderRadius: 'var(--mantine-radius-md)' }}>
          <Group gap={8} wrap="nowrap">
            <Avatar color="indigo" radius="xl" size={32} aria-hidden>
              {initials(me.user.name)}
            </Avatar>
            <Text size="sm" fw={500} visibleFrom="sm" maw={160} truncate>
              {me.user.name}
            </Text>
            {/* Named by what it shows, then what it opens (WCAG 2.5.3: the visible name is in the name). */}
            <VisuallyHidden>User menu</VisuallyHidden>
            <IconChevronDown size={14} aria-hidden />
          </Group>
        </UnstyledButton>
      </Menu.Target>
      <Menu.Dropdown>
        <Menu.Label>
          <Text size="sm" fw={600} c="var(--mantine-color-text)" truncate>
            {me.user.name}
          </Text>
          <Text size="xs" c="dimmed" truncate>
            {me.user.email}
          </Text>
        </Menu.Label>
        <Menu.Divider />
        <Menu.Item leftSection={<IconUserCircle size={16} />} onClick={() => navigate('/profile')}>
          Profile
        </Menu.Item>
        <Menu.Item leftSection={<IconShieldLock size={16} />} onClick={() => navigate('/security/me')}>
          My security
        </Menu.Item>
        <Menu.Item
          leftSection={scheme === 'dark' ? <IconSun size={16} /> : <IconMoon size={16} />}
          onClick={() => setColorScheme(scheme === 'dark' ? 'light' : 'dark')}
        >
          {scheme === 'dark' ? 'Light theme' : 'Dark theme'}
        </Menu.Item>
        <Menu.Divider />
        <TimeZoneItems organization={organizationZone} />
        <Menu.Divider />
        <Menu.Item color="red" leftSection={<IconLogout size={16} />} onClick={handleSignOut}>
          Sign out
        </Menu.Item>
      </Menu.Dropdown>
    </Menu>
  );
}
