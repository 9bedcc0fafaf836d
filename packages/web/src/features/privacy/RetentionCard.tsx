import { RETENTION_ACTION_INFO, RETENTION_TRIGGER_INFO, type RetentionRuleOut } from '@custos/shared';
import { ActionIcon, Anchor, Badge, Button, Group, Modal, Stack, Table, Text } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { IconClockHour4, IconPencil, IconPlus, IconTrash } from '@tabler/icons-react';
import { useState } from 'react';
import { Link } from 'react-router';
import { formatCount, formatDateTime } from '../../app/format';
import { ConfirmModal } from '../../ui/ConfirmModal';
import { EmptyState } from '../../ui/states';
import { ActionsHeader, DataTable, QueryBody, TableCard } from '../../ui/tables';
import { useConfirmAction } from '../../ui/useConfirmAction';
import { RetentionRuleForm } from './RetentionRuleForm';
import { RetentionRunsCard } from './RetentionRunsCard';
import { useListRetentionRulesQuery, useRemoveRetentionRuleMutation } from './retentionApi';

const days = (n: number) => `${formatCount(n)} ${n === 1 ? 'day' : 'days'}`;

function RulesTable({
  rules,
  canManage,
  onEdit,
  onRemove,
}: {
  rules: RetentionRuleOut[];
  canManage: boolean;
  onEdit: (rule: RetentionRuleOut) => void;
  onRemove: (rule: RetentionRuleOut) => void;
}) {
  return (
    <DataTable
      label="Retention rules"
      minWidth={760}
      cardsOnPhone
      head={
        <>
          <Table.Th>System</Table.Th>
          <Table.Th>Data</Table.Th>
          <Table.Th>Keep for</Table.Th>
          <Table.Th>Counted from</Table.Th>
          <Table.Th>Then</Table.Th>
          <Table.Th>Last run</Table.Th>
          {canManage && <ActionsHeader />}
        </>
      }
    >
      {rules.map((r) => (
        <Table.Tr key={r.id} data-rule={r.categoryKey}>
          <Table.Td data-label="System">{r.systemName}</Table.Td>
          <Table.Td data-label="Data">
            <Group gap={6}>
              <Text size="sm" fw={600}>
                {r.categoryName}
              </Text>
              {!r.enabled && (
                <Badge size="sm" color="gray" variant="light">
                  Off
                </Badge>
              )}
            </Group>
          </Table.Td>
          <Table.Td data-label="Keep for">
            {days(r.periodDays)}
            {r.defaultPeriodDays !== null && r.defaultPeriodDays !== r.periodDays && (
              <Text size="xs" c="dimmed">
                Default {days(r.defaultPeriodDays)}
              </Text>
            )}
          </Table.Td>
          <Table.Td data-label="Counted from">{RETENTION_TRIGGER_INFO[r.trigger].name}</Table.Td>
          <Table.Td data-label="Then">{RETENTION_ACTION_INFO[r.action].name}</Table.Td>
          <Table.Td data-label="Last run">{r.lastRunAt ? formatDateTime(r.lastRunAt) : 'Never'}</Table.Td>
          {canManage && (
            <Table.Td>
              <Group gap={4} wrap="nowrap">
                <ActionIcon
                  variant="subtle"
                  color="gray"
                  aria-label={`Edit the rule for ${r.categoryName} in ${r.systemName}`}
                  onClick={() => onEdit(r)}
                >
                  <IconPencil size={16} />
                </ActionIcon>
                {!r.builtIn && (
                  <ActionIcon
                    variant="subtle"
                    color="red"
                    aria-label={`Delete the rule for ${r.categoryName} in ${r.systemName}`}
                    onClick={() => onRemove(r)}
                  >
                    <IconTrash size={16} />
                  </ActionIcon>
                )}
              </Group>
            </Table.Td>
          )}
        </Table.Tr>
      ))}
    </DataTable>
  );
}

/** Retention on the data map page: how long each system keeps each category, and the runs that enforce it. */
export function RetentionCard({ canManage }: { canManage: boolean }) {
  const query = useListRetentionRulesQuery();
  const [editing, setEditing] = useState<{ rule: RetentionRuleOut | undefined }>();
  const [remove, removal] = useRemoveRetentionRuleMutation();
  const removing = useConfirmAction(
    (r: RetentionRuleOut) => remove(r.id),
    removal,
    (r) => notifications.show({ color: 'teal', message: `Retention rule for ${r.categoryName} deleted` }),
  );
  return (
    <>
      <TableCard
        title={{ id: 'retention-title', text: 'Retention', count: query.data?.length }}
        description={
          <Stack gap="xs" align="flex-start">
            <Text size="sm" c="dimmed" maw={720}>
              How long each system keeps each kind of data. Every day Custos removes its own expired data and
              sends each of your systems a task for its rules. Audit events are kept by the{' '}
              <Anchor component={Link} to="/audit/settings" size="sm" underline="always">
                audit trail’s own retention setting
              </Anchor>
              , so their proofs stay valid.
            </Text>
            {canManage && (
              <Button
                size="xs"
                variant="light"
                leftSection={<IconPlus size={14} />}
                onClick={() => setEditing({ rule: undefined })}
              >
                Add rule
              </Button>
            )}
          </Stack>
        }
      >
        <QueryBody
          query={query}
          loadingLabel="Loading the retention rules"
          what="the retention rules"
          empty={
            <EmptyState
              icon={<IconClockHour4 size={24} />}
              title="No retention rules"
              description="Add a rule for a category one of your systems holds."
            />
          }
        >
          {(rules) => (
            <RulesTable
              rules={rules}
              canManage={canManage}
              onEdit={(rule) => setEditing({ rule })}
              onRemove={removing.ask}
            />
          )}
        </QueryBody>
      </TableCard>
      <RetentionRunsCard canManage={canManage} />
      <Modal
        opened={editing !== undefined}
        onClose={() => setEditing(undefined)}
        title={<Text fw={600}>{editing?.rule ? 'Edit retention rule' : 'Add a retention rule'}</Text>}
      >
        {editing && <RetentionRuleForm rule={editing.rule} onClose={() => setEditing(undefined)} />}
      </Modal>
      <ConfirmModal title="Delete this retention rule?" confirmLabel="Delete rule" {...removing.modal}>
        {removing.target?.systemName} is no longer asked to remove {removing.target?.categoryName} after a
        period. Nothing already removed comes back.
      </ConfirmModal>
    </>
  );
}
