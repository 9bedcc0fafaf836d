import type { DetectorType, ResponseKind, Severity } from '@custos/shared';
import { ActionIcon, Button, Card, Group, Paper, Select, Stack, Text, Title, Tooltip } from '@mantine/core';
import { IconPlus, IconTrash, IconX } from '@tabler/icons-react';
import { EmailOffNotice } from '../system/EmailOffNotice';
import {
  DETECTOR_LABELS,
  DETECTOR_ORDER,
  durationMinutes,
  durationOptions,
  durationValue,
  RESPONSE_ACTION_LABELS,
  RESPONSE_ORDER,
  SEVERITY_LABELS,
  SEVERITY_ORDER,
  takesDuration,
} from './labels';
import { type RuleDraft, ruleField, ruleKey } from './settingsDraft';

const DETECTOR_OPTIONS = [
  { value: '*', label: 'Any detector' },
  ...DETECTOR_ORDER.map((value) => ({ value, label: DETECTOR_LABELS[value] })),
];
const SEVERITY_OPTIONS = SEVERITY_ORDER.map((value) => ({
  value,
  label: `${SEVERITY_LABELS[value]} or above`,
}));
const KIND_OPTIONS = RESPONSE_ORDER.map((value) => ({ value, label: RESPONSE_ACTION_LABELS[value] }));

/** The contract's limits: five actions a rule, fifty rules. */
const MAX_ACTIONS = 5;
const MAX_RULES = 50;

type Action = RuleDraft['actions'][number];

function ActionRow({
  action,
  disabled,
  removable,
  onChange,
  onRemove,
}: {
  action: Action;
  disabled: boolean;
  removable: boolean;
  onChange: (action: Action) => void;
  onRemove: () => void;
}) {
  return (
    <Group gap="xs" wrap="nowrap" data-action={action.kind}>
      <Select
        aria-label="Action"
        data={KIND_OPTIONS}
        value={action.kind}
        onChange={(value) => {
          if (!value) return;
          const kind = value as ResponseKind;
          onChange(takesDuration(kind) ? { kind, durationMinutes: action.durationMinutes ?? 60 } : { kind });
        }}
        allowDeselect={false}
        disabled={disabled}
        w={190}
        comboboxProps={{ withinPortal: true }}
      />
      {takesDuration(action.kind) && (
        <Select
          aria-label="For how long"
          data={durationOptions(action.durationMinutes)}
          value={durationValue(action.durationMinutes)}
          onChange={(value) => onChange({ kind: action.kind, durationMinutes: durationMinutes(value) })}
          allowDeselect={false}
          disabled={disabled}
          w={150}
          comboboxProps={{ withinPortal: true }}
        />
      )}
      {!disabled && removable && (
        <Tooltip label="Remove this action" withArrow>
          <ActionIcon variant="subtle" color="gray" aria-label="Remove this action" onClick={onRemove}>
            <IconX size={16} />
          </ActionIcon>
        </Tooltip>
      )}
    </Group>
  );
}

function RuleRow({
  rule,
  index,
  disabled,
  problems,
  onChange,
  onRemove,
}: {
  rule: RuleDraft;
  index: number;
  disabled: boolean;
  problems: string[] | undefined;
  onChange: (rule: RuleDraft) => void;
  onRemove: () => void;
}) {
  const setAction = (at: number, action: Action) =>
    onChange({ ...rule, actions: rule.actions.map((a, i) => (i === at ? action : a)) });
  return (
    <Paper
      withBorder
      radius="md"
      p="sm"
      data-rule-index={index}
      style={problems ? { borderColor: 'var(--mantine-color-red-5)' } : undefined}
    >
      <Group align="flex-start" justify="space-between" wrap="nowrap" gap="sm">
        <Group align="flex-start" gap="md" wrap="wrap">
          <Stack gap={4}>
            <Text size="xs" c="dimmed" fw={500}>
              When
            </Text>
            <Select
              aria-label="Detector"
              data={DETECTOR_OPTIONS}
              value={rule.detector}
              onChange={(value) => value && onChange({ ...rule, detector: value as DetectorType | '*' })}
              allowDeselect={false}
              searchable
              disabled={disabled}
              w={220}
              comboboxProps={{ withinPortal: true }}
            />
          </Stack>
          <Stack gap={4}>
            <Text size="xs" c="dimmed" fw={500}>
              raises an event of
            </Text>
            <Select
              aria-label="Minimum severity"
              data={SEVERITY_OPTIONS}
              value={rule.minSeverity}
              onChange={(value) => value && onChange({ ...rule, minSeverity: value as Severity })}
              allowDeselect={false}
              disabled={disabled}
              w={170}
              comboboxProps={{ withinPortal: true }}
            />
          </Stack>
          <Stack gap={4}>
            <Text size="xs" c="dimmed" fw={500}>
              Custos will
            </Text>
            {rule.actions.map((action, at) => (
              <ActionRow
                // biome-ignore lint/suspicious/noArrayIndexKey: actions have no identity beyond their place
                key={at}
                action={action}
                disabled={disabled}
                removable={rule.actions.length > 1}
                onChange={(next) => setAction(at, next)}
                onRemove={() => onChange({ ...rule, actions: rule.actions.filter((_, i) => i !== at) })}
              />
            ))}
            {!disabled && rule.actions.length < MAX_ACTIONS && (
              <Button
                size="compact-xs"
                variant="subtle"
                leftSection={<IconPlus size={12} />}
                w="fit-content"
                onClick={() => onChange({ ...rule, actions: [...rule.actions, { kind: 'notify_user' }] })}
              >
                Add action
              </Button>
            )}
          </Stack>
        </Group>
        {!disabled && (
          <Tooltip label="Remove this rule" withArrow>
            <ActionIcon
              variant="subtle"
              color="red"
              aria-label={`Remove rule ${index + 1}`}
              onClick={onRemove}
            >
              <IconTrash size={16} />
            </ActionIcon>
          </Tooltip>
        )}
      </Group>
      {problems && (
        <Text size="sm" c="red" mt="xs" role="alert">
          {problems.join(' ')}
        </Text>
      )}
    </Paper>
  );
}

interface ResponseRulesEditorProps {
  rules: RuleDraft[];
  changed: boolean;
  canManage: boolean;
  problems: Record<string, string[]>;
  onChange: (rules: RuleDraft[]) => void;
}

/** What Custos does by itself when a detector fires: a list of rules, each with its actions. */
export function ResponseRulesEditor({
  rules,
  changed,
  canManage,
  problems,
  onChange,
}: ResponseRulesEditorProps) {
  return (
    <Card withBorder radius="md" padding="lg" component="section" aria-labelledby="response-rules-title">
      <Stack gap="md">
        <Stack gap={4}>
          <Group gap="xs">
            <Title order={4} id="response-rules-title">
              Response rules
            </Title>
            {changed && (
              <Text size="xs" c="yellow.8" fw={600}>
                Unsaved
              </Text>
            )}
          </Group>
          <Text size="sm" c="dimmed">
            Every rule that matches a new event runs. Locks triggered by password guessing apply only to
            unknown devices, so the real user still gets in from their own; takeover-type detections lock
            everywhere.
          </Text>
        </Stack>
        {rules.some((rule) => rule.actions.some((action) => action.kind === 'notify_user')) && (
          <EmailOffNotice keptInOutbox compact>
            “Notify the user” e-mails no one: each message is kept in the outbox until a super admin passes it
            on, and the response reads “Queued”.
          </EmailOffNotice>
        )}
        {rules.length === 0 && (
          <Text size="sm" c="dimmed">
            No rules: detections raise events and alerts, but Custos takes no action by itself.
          </Text>
        )}
        {rules.map((rule, index) => (
          <RuleRow
            key={rule.key}
            rule={rule}
            index={index}
            disabled={!canManage}
            problems={problems[ruleField(index)]}
            onChange={(next) => onChange(rules.map((r) => (r.key === rule.key ? next : r)))}
            onRemove={() => onChange(rules.filter((r) => r.key !== rule.key))}
          />
        ))}
        {canManage && rules.length < MAX_RULES && (
          <Button
            variant="light"
            leftSection={<IconPlus size={16} />}
            w="fit-content"
            onClick={() =>
              onChange([
                ...rules,
                {
                  key: ruleKey(),
                  detector: '*',
                  minSeverity: 'critical',
                  actions: [{ kind: 'notify_user' }],
                },
              ])
            }
          >
            Add rule
          </Button>
        )}
      </Stack>
    </Card>
  );
}
