import type { AccessRuleKind, AccessRuleOut } from '@custos/shared';
import { ActionIcon, Badge, Button, Code, Group, Switch, Table, Text, Tooltip } from '@mantine/core';
import { IconClock, IconPencil, IconPlus, IconTrash, IconWorld, IconWorldWww } from '@tabler/icons-react';
import type { ReactNode } from 'react';
import { EmptyState } from '../../ui/states';
import { ActionsHeader, DataTable, TableCard } from '../../ui/tables';
import { useRoleName } from '../members/roleNames';
import { KIND_LABELS, targetLabel } from './ruleLabels';
import { countryName, windowLabel } from './values';

const KIND_ICONS: Record<AccessRuleKind, ReactNode> = {
  ip: <IconWorldWww size={24} />,
  country: <IconWorld size={24} />,
  time: <IconClock size={24} />,
};

const SHOWN_VALUES = 4;

function Values({ rule }: { rule: AccessRuleOut }) {
  const values =
    rule.kind === 'ip'
      ? (rule.cidrs ?? [])
      : rule.kind === 'country'
        ? (rule.countries ?? []).map(countryName)
        : (rule.windows ?? []).map(windowLabel);
  const shown = values.slice(0, SHOWN_VALUES);
  const hidden = values.slice(SHOWN_VALUES);
  return (
    <Group gap={4}>
      {shown.map((value) =>
        rule.kind === 'ip' ? (
          <Code key={value}>{value}</Code>
        ) : (
          <Badge key={value} variant="light" color="gray" tt="none" radius="sm">
            {value}
          </Badge>
        ),
      )}
      {hidden.length > 0 && (
        <Tooltip label={hidden.join(', ')} withArrow multiline maw={320}>
          <Badge variant="outline" color="gray" tt="none" radius="sm">
            +{hidden.length} more
          </Badge>
        </Tooltip>
      )}
    </Group>
  );
}

interface RulesCardProps {
  kind: AccessRuleKind;
  rules: AccessRuleOut[];
  canManage: boolean;
  /** The rule whose enable switch is being saved. */
  toggling: string | undefined;
  onAdd: () => void;
  onEdit: (rule: AccessRuleOut) => void;
  onDelete: (rule: AccessRuleOut) => void;
  onToggle: (rule: AccessRuleOut, enabled: boolean) => void;
  /** A line under the title: e.g. where else to do what this card does. */
  hint?: ReactNode;
}

/** The rules of one kind: what each allows or blocks, for whom, and whether it is on. */
export function RulesCard({
  kind,
  rules,
  canManage,
  toggling,
  onAdd,
  onEdit,
  onDelete,
  onToggle,
  hint,
}: RulesCardProps) {
  const roleName = useRoleName();
  const labels = KIND_LABELS[kind];
  const titleId = `access-rules-${kind}`;
  return (
    <TableCard title={{ id: titleId, text: labels.title, count: rules.length }} description={hint}>
      {rules.length === 0 ? (
        <EmptyState
          icon={KIND_ICONS[kind]}
          title={`No ${labels.noun}s`}
          description={labels.empty}
          action={
            canManage ? (
              <Button variant="light" leftSection={<IconPlus size={16} />} onClick={onAdd}>
                Add {labels.noun}
              </Button>
            ) : undefined
          }
        />
      ) : (
        <>
          <DataTable
            label={labels.title}
            minWidth={760}
            head={
              <>
                <Table.Th w={90}>Effect</Table.Th>
                <Table.Th>{kind === 'time' ? 'When' : kind === 'ip' ? 'Addresses' : 'Countries'}</Table.Th>
                <Table.Th>Applies to</Table.Th>
                <Table.Th>Description</Table.Th>
                <Table.Th w={90}>Enabled</Table.Th>
                {canManage && <ActionsHeader />}
              </>
            }
          >
            {rules.map((rule) => (
              <Table.Tr key={rule.id} data-testid={`access-rule-${rule.id}`} opacity={rule.enabled ? 1 : 0.6}>
                <Table.Td>
                  <Badge color={rule.effect === 'allow' ? 'teal' : 'red'} variant="light">
                    {rule.effect === 'allow' ? 'Allow' : 'Deny'}
                  </Badge>
                </Table.Td>
                <Table.Td>
                  <Values rule={rule} />
                </Table.Td>
                <Table.Td>
                  <Text size="sm">{targetLabel(rule, roleName)}</Text>
                </Table.Td>
                <Table.Td>
                  <Text size="sm" c={rule.description ? undefined : 'dimmed'}>
                    {rule.description || '—'}
                  </Text>
                </Table.Td>
                <Table.Td>
                  <Switch
                    checked={rule.enabled}
                    disabled={!canManage || toggling === rule.id}
                    onChange={(event) => onToggle(rule, event.currentTarget.checked)}
                    aria-label={`${rule.enabled ? 'Disable' : 'Enable'} ${labels.noun} ${rule.description || rule.id}`}
                  />
                </Table.Td>
                {canManage && (
                  <Table.Td>
                    <Group gap={2} wrap="nowrap">
                      <Tooltip label="Edit rule" withArrow>
                        <ActionIcon
                          variant="subtle"
                          color="gray"
                          aria-label={`Edit rule ${rule.description || rule.id}`}
                          onClick={() => onEdit(rule)}
                        >
                          <IconPencil size={16} />
                        </ActionIcon>
                      </Tooltip>
                      <Tooltip label="Delete rule" withArrow>
                        <ActionIcon
                          variant="subtle"
                          color="red"
                          aria-label={`Delete rule ${rule.description || rule.id}`}
                          onClick={() => onDelete(rule)}
                        >
                          <IconTrash size={16} />
                        </ActionIcon>
                      </Tooltip>
                    </Group>
                  </Table.Td>
                )}
              </Table.Tr>
            ))}
          </DataTable>
          {canManage && (
            <Group px="lg" py="sm">
              <Button variant="subtle" size="xs" leftSection={<IconPlus size={14} />} onClick={onAdd}>
                Add {labels.noun}
              </Button>
            </Group>
          )}
        </>
      )}
    </TableCard>
  );
}
