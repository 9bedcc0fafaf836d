import type { MemberOut } from '@custos/shared';
import {
  ActionIcon,
  Avatar,
  Badge,
  Card,
  Group,
  Menu,
  Table,
  Text,
  Tooltip,
  VisuallyHidden,
} from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { IconDots, IconUserCog, IconUserMinus, IconUsers } from '@tabler/icons-react';
import { type ReactNode, useState } from 'react';
import { hookError } from '../../app/errors';
import { formatDate } from '../../app/format';
import { ConfirmModal } from '../../ui/ConfirmModal';
import { EmptyState, LoadError, SectionLoader } from '../../ui/states';
import { useCan, useMe } from '../shell/session';
import { initials } from '../shell/UserMenu';
import { useListMembersQuery, useRemoveMemberMutation } from './api';
import { ChangeRolesModal } from './ChangeRolesModal';
import { RoleBadges } from './RoleBadges';

function MemberActions({
  member,
  self,
  onChangeRoles,
  onRemove,
}: {
  member: MemberOut;
  self: boolean;
  onChangeRoles: () => void;
  onRemove: () => void;
}) {
  if (self) {
    return (
      <Tooltip label="You cannot change your own roles or remove yourself" withArrow position="left">
        <ActionIcon variant="subtle" color="gray" disabled aria-label={`Actions for ${member.name} (you)`}>
          <IconDots size={16} />
        </ActionIcon>
      </Tooltip>
    );
  }
  return (
    <Menu position="bottom-end" withinPortal shadow="md">
      <Menu.Target>
        <ActionIcon variant="subtle" color="gray" aria-label={`Actions for ${member.name}`}>
          <IconDots size={16} />
        </ActionIcon>
      </Menu.Target>
      <Menu.Dropdown>
        <Menu.Item leftSection={<IconUserCog size={16} />} onClick={onChangeRoles}>
          Change roles
        </Menu.Item>
        <Menu.Item color="red" leftSection={<IconUserMinus size={16} />} onClick={onRemove}>
          Remove from organization
        </Menu.Item>
      </Menu.Dropdown>
    </Menu>
  );
}

export function MembersTable() {
  const me = useMe();
  const canManage = useCan('members:manage');
  const { data: members, error, isLoading, refetch } = useListMembersQuery();
  const [editing, setEditing] = useState<MemberOut>();
  const [removing, setRemoving] = useState<MemberOut>();
  const [remove, removal] = useRemoveMemberMutation();

  function closeRemove() {
    setRemoving(undefined);
    removal.reset();
  }

  async function confirmRemove() {
    if (!removing) return;
    const result = await remove(removing.userId);
    if ('data' in result) {
      notifications.show({ color: 'teal', message: `${removing.name} was removed from the organization` });
      closeRemove();
    }
  }

  let body: ReactNode;
  if (isLoading) body = <SectionLoader label="Loading members" />;
  else if (!members) body = <LoadError error={hookError(error)} what="the members" onRetry={refetch} />;
  else if (members.length === 0)
    body = (
      <EmptyState
        icon={<IconUsers size={24} />}
        title="No members yet"
        description="Invite someone to get started."
      />
    );
  else
    body = (
      <Table.ScrollContainer minWidth={640}>
        <Table aria-label="Members">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Name</Table.Th>
              <Table.Th>Roles</Table.Th>
              <Table.Th>Joined</Table.Th>
              {canManage && (
                <Table.Th w={56}>
                  <VisuallyHidden>Actions</VisuallyHidden>
                </Table.Th>
              )}
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {members.map((member) => {
              const self = member.userId === me.user.id;
              return (
                <Table.Tr key={member.userId}>
                  <Table.Td>
                    <Group gap="sm" wrap="nowrap">
                      <Avatar size={34} radius="xl" color="indigo">
                        {initials(member.name)}
                      </Avatar>
                      <div>
                        <Group gap={6}>
                          <Text size="sm" fw={500}>
                            {member.name}
                          </Text>
                          {self && (
                            <Badge size="xs" variant="outline" color="gray">
                              You
                            </Badge>
                          )}
                        </Group>
                        <Text size="xs" c="dimmed">
                          {member.email}
                        </Text>
                      </div>
                    </Group>
                  </Table.Td>
                  <Table.Td>
                    <RoleBadges roles={member.roles} />
                  </Table.Td>
                  <Table.Td>
                    <Text size="sm">{formatDate(member.joinedAt)}</Text>
                  </Table.Td>
                  {canManage && (
                    <Table.Td>
                      <MemberActions
                        member={member}
                        self={self}
                        onChangeRoles={() => setEditing(member)}
                        onRemove={() => setRemoving(member)}
                      />
                    </Table.Td>
                  )}
                </Table.Tr>
              );
            })}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
    );

  return (
    <Card withBorder padding={0} radius="md" component="section" aria-labelledby="members-title">
      <Group px="lg" py="md" justify="space-between">
        <Text fw={600} id="members-title">
          Members{' '}
          {members ? (
            <Text span c="dimmed">
              ({members.length})
            </Text>
          ) : null}
        </Text>
      </Group>
      {body}
      <ChangeRolesModal member={editing} onClose={() => setEditing(undefined)} />
      <ConfirmModal
        opened={removing !== undefined}
        title="Remove member"
        confirmLabel="Remove member"
        loading={removal.isLoading}
        error={hookError(removal.error)}
        onConfirm={confirmRemove}
        onClose={closeRemove}
      >
        {removing
          ? `${removing.name} (${removing.email}) loses access to this organization and is signed out of it. Their account and audit history stay.`
          : ''}
      </ConfirmModal>
    </Card>
  );
}
