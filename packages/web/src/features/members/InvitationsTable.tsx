import type { InvitationOut } from '@custos/shared';
import { ActionIcon, Badge, Card, Group, Table, Text, Tooltip, VisuallyHidden } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { IconMailX } from '@tabler/icons-react';
import { type ReactNode, useState } from 'react';
import { hookError } from '../../app/errors';
import { formatDate, formatRelative } from '../../app/format';
import { ConfirmModal } from '../../ui/ConfirmModal';
import { LoadError, SectionLoader } from '../../ui/states';
import { useCan } from '../shell/session';
import { useListInvitationsQuery, useRevokeInvitationMutation } from './api';
import { RoleBadges } from './RoleBadges';

export function InvitationsTable() {
  const canRevoke = useCan('members:invite');
  const { data: invitations, error, isLoading, refetch } = useListInvitationsQuery();
  const [revoking, setRevoking] = useState<InvitationOut>();
  const [revoke, revocation] = useRevokeInvitationMutation();

  function closeRevoke() {
    setRevoking(undefined);
    revocation.reset();
  }

  async function confirmRevoke() {
    if (!revoking) return;
    const result = await revoke(revoking.id);
    if ('data' in result) {
      notifications.show({ color: 'teal', message: `Invitation for ${revoking.email} revoked` });
      closeRevoke();
    }
  }

  let body: ReactNode;
  if (isLoading) body = <SectionLoader label="Loading invitations" />;
  else if (!invitations)
    body = <LoadError error={hookError(error)} what="the invitations" onRetry={refetch} />;
  else if (invitations.length === 0)
    body = (
      <Text size="sm" c="dimmed" px="lg" pb="lg">
        No pending invitations.
      </Text>
    );
  else
    body = (
      <Table.ScrollContainer minWidth={640}>
        <Table aria-label="Pending invitations">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>E-mail</Table.Th>
              <Table.Th>Roles</Table.Th>
              <Table.Th>Invited</Table.Th>
              <Table.Th>Expires</Table.Th>
              {canRevoke && (
                <Table.Th w={56}>
                  <VisuallyHidden>Actions</VisuallyHidden>
                </Table.Th>
              )}
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
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
                    <Tooltip label="Revoke invitation" withArrow position="left">
                      <ActionIcon
                        variant="subtle"
                        color="red"
                        aria-label={`Revoke invitation for ${invitation.email}`}
                        onClick={() => setRevoking(invitation)}
                      >
                        <IconMailX size={16} />
                      </ActionIcon>
                    </Tooltip>
                  </Table.Td>
                )}
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
    );

  return (
    <Card withBorder padding={0} radius="md" component="section" aria-labelledby="invitations-title">
      <Group px="lg" py="md">
        <Text fw={600} id="invitations-title">
          Pending invitations{' '}
          {invitations && invitations.length > 0 ? (
            <Text span c="dimmed">
              ({invitations.length})
            </Text>
          ) : null}
        </Text>
      </Group>
      {body}
      <ConfirmModal
        opened={revoking !== undefined}
        title="Revoke invitation"
        confirmLabel="Revoke invitation"
        loading={revocation.isLoading}
        error={hookError(revocation.error)}
        onConfirm={confirmRevoke}
        onClose={closeRevoke}
      >
        {revoking ? `The link sent to ${revoking.email} stops working. You can invite them again later.` : ''}
      </ConfirmModal>
    </Card>
  );
}
