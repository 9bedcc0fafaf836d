import { hasMfa, type MemberWithSecurity, matchesMemberFilter } from '@custos/shared';
import { ActionIcon, Avatar, Badge, Group, Menu, Table, Text, Tooltip } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import {
  IconDevices,
  IconDots,
  IconHandStop,
  IconKeyOff,
  IconLockOpen,
  IconLogout,
  IconUserCog,
  IconUserMinus,
  IconUsers,
} from '@tabler/icons-react';
import { useState } from 'react';
import { Link } from 'react-router';
import { formatCount, formatDate } from '../../app/format';
import { useAppDispatch } from '../../app/hooks';
import { ConfirmModal } from '../../ui/ConfirmModal';
import { EmptyState } from '../../ui/states';
import { ActionsHeader, DataTable, QueryBody, TableCard } from '../../ui/tables';
import { useDisplayTimeZone } from '../../ui/timeZone';
import { useConfirmAction } from '../../ui/useConfirmAction';
import { useRevokeSessionsMutation } from '../sessions/api';
import { useCan, useMe } from '../shell/session';
import { initials } from '../shell/UserMenu';
import {
  membersApi,
  useListMembersQuery,
  useRemoveMemberMutation,
  useResetMemberMfaMutation,
  useUnlockMemberMutation,
} from './api';
import { ChangeRolesModal } from './ChangeRolesModal';
import { MemberFilterControl, useMemberFilter } from './MemberFilter';
import { LastSignIn, MemberSecurityBadges } from './MemberSecurityBadges';
import { RoleBadges } from './RoleBadges';

interface MemberActionsProps {
  member: MemberWithSecurity;
  self: boolean;
  canManage: boolean;
  canSeeSessions: boolean;
  canEndSessions: boolean;
  onChangeRoles: () => void;
  onRemove: () => void;
  onResetMfa: () => void;
  onUnlock: () => void;
  onEndSessions: () => void;
}

function MemberActions({
  member,
  self,
  canManage,
  canSeeSessions,
  canEndSessions,
  onChangeRoles,
  onRemove,
  onResetMfa,
  onUnlock,
  onEndSessions,
}: MemberActionsProps) {
  const manageable = canManage && !self;
  const endable = canEndSessions && !self && member.activeSessions > 0;
  const canSeeResponses = useCan('security:read');
  if (!manageable && !canSeeSessions && !endable && !(member.responseLock && canSeeResponses)) {
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
        {endable && (
          <Menu.Item leftSection={<IconLogout size={16} />} onClick={onEndSessions}>
            End sessions
          </Menu.Item>
        )}
        {member.responseLock && canSeeResponses && (
          <Menu.Item component={Link} to="/security/responses" leftSection={<IconHandStop size={16} />}>
            Lift the lock on Responses
          </Menu.Item>
        )}
        {manageable && member.lockedUntil && (
          <Menu.Item leftSection={<IconLockOpen size={16} />} onClick={onUnlock}>
            Unlock sign-in
          </Menu.Item>
        )}
        {manageable && (
          <>
            {hasMfa(member) || member.mfa.recoveryCodes ? (
              <Menu.Item color="red" leftSection={<IconKeyOff size={16} />} onClick={onResetMfa}>
                Reset two-step verification
              </Menu.Item>
            ) : null}
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
  // Redrawn when the viewer picks another time zone.
  useDisplayTimeZone();
  const me = useMe();
  const canManage = useCan('members:manage');
  const canSeeSessions = useCan('sessions:read');
  const canEndSessions = useCan('sessions:revoke');
  const withActions = canManage || canSeeSessions || canEndSessions;
  const dispatch = useAppDispatch();
  const query = useListMembersQuery();
  const members = query.data;
  const [filter, setFilter] = useMemberFilter();
  const [editing, setEditing] = useState<MemberWithSecurity>();
  const [remove, removal] = useRemoveMemberMutation();
  const [resetMfa, resetting] = useResetMemberMfaMutation();
  const [unlock, unlocking] = useUnlockMemberMutation();
  const [endSessions, ending] = useRevokeSessionsMutation();
  const mfaReset = useConfirmAction(
    (member: MemberWithSecurity) => resetMfa(member.userId),
    resetting,
    (member) =>
      notifications.show({
        color: 'teal',
        message: `${member.name}'s second factors were removed and they were signed out. They sign in with their password and set up two-step verification again.`,
      }),
  );
  const unlockAction = useConfirmAction(
    (member: MemberWithSecurity) => unlock(member.userId),
    unlocking,
    (member) => notifications.show({ color: 'teal', message: `${member.name} can sign in again` }),
  );
  const sessionEnd = useConfirmAction(
    async (member: MemberWithSecurity) => {
      const result = await endSessions({ userId: member.userId });
      // The sessions API does not know the members list shows session counts.
      dispatch(membersApi.util.invalidateTags(['Members']));
      return result;
    },
    ending,
    (member) =>
      notifications.show({ color: 'teal', message: `${member.name} was signed out of this organization` }),
  );
  const removing = useConfirmAction(
    (member: MemberWithSecurity) => remove(member.userId),
    removal,
    (member) =>
      notifications.show({ color: 'teal', message: `${member.name} was removed from the organization` }),
  );

  return (
    <TableCard title={{ id: 'members-title', text: 'Members', count: members?.length }}>
      <MemberFilterControl value={filter} onChange={setFilter} />
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
        {(all) => {
          const members = all.filter((m) => matchesMemberFilter(m, filter));
          if (members.length === 0) {
            return (
              <Text size="sm" c="dimmed" px="lg" pb="lg" role="status">
                No member matches this filter.
              </Text>
            );
          }
          return (
            <DataTable
              label="Members"
              minWidth={900}
              cardsOnPhone
              head={
                <>
                  <Table.Th>Name</Table.Th>
                  <Table.Th>Security</Table.Th>
                  <Table.Th>Last sign-in</Table.Th>
                  <Table.Th>Sessions</Table.Th>
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
                    <Table.Td data-label="Name" data-wide>
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
                    <Table.Td data-label="Security">
                      <MemberSecurityBadges member={member} />
                    </Table.Td>
                    <Table.Td data-label="Last sign-in">
                      <LastSignIn member={member} />
                    </Table.Td>
                    <Table.Td data-label="Sessions">
                      <Text size="sm">{formatCount(member.activeSessions)}</Text>
                    </Table.Td>
                    <Table.Td data-label="Roles">
                      <RoleBadges roles={member.roles} />
                    </Table.Td>
                    <Table.Td data-label="Joined">
                      <Text size="sm">{formatDate(member.joinedAt)}</Text>
                    </Table.Td>
                    {withActions && (
                      <Table.Td data-label="Actions">
                        <MemberActions
                          member={member}
                          self={self}
                          canManage={canManage}
                          canSeeSessions={canSeeSessions}
                          canEndSessions={canEndSessions}
                          onChangeRoles={() => setEditing(member)}
                          onRemove={() => removing.ask(member)}
                          onResetMfa={() => mfaReset.ask(member)}
                          onUnlock={() => unlockAction.ask(member)}
                          onEndSessions={() => sessionEnd.ask(member)}
                        />
                      </Table.Td>
                    )}
                  </Table.Tr>
                );
              })}
            </DataTable>
          );
        }}
      </QueryBody>
      <ChangeRolesModal member={editing} onClose={() => setEditing(undefined)} />
      <ConfirmModal
        title="Reset two-step verification"
        confirmLabel="Reset two-step verification"
        {...mfaReset.modal}
      >
        {mfaReset.target
          ? `Every authenticator app, passkey and recovery code of ${mfaReset.target.name} (${mfaReset.target.email}) is removed and they are signed out everywhere. Until they set up two-step verification again, their password alone signs them in, so do this only once you are sure it is them asking (for example, they lost their phone). You will be asked to confirm it is you first.`
          : ''}
      </ConfirmModal>
      <ConfirmModal title="Unlock sign-in" confirmLabel="Unlock" {...unlockAction.modal}>
        {unlockAction.target
          ? `${unlockAction.target.name} is locked out after too many failed sign-ins. Unlocking lets sign-ins from new devices and networks try again at once. If the failures were not theirs, someone may be guessing their password: check the security events first.`
          : ''}
      </ConfirmModal>
      <ConfirmModal title="End sessions" confirmLabel="End sessions" {...sessionEnd.modal}>
        {sessionEnd.target
          ? `${sessionEnd.target.name} is signed out of this organization on every device (${formatCount(sessionEnd.target.activeSessions)} active session${sessionEnd.target.activeSessions === 1 ? '' : 's'}). They can sign in again.`
          : ''}
      </ConfirmModal>
      <ConfirmModal title="Remove member" confirmLabel="Remove member" {...removing.modal}>
        {removing.target
          ? `${removing.target.name} (${removing.target.email}) loses access to this organization and is signed out of it. Their account and audit history stay.`
          : ''}
      </ConfirmModal>
    </TableCard>
  );
}
