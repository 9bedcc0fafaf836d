import type { SecurityEventOut, SecurityEventStatus } from '@custos/shared';
import { Button, Group, Paper, Text } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { IconCheck, IconEye, IconMoodEmpty, IconX } from '@tabler/icons-react';
import type { ReactNode } from 'react';
import { useTriageSecurityEventsMutation } from './api';
import { canMove, STATUS_LABELS } from './labels';

const BULK_TARGETS: { status: SecurityEventStatus; label: string; icon: ReactNode; color?: string }[] = [
  { status: 'acknowledged', label: 'Acknowledge', icon: <IconEye size={16} /> },
  { status: 'resolved', label: 'Resolve', icon: <IconCheck size={16} />, color: 'teal' },
  { status: 'false_positive', label: 'False positive', icon: <IconMoodEmpty size={16} />, color: 'gray' },
];

const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

interface BulkTriageBarProps {
  selected: SecurityEventOut[];
  onDone: (updated: string[]) => void;
  onClear: () => void;
}

/** Triage for the picked rows; events that cannot move to the status are left as they are. */
export function BulkTriageBar({ selected, onDone, onClear }: BulkTriageBarProps) {
  const [triage, { isLoading, originalArgs }] = useTriageSecurityEventsMutation();
  if (selected.length === 0) return null;

  async function run(status: SecurityEventStatus) {
    const movable = selected.filter((event) => canMove(event.status, status));
    const skipped = selected.length - movable.length;
    if (movable.length === 0) {
      notifications.show({
        color: 'yellow',
        message: `None of the selected events can be marked ${STATUS_LABELS[status].toLowerCase()}.`,
      });
      return;
    }
    const result = await triage({ ids: movable.map((e) => e.id), body: { status } });
    if (!('data' in result) || !result.data) return;
    const { updated, failed } = result.data;
    onDone(updated);
    const lines = [
      `${plural(updated.length, 'event', 'events')} marked ${STATUS_LABELS[status].toLowerCase()}.`,
    ];
    if (skipped > 0) lines.push(`${plural(skipped, 'was', 'were')} already past that status and left alone.`);
    if (failed.length > 0) {
      lines.push(`${plural(failed.length, 'event', 'events')} refused: ${failed[0]?.error.message ?? ''}`);
    }
    notifications.show({ color: failed.length > 0 ? 'red' : 'teal', message: lines.join(' ') });
  }

  const running = isLoading ? originalArgs?.body.status : undefined;
  return (
    <Paper
      px="lg"
      py="xs"
      bg="var(--mantine-primary-color-light)"
      radius={0}
      role="region"
      aria-label="Bulk triage"
    >
      <Group justify="space-between" gap="sm">
        <Text size="sm" fw={600} data-testid="selected-count">
          {plural(selected.length, 'event', 'events')} selected
        </Text>
        <Group gap="xs">
          {BULK_TARGETS.map((target) => (
            <Button
              key={target.status}
              size="xs"
              variant="white"
              color={target.color}
              leftSection={target.icon}
              loading={running === target.status}
              disabled={isLoading && running !== target.status}
              onClick={() => void run(target.status)}
            >
              {target.label}
            </Button>
          ))}
          <Button size="xs" variant="subtle" color="gray" leftSection={<IconX size={14} />} onClick={onClear}>
            Clear selection
          </Button>
        </Group>
      </Group>
    </Paper>
  );
}
