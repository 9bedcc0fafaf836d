import type { Severity, ThreatSettingsOut } from '@custos/shared';
import {
  Badge,
  Button,
  Card,
  Group,
  NumberInput,
  Select,
  SimpleGrid,
  Stack,
  Switch,
  Text,
  Title,
} from '@mantine/core';
import { IconRestore } from '@tabler/icons-react';
import { humanizeKey, SEVERITY_COLORS, SEVERITY_LABELS, SEVERITY_ORDER } from './labels';
import {
  type DetectorDraft,
  defaultDetector,
  detectorField,
  sameDetector,
  type ThresholdDraft,
  thresholdField,
} from './settingsDraft';

type DetectorInfo = ThreatSettingsOut['catalog'][number];

const SEVERITY_OPTIONS = SEVERITY_ORDER.map((value) => ({ value, label: SEVERITY_LABELS[value] }));

interface DetectorCardProps {
  info: DetectorInfo;
  draft: DetectorDraft;
  saved: DetectorDraft;
  /** Field → messages: the form's own checks and the server's. */
  problems: Record<string, string[]>;
  canManage: boolean;
  onChange: (draft: DetectorDraft) => void;
}

/** One detector: on or off, the severity it raises, its thresholds, and a way back to the defaults. */
export function DetectorCard({ info, draft, saved, problems, canManage, onChange }: DetectorCardProps) {
  const changed = !sameDetector(draft, saved);
  const defaults = defaultDetector(info);
  const atDefaults = sameDetector(draft, defaults);
  const cardProblems = problems[detectorField(info.type)];
  const setThreshold = (key: string, value: ThresholdDraft) =>
    onChange({ ...draft, thresholds: { ...draft.thresholds, [key]: value } });

  return (
    <Card
      withBorder
      radius="md"
      padding="lg"
      component="section"
      aria-labelledby={`detector-${info.type}`}
      data-detector={info.type}
      style={changed ? { borderColor: 'var(--mantine-color-yellow-5)' } : undefined}
    >
      <Stack gap="sm" h="100%">
        <Group justify="space-between" align="flex-start" wrap="nowrap" gap="sm">
          <Stack gap={4}>
            <Group gap="xs">
              <Title order={5} id={`detector-${info.type}`}>
                {info.name}
              </Title>
              {changed && (
                <Badge size="xs" color="yellow" variant="light">
                  Unsaved
                </Badge>
              )}
            </Group>
            <Text size="xs" c="dimmed">
              {info.description}
            </Text>
          </Stack>
          <Switch
            aria-label={`${info.name}: enabled`}
            checked={draft.enabled}
            disabled={!canManage}
            onChange={(e) => onChange({ ...draft, enabled: e.currentTarget.checked })}
            onLabel="ON"
            offLabel="OFF"
            size="md"
          />
        </Group>
        <Stack gap="sm" style={{ opacity: draft.enabled ? 1 : 0.55, flex: 1 }}>
          <Select
            label="Severity raised"
            data={SEVERITY_OPTIONS}
            value={draft.severity}
            onChange={(value) => value && onChange({ ...draft, severity: value as Severity })}
            allowDeselect={false}
            disabled={!canManage}
            w={200}
            leftSection={<SeverityDot severity={draft.severity} />}
            description={`Default: ${SEVERITY_LABELS[info.defaultSeverity]}`}
            comboboxProps={{ withinPortal: true }}
          />
          {info.thresholds.length > 0 && (
            <SimpleGrid cols={{ base: 1, sm: 2 }} spacing="sm" verticalSpacing="sm">
              {info.thresholds.map((threshold) => {
                const field = thresholdField(info.type, threshold.key);
                return (
                  <NumberInput
                    key={threshold.key}
                    label={humanizeKey(threshold.key)}
                    description={`${threshold.description} Default: ${threshold.default.toLocaleString()}.`}
                    value={draft.thresholds[threshold.key] ?? ''}
                    onChange={(value) =>
                      setThreshold(
                        threshold.key,
                        typeof value === 'number' ? value : value === '' ? '' : Number(value),
                      )
                    }
                    min={0}
                    thousandSeparator=","
                    allowNegative={false}
                    disabled={!canManage}
                    error={problems[field]?.join(' ')}
                    data-threshold={threshold.key}
                  />
                );
              })}
            </SimpleGrid>
          )}
        </Stack>
        {cardProblems && (
          <Text size="sm" c="red" role="alert">
            {cardProblems.join(' ')}
          </Text>
        )}
        {canManage && (
          <Group justify="flex-end" gap="xs">
            {changed && (
              <Button size="compact-xs" variant="subtle" color="gray" onClick={() => onChange(saved)}>
                Undo changes
              </Button>
            )}
            <Button
              size="compact-xs"
              variant="subtle"
              leftSection={<IconRestore size={14} />}
              disabled={atDefaults}
              onClick={() => onChange(defaults)}
            >
              Reset to default
            </Button>
          </Group>
        )}
      </Stack>
    </Card>
  );
}

/** The severity's colour as a dot, inside the select. */
function SeverityDot({ severity }: { severity: Severity }) {
  return (
    <span
      aria-hidden
      style={{
        width: 10,
        height: 10,
        borderRadius: '50%',
        background: `var(--mantine-color-${SEVERITY_COLORS[severity]}-6)`,
      }}
    />
  );
}
