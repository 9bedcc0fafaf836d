import type { AdminUserOut } from '@custos/shared';
import { ActionIcon, Avatar, Badge, Group, Menu, Stack, Table, Text, TextInput } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { notifications } from '@mantine/notifications';
import { IconDots, IconSearch, IconSpy, IconUserCheck, IconUserOff, IconUsers } from '@tabler/icons-react';
import { useState } from 'react';
import { hookError } from '../../app/errors';
import { formatDate } from '../../app/format';
import { PageHeader } from '../../ui/PageHeader';
import { EmptyState } from '../../ui/states';
import { ActionsHeader, DataTable, QueryBody, TableCard } from '../../ui/tables';
import { useDisplayTimeZone } from '../../ui/timeZone';
import { Require } from '../shell/RequirePermission';
import { useMe } from '../shell/session';
import { initials } from '../shell/UserMenu';
import { useEnableUserMutation, useListUsersQuery } from './api';
import { DisableUserModal } from './DisableUserModal';
import { ImpersonateModal } from './ImpersonateModal';

interface RowActionsProps {
  user: AdminUserOut;
  onDisable: () => void;
  onEnable: () => void;
  onImpersonate: () => void;
}

function RowActions({ user, onDisable, onEnable, onImpersonate }: RowActionsProps) {
  return (
    <Menu position="bottom-end" withinPortal shadow="md">
      <Menu.Target>
        <ActionIcon variant="subtle" color="gray" aria-label={`Actions for ${user.name}`}>
          <IconDots size={16} />
        </ActionIcon>
      </Menu.Target>
      <Menu.Dropdown>
        <Menu.Item
          leftSection={<IconSpy size={16} />}
          onClick={onImpersonate}
          disabled={user.disabledAt !== null}
        >
          Impersonate
        </Menu.Item>
        {user.disabledAt ? (
          <Menu.Item leftSection={<IconUserCheck size={16} />} onClick={onEnable}>
            Enable account
          </Menu.Item>
        ) : (
          <Menu.Item color="red" leftSection={<IconUserOff size={16} />} onClick={onDisable}>
            Disable account
          </Menu.Item>
        )}
      </Menu.Dropdown>
    </Menu>
  );
}

function UserCell({ user, self }: { user: AdminUserOut; self: boolean }) {
  return (
    <Group gap="sm" wrap="nowrap">
      <Avatar size={34} radius="xl" color={user.disabledAt ? 'gray' : 'indigo'}>
        {initials(user.name)}
      </Avatar>
      <div>
        <Group gap={6}>
          <Text size="sm" fw={500} c={user.disabledAt ? 'dimmed' : undefined}>
            {user.name}
          </Text>
          {self && (
            <Badge size="xs" variant="outline" color="gray">
              You
            </Badge>
          )}
          {user.isSuperAdmin && (
            <Badge size="xs" variant="light" color="grape">
              Platform admin
            </Badge>
          )}
        </Group>
        <Text size="xs" c="dimmed">
          {user.email}
        </Text>
      </div>
    </Group>
  );
}

function UsersTable({ users }: { users: AdminUserOut[] }) {
  useDisplayTimeZone();
  const me = useMe();
  const [disabling, setDisabling] = useState<AdminUserOut>();
  const [impersonating, setImpersonating] = useState<AdminUserOut>();
  const [enable] = useEnableUserMutation();

  async function enableUser(user: AdminUserOut) {
    const result = await enable(user.id);
    notifications.show(
      'data' in result
        ? { color: 'teal', message: `${user.name} can sign in again` }
        : { color: 'red', title: 'Could not enable the account', message: hookError(result.error)?.message },
    );
  }

  return (
    <>
      <DataTable
        label="Users"
        minWidth={820}
        head={
          <>
            <Table.Th>User</Table.Th>
            <Table.Th>Two-step</Table.Th>
            <Table.Th>Status</Table.Th>
            <Table.Th>Organizations</Table.Th>
            <Table.Th>Created</Table.Th>
            <ActionsHeader />
          </>
        }
      >
        {users.map((user) => {
          const self = user.id === me.user.id;
          return (
            <Table.Tr key={user.id}>
              <Table.Td>
                <UserCell user={user} self={self} />
              </Table.Td>
              <Table.Td>
                <Badge size="sm" variant="light" color={user.mfaEnabled ? 'teal' : 'gray'}>
                  {user.mfaEnabled ? 'On' : 'Off'}
                </Badge>
              </Table.Td>
              <Table.Td>
                {user.disabledAt ? (
                  <Badge size="sm" variant="light" color="red">
                    Disabled {formatDate(user.disabledAt)}
                  </Badge>
                ) : (
                  <Badge size="sm" variant="light" color="teal">
                    Active
                  </Badge>
                )}
              </Table.Td>
              <Table.Td>
                {user.organizations.length === 0 ? (
                  <Text size="sm" c="dimmed">
                    None
                  </Text>
                ) : (
                  <Group gap={4}>
                    {user.organizations.map((o) => (
                      <Badge key={o.id} size="sm" variant="outline" color="gray" tt="none">
                        {o.name}
                      </Badge>
                    ))}
                  </Group>
                )}
              </Table.Td>
              <Table.Td>
                <Text size="sm">{formatDate(user.createdAt)}</Text>
              </Table.Td>
              <Table.Td>
                {!self && (
                  <RowActions
                    user={user}
                    onDisable={() => setDisabling(user)}
                    onEnable={() => enableUser(user)}
                    onImpersonate={() => setImpersonating(user)}
                  />
                )}
              </Table.Td>
            </Table.Tr>
          );
        })}
      </DataTable>
      <DisableUserModal user={disabling} onClose={() => setDisabling(undefined)} />
      <ImpersonateModal user={impersonating} onClose={() => setImpersonating(undefined)} />
    </>
  );
}

function UsersCard() {
  const [search, setSearch] = useState('');
  const [q] = useDebouncedValue(search.trim(), 250);
  const query = useListUsersQuery({ q });
  return (
    <Stack gap="md">
      <TextInput
        aria-label="Search users"
        placeholder="Search by name or e-mail"
        leftSection={<IconSearch size={16} />}
        value={search}
        onChange={(event) => setSearch(event.currentTarget.value)}
        maw={400}
      />
      <TableCard>
        <QueryBody
          query={query}
          loadingLabel="Loading users"
          what="the users"
          empty={
            <EmptyState
              icon={<IconUsers size={24} />}
              title={q ? 'No user matches' : 'No users yet'}
              description={q ? 'Try part of the name or of the e-mail address.' : undefined}
            />
          }
        >
          {(users) => <UsersTable users={users} />}
        </QueryBody>
      </TableCard>
    </Stack>
  );
}

export function UsersPage() {
  return (
    <>
      <PageHeader
        title="Users"
        description="Every account on this Custos installation. Disable an account to lock it out, or impersonate one to see what its owner sees."
      />
      <Require superAdmin>
        <UsersCard />
      </Require>
    </>
  );
}
