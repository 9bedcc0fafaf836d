import type { SessionOut } from '@custos/shared';
import { ActionIcon, Badge, Menu, Stack, Table, Text, Tooltip } from '@mantine/core';
import { IconDots, IconUserX, IconX } from '@tabler/icons-react';
import { ActionsHeader, DataTable } from '../../ui/tables';
import { CountryCell, DeviceCell, IpCell, TimeCell } from './sessionParts';

interface SessionsTableProps {
  sessions: SessionOut[];
  canRevoke: boolean;
  onEnd: (session: SessionOut) => void;
  onEndAllOf: (session: SessionOut) => void;
}

function UserCell({ session }: { session: SessionOut }) {
  return (
    <Stack gap={2}>
      <Text size="sm" fw={500}>
        {session.userName}
      </Text>
      <Text size="xs" c="dimmed">
        {session.userEmail}
      </Text>
      {session.impersonatedBy && (
        <Badge size="xs" color="grape" variant="light" tt="none">
          Impersonated by {session.impersonatedBy}
        </Badge>
      )}
    </Stack>
  );
}

function RowActions({
  session,
  onEnd,
  onEndAllOf,
}: Omit<SessionsTableProps, 'sessions' | 'canRevoke'> & { session: SessionOut }) {
  if (session.current) {
    return (
      <Tooltip label="Your own session: sign out from the user menu" withArrow position="left">
        <ActionIcon variant="subtle" color="gray" disabled aria-label="Actions for your own session">
          <IconDots size={16} />
        </ActionIcon>
      </Tooltip>
    );
  }
  return (
    <Menu position="bottom-end" withinPortal shadow="md">
      <Menu.Target>
        <ActionIcon
          variant="subtle"
          color="gray"
          aria-label={`Actions for the session of ${session.userName}`}
        >
          <IconDots size={16} />
        </ActionIcon>
      </Menu.Target>
      <Menu.Dropdown>
        <Menu.Item color="red" leftSection={<IconX size={16} />} onClick={() => onEnd(session)}>
          End this session
        </Menu.Item>
        <Menu.Item color="red" leftSection={<IconUserX size={16} />} onClick={() => onEndAllOf(session)}>
          End all of {session.userName}'s sessions
        </Menu.Item>
      </Menu.Dropdown>
    </Menu>
  );
}

/** The organization's sessions, newest activity first. */
export function SessionsTable({ sessions, canRevoke, onEnd, onEndAllOf }: SessionsTableProps) {
  const sorted = [...sessions].sort((a, b) => b.lastSeenAt.localeCompare(a.lastSeenAt));
  return (
    <DataTable
      label="Sessions"
      minWidth={900}
      head={
        <>
          <Table.Th>User</Table.Th>
          <Table.Th>Device</Table.Th>
          <Table.Th>IP address</Table.Th>
          <Table.Th>Country</Table.Th>
          <Table.Th>Signed in</Table.Th>
          <Table.Th>Last active</Table.Th>
          <Table.Th>Expires</Table.Th>
          {canRevoke && <ActionsHeader />}
        </>
      }
    >
      {sorted.map((session) => (
        <Table.Tr key={session.id}>
          <Table.Td>
            <UserCell session={session} />
          </Table.Td>
          <Table.Td>
            <DeviceCell session={session} />
          </Table.Td>
          <Table.Td>
            <IpCell ip={session.ip} />
          </Table.Td>
          <Table.Td>
            <CountryCell session={session} />
          </Table.Td>
          <Table.Td>
            <TimeCell iso={session.createdAt} />
          </Table.Td>
          <Table.Td>
            <TimeCell iso={session.lastSeenAt} />
          </Table.Td>
          <Table.Td>
            <TimeCell iso={session.expiresAt} />
          </Table.Td>
          {canRevoke && (
            <Table.Td>
              <RowActions session={session} onEnd={onEnd} onEndAllOf={onEndAllOf} />
            </Table.Td>
          )}
        </Table.Tr>
      ))}
    </DataTable>
  );
}
