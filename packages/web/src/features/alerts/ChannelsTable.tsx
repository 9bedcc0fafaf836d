import type { AlertChannelOut } from '@custos/shared';
import { ActionIcon, Group, Menu, Stack, Switch, Table, Text } from '@mantine/core';
import { IconDots, IconKey, IconPencil, IconSend, IconTrash } from '@tabler/icons-react';
import { RelativeTime } from '../../ui/RelativeTime';
import { ActionsHeader, DataTable } from '../../ui/tables';
import { ChannelKindIcon, DeliveryStatusBadge } from './deliveryParts';
import { routingSummary } from './routing';

export interface ChannelActions {
  onEdit: (channel: AlertChannelOut) => void;
  onToggle: (channel: AlertChannelOut, enabled: boolean) => void;
  onTest: (channel: AlertChannelOut) => void;
  onRotate: (channel: AlertChannelOut) => void;
  onDelete: (channel: AlertChannelOut) => void;
}

function Target({ channel }: { channel: AlertChannelOut }) {
  if (channel.kind === 'webhook') {
    return (
      <Stack gap={0}>
        <Text size="sm" className="custos-mono" lineClamp={1} maw={280} title={channel.url ?? undefined}>
          {channel.url}
        </Text>
        {channel.secretHint && (
          <Text size="xs" c="dimmed" className="custos-mono">
            signing secret starts {channel.secretHint.startsWith('whsec_') ? '' : 'whsec_'}
            {channel.secretHint}…
          </Text>
        )}
      </Stack>
    );
  }
  const recipients = channel.recipients ?? [];
  return (
    <Text size="sm" lineClamp={2} maw={280} title={recipients.join(', ')}>
      {recipients.join(', ')}
    </Text>
  );
}

function LastDelivery({ channel }: { channel: AlertChannelOut }) {
  const last = channel.lastDelivery;
  if (!last) {
    return (
      <Text size="sm" c="dimmed">
        None yet
      </Text>
    );
  }
  return (
    <Stack gap={2}>
      <Group gap={6} wrap="nowrap">
        <DeliveryStatusBadge status={last.status} />
        {last.responseCode !== null && (
          <Text size="xs" className="custos-mono" c="dimmed">
            HTTP {last.responseCode}
          </Text>
        )}
      </Group>
      <RelativeTime iso={last.at} size="xs" c="dimmed" />
    </Stack>
  );
}

interface ChannelsTableProps extends ChannelActions {
  channels: AlertChannelOut[];
  canManage: boolean;
  /** The channel whose switch or test is running. */
  busyId: string | undefined;
  /** E-mail is not configured on the server: e-mail channels send nothing. */
  emailOff: boolean;
}

export function ChannelsTable({ channels, canManage, busyId, emailOff, ...actions }: ChannelsTableProps) {
  return (
    <DataTable
      label="Alert channels"
      minWidth={900}
      head={
        <>
          <Table.Th>Channel</Table.Th>
          <Table.Th>Sends to</Table.Th>
          <Table.Th>Routing</Table.Th>
          <Table.Th>Enabled</Table.Th>
          <Table.Th w={180} style={{ whiteSpace: 'nowrap' }}>
            Last delivery
          </Table.Th>
          {canManage && <ActionsHeader />}
        </>
      }
    >
      {channels.map((channel) => (
        <Table.Tr key={channel.id} data-channel-id={channel.id}>
          <Table.Td>
            <Group gap="sm" wrap="nowrap">
              <ChannelKindIcon kind={channel.kind} />
              <Stack gap={0}>
                <Text size="sm" fw={600}>
                  {channel.name}
                </Text>
                <Text size="xs" c="dimmed">
                  {channel.kind === 'webhook'
                    ? 'Webhook'
                    : emailOff
                      ? 'E-mail (off: nothing is sent)'
                      : 'E-mail'}
                </Text>
              </Stack>
            </Group>
          </Table.Td>
          <Table.Td>
            <Target channel={channel} />
          </Table.Td>
          <Table.Td>
            <Text size="sm">{routingSummary(channel.routing)}</Text>
          </Table.Td>
          <Table.Td>
            <Switch
              aria-label={`${channel.name}: enabled`}
              checked={channel.enabled}
              disabled={!canManage || busyId === channel.id}
              onChange={(e) => actions.onToggle(channel, e.currentTarget.checked)}
            />
          </Table.Td>
          <Table.Td>
            <LastDelivery channel={channel} />
          </Table.Td>
          {canManage && (
            <Table.Td>
              <Menu position="bottom-end" withinPortal>
                <Menu.Target>
                  <ActionIcon
                    variant="subtle"
                    color="gray"
                    aria-label={`Actions for ${channel.name}`}
                    loading={busyId === channel.id}
                  >
                    <IconDots size={18} />
                  </ActionIcon>
                </Menu.Target>
                <Menu.Dropdown>
                  <Menu.Item leftSection={<IconPencil size={16} />} onClick={() => actions.onEdit(channel)}>
                    Edit
                  </Menu.Item>
                  <Menu.Item leftSection={<IconSend size={16} />} onClick={() => actions.onTest(channel)}>
                    Send test
                  </Menu.Item>
                  {channel.kind === 'webhook' && (
                    <Menu.Item leftSection={<IconKey size={16} />} onClick={() => actions.onRotate(channel)}>
                      Rotate secret
                    </Menu.Item>
                  )}
                  <Menu.Divider />
                  <Menu.Item
                    color="red"
                    leftSection={<IconTrash size={16} />}
                    onClick={() => actions.onDelete(channel)}
                  >
                    Delete
                  </Menu.Item>
                </Menu.Dropdown>
              </Menu>
            </Table.Td>
          )}
        </Table.Tr>
      ))}
    </DataTable>
  );
}
