import { Button, Group, Loader, Stack, Text } from '@mantine/core';
import { IconAlertTriangle, IconDownload, IconShieldCheck } from '@tabler/icons-react';
import { hookError } from '../../app/errors';
import { formatCount, formatDateTime } from '../../app/format';
import { useDisplayTimeZone } from '../../ui/timeZone';
import { CheckpointWitnesses } from './CheckpointWitnesses';
import { saveCheckpoint } from './download';
import type { HistoryCheck } from './historyCheck';
import { useAuditIntegrity } from './useAuditIntegrity';
import { useHistoryCheck } from './useHistoryCheck';

function verifiedText({ remembered, result }: HistoryCheck): string {
  const size = formatCount(result.current.treeSize);
  if (!remembered) {
    return `This browser now remembers the signed checkpoint of ${size} events; later visits check that the log still extends it.`;
  }
  const since =
    remembered.treeSize === result.current.treeSize ? 'no events since' : `the log now has ${size} events`;
  return `History verified against the checkpoint this browser saw on ${formatDateTime(remembered.savedAt)} (${formatCount(remembered.treeSize)} events then); ${since}.`;
}

/**
 * A quiet line on the audit pages: the log was checked against the checkpoint this browser saw,
 * with the current signed checkpoint to download. A failed check is the shell's red warning instead.
 */
function HistoryLine() {
  useDisplayTimeZone();
  const { data, error, isFetching } = useHistoryCheck({ recheck: true });
  const integrity = useAuditIntegrity({ recheck: true });
  const serverAlarm = integrity.data?.status === 'alarm';
  const apiError = hookError(error);
  if (!data) {
    if (apiError) {
      return (
        <Text size="xs" c="gray.7" data-testid="history-status">
          Could not check the log’s history in this browser: {apiError.message}
        </Text>
      );
    }
    return isFetching ? (
      <Group gap={6} data-testid="history-status">
        <Loader size={12} />
        <Text size="xs" c="gray.7">
          Checking the log’s history against the checkpoint this browser saw…
        </Text>
      </Group>
    ) : null;
  }
  const { current } = data.result;
  if (!data.result.ok || current.status !== 'verified') return null;
  return (
    <Group gap="xs" justify="space-between" wrap="wrap" data-testid="history-status">
      <Group gap={6} wrap="nowrap" align="flex-start" style={{ flex: '1 1 320px' }}>
        {serverAlarm ? (
          <IconAlertTriangle
            size={16}
            color="var(--mantine-color-red-8)"
            aria-hidden
            style={{ flexShrink: 0 }}
          />
        ) : (
          <IconShieldCheck
            size={16}
            color="var(--mantine-color-teal-7)"
            aria-hidden
            style={{ flexShrink: 0 }}
          />
        )}
        <Text size="xs" c="gray.7">
          {serverAlarm
            ? 'This browser’s own check passed, but the server’s check of the log did not: see the red warning above.'
            : verifiedText(data)}
        </Text>
      </Group>
      <Button
        variant="subtle"
        color="gray"
        c="gray.8"
        size="compact-xs"
        leftSection={<IconDownload size={14} />}
        onClick={() => saveCheckpoint(current.note, current.treeSize)}
      >
        Download signed checkpoint
      </Button>
    </Group>
  );
}

/** The history line and the witnesses, beside the signed checkpoint on the audit pages. */
export function HistoryStatus() {
  return (
    <Stack gap={6}>
      <HistoryLine />
      <CheckpointWitnesses />
    </Stack>
  );
}
