import type { RoleOut } from '@custos/shared';
import { ActionIcon, Badge, Group, Menu, Stack, Text, Tooltip } from '@mantine/core';
import {
  IconAlertCircle,
  IconArrowBackUp,
  IconDots,
  IconLock,
  IconPencil,
  IconTrash,
} from '@tabler/icons-react';

interface RoleColumnHeaderProps {
  role: RoleOut;
  canManage: boolean;
  /** Cells of this role changed and not yet saved. */
  changes: number;
  /** Why the last save of this role failed. */
  saveError: string | undefined;
  onDiscard: () => void;
  onEdit: () => void;
  onDelete: () => void;
}

const EDITABLE_NOTE: Record<RoleOut['editable'], string> = {
  none: 'Holds every permission; cannot be changed',
  app: 'Built-in: Custos permissions are fixed, host-app permissions can be granted',
  all: 'Custom role: every permission can be granted',
};

function memberCount(count: number): string {
  if (count === 0) return 'No members';
  return count === 1 ? '1 member' : `${count} members`;
}

export function RoleColumnHeader({
  role,
  canManage,
  changes,
  saveError,
  onDiscard,
  onEdit,
  onDelete,
}: RoleColumnHeaderProps) {
  const custom = role.editable === 'all';
  return (
    <Stack gap={2} align="center" data-testid={`role-column-${role.key}`}>
      <Group gap={4} wrap="nowrap" justify="center">
        <Tooltip label={role.description || EDITABLE_NOTE[role.editable]} withArrow multiline maw={260}>
          <Text size="sm" fw={600} ta="center" lh={1.2}>
            {role.name}
          </Text>
        </Tooltip>
        {role.editable === 'none' && (
          <Tooltip label={EDITABLE_NOTE.none} withArrow>
            <IconLock size={14} color="var(--mantine-color-dimmed)" aria-label="Fixed" />
          </Tooltip>
        )}
        {canManage && custom && (
          <Menu position="bottom-end" withinPortal>
            <Menu.Target>
              <ActionIcon
                variant="subtle"
                color="gray"
                size="sm"
                aria-label={`Actions for role ${role.name}`}
              >
                <IconDots size={14} />
              </ActionIcon>
            </Menu.Target>
            <Menu.Dropdown>
              <Menu.Item leftSection={<IconPencil size={14} />} onClick={onEdit}>
                Edit name and description
              </Menu.Item>
              <Tooltip
                label="Members hold this role: give them another role first"
                disabled={role.memberCount === 0}
                withArrow
                position="left"
              >
                <div>
                  <Menu.Item
                    color="red"
                    leftSection={<IconTrash size={14} />}
                    disabled={role.memberCount > 0}
                    onClick={onDelete}
                  >
                    Delete role
                  </Menu.Item>
                </div>
              </Tooltip>
            </Menu.Dropdown>
          </Menu>
        )}
      </Group>
      <Text size="xs" c="dimmed" fw={400}>
        {memberCount(role.memberCount)}
      </Text>
      <Badge size="xs" variant="light" color={role.builtIn ? 'gray' : 'indigo'} tt="none">
        {role.builtIn ? 'Built-in' : 'Custom'}
      </Badge>
      {changes > 0 && (
        <Group gap={2} wrap="nowrap">
          <Badge size="xs" color="yellow" variant="light" tt="none">
            {changes} unsaved
          </Badge>
          <Tooltip label={`Discard changes to ${role.name}`} withArrow>
            <ActionIcon
              variant="subtle"
              color="gray"
              size="xs"
              aria-label={`Discard changes to ${role.name}`}
              onClick={onDiscard}
            >
              <IconArrowBackUp size={12} />
            </ActionIcon>
          </Tooltip>
        </Group>
      )}
      {saveError && (
        <Tooltip label={saveError} withArrow multiline maw={280} color="red">
          <Badge size="xs" color="red" variant="light" tt="none" leftSection={<IconAlertCircle size={10} />}>
            Not saved
          </Badge>
        </Tooltip>
      )}
    </Stack>
  );
}
