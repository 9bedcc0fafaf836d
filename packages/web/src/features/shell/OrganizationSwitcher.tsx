import { Button, Menu, Text } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { IconBuilding, IconCheck, IconSelector } from '@tabler/icons-react';
import { hookError } from '../../app/errors';
import { useSwitchOrganizationMutation } from '../auth/api';
import { useSessionChange } from '../auth/useSessionChange';
import { useMe } from './session';

/** Shows the current organization and moves the session to another of the caller's organizations. */
export function OrganizationSwitcher() {
  const me = useMe();
  const [switchOrganization, { isLoading }] = useSwitchOrganizationMutation();
  const sessionChanged = useSessionChange();
  const current = me.organization;

  async function choose(id: string, name: string) {
    if (id === current?.id) return;
    const result = await switchOrganization(id);
    if ('error' in result) {
      notifications.show({
        color: 'red',
        title: 'Could not switch organization',
        message: hookError(result.error)?.message,
      });
      return;
    }
    sessionChanged('/');
    notifications.show({ color: 'teal', message: `Switched to ${name}` });
  }

  return (
    <Menu position="bottom-start" width={260} shadow="md" withinPortal>
      <Menu.Target>
        <Button
          variant="default"
          loading={isLoading}
          leftSection={<IconBuilding size={16} />}
          rightSection={<IconSelector size={14} />}
          aria-label={`Organization: ${current?.name ?? 'none'}. Switch organization`}
          maw={{ base: 180, sm: 280 }}
          miw={0}
          styles={{ label: { overflow: 'hidden' } }}
        >
          <Text span inherit truncate="end" data-testid="current-organization">
            {current?.name ?? 'No organization'}
          </Text>
        </Button>
      </Menu.Target>
      <Menu.Dropdown>
        <Menu.Label>Your organizations</Menu.Label>
        {me.organizations.length === 0 && (
          <Text size="sm" c="dimmed" px="sm" py={6}>
            You are not a member of any organization.
          </Text>
        )}
        {me.organizations.map((org) => (
          <Menu.Item
            key={org.id}
            onClick={() => choose(org.id, org.name)}
            rightSection={org.id === current?.id ? <IconCheck size={14} /> : null}
          >
            <Text size="sm" fw={org.id === current?.id ? 600 : 400} truncate>
              {org.name}
            </Text>
            <Text size="xs" c="dimmed" truncate>
              {org.slug}
            </Text>
          </Menu.Item>
        ))}
      </Menu.Dropdown>
    </Menu>
  );
}
