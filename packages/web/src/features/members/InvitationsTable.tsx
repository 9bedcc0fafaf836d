import type { InvitationOut } from '@custos/shared';
import { Badge, Group, Table, Text, Tooltip } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { IconMailX } from '@tabler/icons-react';
import { formatDate, formatRelative } from '../../app/format';
import { ConfirmModal } from '../../ui/ConfirmModal';
import { ActionsHeader, DangerRowAction, DataTable, QueryBody, TableCard } from '../../ui/tables';
import { useConfirmAction } from '../../ui/useConfirmAction';
import { useCan } from '../shell/session';
import { useListInvitationsQuery, useRevokeInvitationMutation } from './api';
import { RoleBadges } from './RoleBadges';

export function InvitationsTable() {
  const canRevoke = useCan('members:invite');
  const query = useListInvitationsQuery();
  const invitations = query.data;
  const [revoke, revocation] = useRevokeInvitationMutation();
  const revoking = useConfirmAction(
    (invitation: InvitationOut) => revoke(invitation.id),
    revocation,
    (invitation) =>
      notifications.show({ color: 'teal', message: `Invitation for ${invitation.email} revoked` }),
  );
  const count = invitations && invitations.length > 0 ? invitations.length : undefined;

  return (
    <TableCard title={{ id: 'invitations-title', text: 'Pending invitations', count }}>
      <QueryBody
        query={query}
        loadingLabel="Loading invitations"
        what="the invitations"
        empty={
          <Text size="sm" c="dimmed" px="lg" pb="lg">
            No pending invitations.
          </Text>
        }
      >
        {(invitations) => (
          <DataTable
            label="Pending invitations"
            minWidth={640}
            head={
              <>
                <Table.Th>E-mail</Table.Th>
                <Table.Th>Roles</Table.Th>
                <Table.Th>Invited</Table.Th>
                <Table.Th>Expires</Table.Th>
                {canRevoke && <ActionsHeader />}
              </>
            }
          >
            {invitations.map((invitation) => (
              <Table.Tr key={invitation.id}>
                <Table.Td>
                  <Text size="sm" fw={500}>
                    {invitation.email}
                  </Text>
                  <Group gap={6}>
                    <Badge size="xs" variant="dot" color={invitation.emailed ? 'teal' : 'yellow'}>
                      {invitation.emailed ? 'E-mailed' : 'Not e-mailed'}
                    </Badge>
                  </Group>
                </Table.Td>
                <Table.Td>
                  <RoleBadges roles={invitation.roles} />
                </Table.Td>
                <Table.Td>
                  <Text size="sm">{formatDate(invitation.createdAt)}</Text>
                  {invitation.invitedBy && (
                    <Text size="xs" c="dimmed">
                      by {invitation.invitedBy.name}
                    </Text>
                  )}
                </Table.Td>
                <Table.Td>
                  <Tooltip label={formatDate(invitation.expiresAt)} withArrow>
                    <Text size="sm">{formatRelative(invitation.expiresAt)}</Text>
                  </Tooltip>
                </Table.Td>
                {canRevoke && (
                  <Table.Td>
                    <DangerRowAction
                      tooltip="Revoke invitation"
                      label={`Revoke invitation for ${invitation.email}`}
                      icon={<IconMailX size={16} />}
                      onClick={() => revoking.ask(invitation)}
                    />
                  </Table.Td>
                )}
              </Table.Tr>
            ))}
          </DataTable>
        )}
      </QueryBody>
      <ConfirmModal title="Revoke invitation" confirmLabel="Revoke invitation" {...revoking.modal}>
        {revoking.target
          ? `The link sent to ${revoking.target.email} stops working. You can invite them again later.`
          : ''}
      </ConfirmModal>
    </TableCard>
  );
}
