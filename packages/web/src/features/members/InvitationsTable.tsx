import type { InvitationOut } from '@custos/shared';
import { ActionIcon, Badge, Group, Table, Text, Tooltip } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { IconLink, IconMailForward, IconMailX } from '@tabler/icons-react';
import { useState } from 'react';
import { toApiError } from '../../app/errors';
import { formatDate, formatRelative } from '../../app/format';
import { ConfirmModal } from '../../ui/ConfirmModal';
import { ActionsHeader, DangerRowAction, DataTable, QueryBody, TableCard } from '../../ui/tables';
import { useDisplayTimeZone } from '../../ui/timeZone';
import { useConfirmAction } from '../../ui/useConfirmAction';
import { useCan } from '../shell/session';
import { useListInvitationsQuery, useResendInvitationMutation, useRevokeInvitationMutation } from './api';
import type { InviteLink } from './InviteLinkModal';
import { RoleBadges } from './RoleBadges';

interface InvitationsTableProps {
  /** A new link to hand over (not e-mailed, or asked for to copy). */
  onInviteLink: (invite: InviteLink) => void;
}

export function InvitationsTable({ onInviteLink }: InvitationsTableProps) {
  // Redrawn when the viewer picks another time zone.
  useDisplayTimeZone();
  const canRevoke = useCan('members:invite');
  const [resend] = useResendInvitationMutation();
  const [busy, setBusy] = useState<string>();

  /** A new link replaces the old one (which stops working): e-mailed, or shown to copy. */
  async function renew(invitation: InvitationOut, copyLink: boolean) {
    setBusy(`${invitation.id}:${copyLink}`);
    const result = await resend({ id: invitation.id, copyLink });
    setBusy(undefined);
    if ('error' in result) {
      notifications.show({
        color: 'red',
        message: `Could not renew the invitation for ${invitation.email}: ${toApiError(result.error).message}`,
      });
      return;
    }
    const url = result.data.inviteUrl;
    if (url) onInviteLink({ url, email: invitation.email, copied: copyLink });
    else
      notifications.show({
        color: 'teal',
        message: `A new invitation link was e-mailed to ${invitation.email}`,
      });
  }
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
                    <Group gap={4} wrap="nowrap">
                      <Tooltip label="Resend (new link by e-mail; the old link stops working)" withArrow>
                        <ActionIcon
                          variant="subtle"
                          color="gray"
                          aria-label={`Resend invitation to ${invitation.email}`}
                          loading={busy === `${invitation.id}:false`}
                          onClick={() => renew(invitation, false)}
                        >
                          <IconMailForward size={16} />
                        </ActionIcon>
                      </Tooltip>
                      <Tooltip
                        label="Copy link (a new link to pass on yourself; the old link stops working)"
                        withArrow
                      >
                        <ActionIcon
                          variant="subtle"
                          color="gray"
                          aria-label={`New invitation link to copy for ${invitation.email}`}
                          loading={busy === `${invitation.id}:true`}
                          onClick={() => renew(invitation, true)}
                        >
                          <IconLink size={16} />
                        </ActionIcon>
                      </Tooltip>
                      <DangerRowAction
                        tooltip="Revoke invitation"
                        label={`Revoke invitation for ${invitation.email}`}
                        icon={<IconMailX size={16} />}
                        onClick={() => revoking.ask(invitation)}
                      />
                    </Group>
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
