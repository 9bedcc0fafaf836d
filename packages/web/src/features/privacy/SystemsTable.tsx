import type { PrivacySystemOut } from '@custos/shared';
import { ActionIcon, Badge, Group, Menu, Stack, Table, Text, Tooltip } from '@mantine/core';
import { IconDots, IconListDetails, IconPencil, IconTrash } from '@tabler/icons-react';
import { formatCount } from '../../app/format';
import { Country } from '../../ui/Country';
import { ActionsHeader, DataTable } from '../../ui/tables';

function Connector({ system }: { system: PrivacySystemOut }) {
  if (system.kind === 'custos') return <Text size="sm">Built in</Text>;
  const { webhookUrl, polling, secretHint } = system.connector;
  if (!webhookUrl && !polling) {
    return (
      <Tooltip
        label="Custos cannot reach this system: its tasks fail until a webhook or polling is set."
        withArrow
        multiline
        w={260}
      >
        <Text
          size="sm"
          c="orange.9"
          tabIndex={0}
          className="mantine-focus-auto"
          style={{ width: 'fit-content' }}
        >
          None
        </Text>
      </Tooltip>
    );
  }
  return (
    <Stack gap={0}>
      {webhookUrl && (
        <Text size="sm" title={webhookUrl}>
          Webhook{secretHint ? ` (secret …${secretHint})` : ''}
        </Text>
      )}
      {polling && <Text size="sm">Polling</Text>}
    </Stack>
  );
}

interface SystemsTableProps {
  systems: PrivacySystemOut[];
  canManage: boolean;
  onEdit: (system: PrivacySystemOut) => void;
  onCategories: (system: PrivacySystemOut) => void;
  onRemove: (system: PrivacySystemOut) => void;
}

export function SystemsTable({ systems, canManage, onEdit, onCategories, onRemove }: SystemsTableProps) {
  return (
    <DataTable
      label="Systems"
      minWidth={1000}
      cardsOnPhone
      head={
        <>
          <Table.Th>System</Table.Th>
          <Table.Th>Owner</Table.Th>
          <Table.Th>Stored in</Table.Th>
          <Table.Th>Whose data</Table.Th>
          <Table.Th>Categories</Table.Th>
          <Table.Th>Recipients</Table.Th>
          <Table.Th>Connector</Table.Th>
          <Table.Th>State</Table.Th>
          {canManage && <ActionsHeader />}
        </>
      }
    >
      {systems.map((system) => {
        const special = system.categories.filter((c) => c.special).length;
        return (
          <Table.Tr key={system.id} data-system-id={system.id} data-kind={system.kind}>
            <Table.Td data-label="System" data-wide>
              <Group gap={6} wrap="nowrap">
                <Text size="sm" fw={600}>
                  {system.name}
                </Text>
                {system.kind === 'custos' && (
                  <Tooltip
                    label="Custos itself: its members, sessions and audit trail. It is always part of the data map and answers requests on its own."
                    withArrow
                    multiline
                    w={280}
                  >
                    <Badge variant="outline" color="indigo" size="sm" tabIndex={0}>
                      Built in
                    </Badge>
                  </Tooltip>
                )}
              </Group>
              {system.description && (
                <Text size="xs" c="dimmed" lineClamp={2}>
                  {system.description}
                </Text>
              )}
            </Table.Td>
            <Table.Td data-label="Owner">
              <Text size="sm">{system.owner ?? '—'}</Text>
            </Table.Td>
            <Table.Td data-label="Stored in">
              {system.storageCountry ? (
                <Country code={system.storageCountry} />
              ) : (
                <Text size="sm">Not set</Text>
              )}
            </Table.Td>
            <Table.Td data-label="Whose data">
              <Text size="sm">{system.subjectTypes.length ? system.subjectTypes.join(', ') : '—'}</Text>
            </Table.Td>
            <Table.Td data-label="Categories">
              <Text size="sm">{formatCount(system.categories.length)}</Text>
              {special > 0 && (
                <Text size="xs" c="grape.9">
                  {formatCount(special)} special
                </Text>
              )}
            </Table.Td>
            <Table.Td data-label="Recipients">
              <Text size="sm">{system.recipients.length ? system.recipients.join(', ') : 'None'}</Text>
            </Table.Td>
            <Table.Td data-label="Connector">
              <Connector system={system} />
            </Table.Td>
            <Table.Td data-label="State">
              <Badge color={system.enabled ? 'teal' : 'gray'} variant="light" miw="max-content">
                {system.enabled ? 'Enabled' : 'Disabled'}
              </Badge>
            </Table.Td>
            {canManage && (
              <Table.Td>
                <Menu position="bottom-end" withinPortal shadow="md">
                  <Menu.Target>
                    <ActionIcon variant="subtle" color="gray" aria-label={`Actions for ${system.name}`}>
                      <IconDots size={16} />
                    </ActionIcon>
                  </Menu.Target>
                  <Menu.Dropdown>
                    <Menu.Item
                      leftSection={<IconListDetails size={16} />}
                      onClick={() => onCategories(system)}
                    >
                      Edit data categories
                    </Menu.Item>
                    <Menu.Item leftSection={<IconPencil size={16} />} onClick={() => onEdit(system)}>
                      Edit system
                    </Menu.Item>
                    {system.kind !== 'custos' && (
                      <Menu.Item
                        color="red"
                        leftSection={<IconTrash size={16} />}
                        onClick={() => onRemove(system)}
                      >
                        Delete system
                      </Menu.Item>
                    )}
                  </Menu.Dropdown>
                </Menu>
              </Table.Td>
            )}
          </Table.Tr>
        );
      })}
    </DataTable>
  );
}
