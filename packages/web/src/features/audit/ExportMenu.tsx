import type { AuditSearchQuery } from '@custos/shared';
import { Button, Group, Menu, Modal, Progress, Stack, Text, ThemeIcon, Tooltip } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import {
  IconChevronDown,
  IconCircleCheck,
  IconDownload,
  IconFileSpreadsheet,
  IconJson,
} from '@tabler/icons-react';
import { formatBytes, formatCount } from '../../app/format';
import { ErrorAlert } from '../../ui/ErrorAlert';
import { useCan } from '../shell/session';
import { type ExportState, useAuditExport } from './useAuditExport';

const FORMAT_NAMES = { jsonl: 'JSON Lines', csv: 'CSV' } as const;

function ExportProgress({ state }: { state: Extract<ExportState, { status: 'running' }> }) {
  const { events, bytes, total } = state;
  const known = total !== undefined && total > 0;
  const percent = known ? Math.min(100, (events / total) * 100) : 100;
  return (
    <Stack gap={6}>
      <Progress
        value={percent}
        animated
        striped={!known}
        size="lg"
        aria-label="Export progress"
        transitionDuration={150}
      />
      <Group justify="space-between">
        <Text size="sm" data-testid="export-progress">
          {known
            ? `${formatCount(events)} of ${formatCount(total)} events`
            : `${formatCount(events)} events received`}
        </Text>
        <Text size="sm" c="dimmed">
          {formatBytes(bytes)}
        </Text>
      </Group>
    </Stack>
  );
}

function ExportModal({
  state,
  onCancel,
  onClose,
}: {
  state: ExportState;
  onCancel: () => void;
  onClose: () => void;
}) {
  const running = state.status === 'running';
  return (
    <Modal
      opened={state.status !== 'idle'}
      onClose={running ? onCancel : onClose}
      closeOnClickOutside={!running}
      title={
        <Text fw={600}>{state.status === 'idle' ? 'Export' : `Export as ${FORMAT_NAMES[state.format]}`}</Text>
      }
    >
      <Stack>
        {state.status === 'running' && (
          <>
            <Text size="sm" c="dimmed">
              The file downloads when every matching event has arrived. Keep this page open.
            </Text>
            <ExportProgress state={state} />
            <Group justify="flex-end">
              <Button variant="default" onClick={onCancel}>
                Cancel export
              </Button>
            </Group>
          </>
        )}
        {state.status === 'done' && (
          <>
            <Group gap="sm" wrap="nowrap" align="flex-start">
              <ThemeIcon color="teal" variant="light" radius="xl" size="lg">
                <IconCircleCheck size={20} />
              </ThemeIcon>
              <div>
                <Text fw={600}>Export complete</Text>
                <Text size="sm" c="dimmed">
                  {formatCount(state.events)} {state.events === 1 ? 'event' : 'events'} (
                  {formatBytes(state.bytes)}) saved as <strong>{state.fileName}</strong>.
                </Text>
              </div>
            </Group>
            <Group justify="flex-end">
              <Button onClick={onClose}>Done</Button>
            </Group>
          </>
        )}
        {state.status === 'failed' && (
          <>
            <ErrorAlert title="The export failed" error={state.error} />
            <Group justify="flex-end">
              <Button variant="default" onClick={onClose}>
                Close
              </Button>
            </Group>
          </>
        )}
      </Stack>
    </Modal>
  );
}

/** Exports the events matching the current filters, as JSON Lines or CSV. Needs audit:export. */
export function ExportMenu({ query }: { query: AuditSearchQuery }) {
  const canExport = useCan('audit:export');
  const exporting = useAuditExport();

  if (!canExport) {
    return (
      <Tooltip
        label="Exporting needs the audit:export permission. Ask an owner or admin."
        withArrow
        multiline
        w={260}
      >
        <Button
          variant="default"
          leftSection={<IconDownload size={18} />}
          data-disabled
          onClick={(event) => event.preventDefault()}
        >
          Export
        </Button>
      </Tooltip>
    );
  }

  return (
    <>
      <Menu position="bottom-end" shadow="md" withinPortal>
        <Menu.Target>
          <Button
            variant="default"
            leftSection={<IconDownload size={18} />}
            rightSection={<IconChevronDown size={14} />}
            loading={exporting.state.status === 'running'}
          >
            Export
          </Button>
        </Menu.Target>
        <Menu.Dropdown>
          <Menu.Label>Events matching the filters</Menu.Label>
          <Menu.Item leftSection={<IconJson size={16} />} onClick={() => exporting.start(query, 'jsonl')}>
            JSON Lines (.jsonl)
          </Menu.Item>
          <Menu.Item
            leftSection={<IconFileSpreadsheet size={16} />}
            onClick={() => exporting.start(query, 'csv')}
          >
            CSV (.csv)
          </Menu.Item>
        </Menu.Dropdown>
      </Menu>
      <ExportModal
        state={exporting.state}
        onCancel={() => {
          exporting.cancel();
          notifications.show({ color: 'gray', message: 'Export cancelled; nothing was saved.' });
        }}
        onClose={exporting.reset}
      />
    </>
  );
}
