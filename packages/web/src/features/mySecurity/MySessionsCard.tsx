import type { SessionOut } from '@custos/shared';
import { Button, Card, Group, Stack, Table, Text, Title, Tooltip } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { IconDevices, IconLogout, IconX } from '@tabler/icons-react';
import { useState } from 'react';
import { hookError } from '../../app/errors';
import { ConfirmModal } from '../../ui/ConfirmModal';
import { EmptyState } from '../../ui/states';
import { ActionsHeader, DangerRowAction, DataTable, QueryBody } from '../../ui/tables';
import { useConfirmAction } from '../../ui/useConfirmAction';
import { CountryCell, DeviceCell, IpCell, TimeCell } from '../sessions/sessionParts';
import { useListMySessionsQuery, useRevokeMyOtherSessionsMutation, useRevokeMySessionMutation } from './api';

function SessionRow({ session, onEnd }: { session: SessionOut; onEnd: () => void }) {
  return (
    <Table.Tr>
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
        {session.current ? (
          <Tooltip
            label="This is the session you are using. Sign out from the user menu."
            withArrow
            position="left"
          >
            <Text size="xs" c="dimmed" ta="center">
              —
            </Text>
          </Tooltip>
        ) : (
          <DangerRowAction
            tooltip="Sign this session out"
            label={`End session on ${session.device ?? 'unknown device'}`}
            icon={<IconX size={16} />}
            onClick={onEnd}
          />
        )}
      </Table.Td>
    </Table.Tr>
  );
}

/** The caller's own sessions: where they are signed in, ending one or all the others. */
export function MySessionsCard() {
  const query = useListMySessionsQuery();
  const others = (query.data ?? []).filter((s) => !s.current).length;
  const [revoke, revocation] = useRevokeMySessionMutation();
  const [revokeOthers, othersRevocation] = useRevokeMyOtherSessionsMutation();
  const [confirmingOthers, setConfirmingOthers] = useState(false);
  const ending = useConfirmAction(
    (session: SessionOut) => revoke(session.id),
    revocation,
    () => notifications.show({ color: 'teal', message: 'The session was signed out' }),
  );

  async function endOthers() {
    const result = await revokeOthers();
    if ('data' in result && result.data) {
      setConfirmingOthers(false);
      const n = result.data.revoked;
      notifications.show({
        color: 'teal',
        message:
          n === 0 ? 'No other session was open' : `Signed out of ${n} other session${n === 1 ? '' : 's'}`,
      });
    }
  }

  return (
    <Card withBorder padding={0} radius="md" component="section" aria-labelledby="my-sessions-title">
      <Group px="lg" py="md" justify="space-between" wrap="wrap" gap="sm">
        <Stack gap={2}>
          <Title order={4} id="my-sessions-title">
            My sessions
          </Title>
          <Text size="sm" c="dimmed">
            Where you are signed in. End any session you do not recognise, then change your password.
          </Text>
        </Stack>
        <Button
          variant="default"
          color="red"
          leftSection={<IconLogout size={16} />}
          disabled={others === 0}
          onClick={() => setConfirmingOthers(true)}
        >
          Sign out everywhere else
        </Button>
      </Group>
      <QueryBody
        query={query}
        loadingLabel="Loading your sessions"
        what="your sessions"
        empty={<EmptyState icon={<IconDevices size={24} />} title="No sessions" />}
      >
        {(sessions) => (
          <DataTable
            label="My sessions"
            minWidth={760}
            head={
              <>
                <Table.Th>Device</Table.Th>
                <Table.Th>IP address</Table.Th>
                <Table.Th>Country</Table.Th>
                <Table.Th>Signed in</Table.Th>
                <Table.Th>Last active</Table.Th>
                <ActionsHeader />
              </>
            }
          >
            {sessions.map((session) => (
              <SessionRow key={session.id} session={session} onEnd={() => ending.ask(session)} />
            ))}
          </DataTable>
        )}
      </QueryBody>
      <ConfirmModal title="End session" confirmLabel="Sign it out" {...ending.modal}>
        {ending.target
          ? `${ending.target.device ?? 'That device'} will be signed out at its next request.`
          : ''}
      </ConfirmModal>
      <ConfirmModal
        opened={confirmingOthers}
        title="Sign out everywhere else"
        confirmLabel="Sign out other sessions"
        loading={othersRevocation.isLoading}
        error={hookError(othersRevocation.error)}
        onConfirm={endOthers}
        onClose={() => {
          setConfirmingOthers(false);
          othersRevocation.reset();
        }}
      >
        {`Your ${others} other session${others === 1 ? '' : 's'} will be signed out. This one stays.`}
      </ConfirmModal>
    </Card>
  );
}
