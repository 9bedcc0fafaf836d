import type { MemberOut } from '@custos/shared';
import { ActionIcon, Avatar, Badge, Group, Menu, Table, Text, Tooltip } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { IconDevices, IconDots, IconUserCog, IconUserMinus, IconUsers } from '@tabler/icons-react';
import { useState } from 'react';
import { Link } from 'react-router';
import { formatDate } from '../../app/format';
import { ConfirmModal } from '../../ui/ConfirmModal';
import { EmptyState } from '../../ui/states';
import { ActionsHeader, DataTable, QueryBody, TableCard } from '../../ui/tables';
import { useConfirmAction } from '../../ui/useConfirmAction';
import { useCan, useMe } from '../shell/session';
import { initials } from '../shell/UserMenu';
import { useListMembersQuery, useRemoveMemberMutation } from './api';
import { ChangeRolesModal } from './ChangeRolesModal';
import { RoleBadges } from './RoleBadges';

interface MemberActionsProps {
  member: MemberOut;
  self: boolean;
  canManage: boolean;
  canSeeSessions: boolean;
  onChangeRoles: () => void;
  onRemove: () => void;
}

function MemberActions({
  member,
  self,
  canManage,
  canSeeSessions,
  onChangeRoles,
  onRemove,
}: MemberActionsProps) {
  const manageable = canManage && !self;
  if (!manageable && !canSeeSessions) {
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
        {canSeeSessions && (
          <Menu.Item
            component={Link}
            to={`/sessions?userId=${encodeURIComponent(member.userId)}`}
            leftSection={<IconDevices size={16} />}
          >
            Sessions
          </Menu.Item>
        )}
        {manageable && (
          <>
            <Menu.Item leftSection={<IconUserCog size={16} />} onClick={onChangeRoles}>
              Change roles
            </Menu.Item>
            <Menu.Item color="red" leftSection={<IconUserMinus size={16} />} onClick={onRemove}>
              Remove from organization
            </Menu.Item>
          </>
        )}
      </Menu.Dropdown>
    </Menu>
  );
}

export function MembersTable() {
  const me = useMe();
  const canManage = useCan('members:manage');
  const canSeeSessions = useCan('sessions:read');
  const withActions = canManage || canSeeSessions;
  const query = useListMembersQuery();
  const members = query.data;
  const [editing, setEditing] = useState<MemberOut>();
  const [remove, removal] = useRemoveMemberMutation();
  const removing = useConfirmAction(
    (member: MemberOut) => remove(member.userId),
    removal,
    (member) =>
      notifications.show({ color: 'teal', message: `${member.name} was removed from the organization` }),
  );

  return (
    <TableCard title={{ id: 'members-title', text: 'Members', count: members?.length }}>
      <QueryBody
        query={query}
        loadingLabel="Loading members"
        what="the members"
        empty={
          <EmptyState
            icon={<IconUsers size={24} />}
            title="No members yet"
            description="Invite someone to get started."
          />
        }
      >
        {(members) => (
          <DataTable
            label="Members"
            minWidth={640}
            head={
              <>
                <Table.Th>Name</Table.Th>
                <Table.Th>Roles</Table.Th>
                <Table.Th>Joined</Table.Th>
                {withActions && <ActionsHeader />}
              </>
            }
          >
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
                  {withActions && (
                    <Table.Td>
                      <MemberActions
                        member={member}
                        self={self}
                        canManage={canManage}
                        canSeeSessions={canSeeSessions}
                        onChangeRoles={() => setEditing(member)}
                        onRemove={() => removing.ask(member)}
                      />
                    </Table.Td>
                  )}
                </Table.Tr>
              );
            })}
          </DataTable>
        )}
      </QueryBody>
      <ChangeRolesModal member={editing} onClose={() => setEditing(undefined)} />
      <ConfirmModal title="Remove member" confirmLabel="Remove member" {...removing.modal}>
        {removing.target
          ? `${removing.target.name} (${removing.target.email}) loses access to this organization and is signed out of it. Their account and audit history stay.`
          : ''}
      </ConfirmModal>
    </TableCard>
  );
}
