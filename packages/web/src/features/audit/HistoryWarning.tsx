import { Alert, Anchor, Button, Code, List, Stack, Text } from '@mantine/core';
import { IconAlertOctagon, IconDownload } from '@tabler/icons-react';
import { Link } from 'react-router';
import { formatCount, formatDateTime } from '../../app/format';
import { saveCheckpoint } from './download';
import { type FailedCheck, failedCheck, type HistoryCheck } from './historyCheck';
import { useHistoryCheck } from './useHistoryCheck';

const WHAT_HAPPENED: Record<FailedCheck['status'], string> = {
  inconsistent: 'events this browser already saw were changed, removed or reordered.',
  'rolled-back': 'the log is now shorter than it was, so events this browser already saw are gone.',
  'bad-signature': 'the checkpoint this browser saw is not signed by the key the server now publishes.',
  'other-log': 'the server now presents another log for this organization.',
  malformed: 'the checkpoint this browser saw can no longer be read.',
};

const eventCount = (n: number) => `${formatCount(n)} ${n === 1 ? 'event' : 'events'}`;

function Problem({ check }: { check: HistoryCheck }) {
  const { remembered, result } = check;
  const failed = failedCheck(check);
  const detail = failed?.message ?? result.current.message;
  return (
    <Stack gap={4}>
      {remembered && failed ? (
        <Text size="sm" c="inherit">
          The server’s audit history does not extend the checkpoint this browser saw on{' '}
          {formatDateTime(remembered.savedAt)} (size {formatCount(remembered.treeSize)}). Someone may have
          rewritten or rolled back the log: {WHAT_HAPPENED[failed.status]}
        </Text>
      ) : (
        <Text size="sm" c="inherit">
          The server’s latest checkpoint ({eventCount(result.current.treeSize)}) is not properly signed by its
          audit key or says something else than its signature covers, so its history cannot be trusted until
          this is explained.
        </Text>
      )}
      <Text size="xs" c="inherit" data-testid="history-check-detail">
        Details: {detail}
      </Text>
    </Stack>
  );
}

/** What the reader should do, with the checkpoint to keep as evidence. */
function NextSteps({ check }: { check: HistoryCheck }) {
  const evidence = check.remembered ?? {
    note: check.result.current.note,
    treeSize: check.result.current.treeSize,
  };
  const file = `checkpoint-${evidence.treeSize}.txt`;
  return (
    <Stack gap="xs">
      <Text size="sm" fw={700} c="inherit">
        What to do now
      </Text>
      <List type="ordered" size="sm" spacing={4} c="inherit">
        <List.Item>
          {check.remembered
            ? 'Download the checkpoint this browser saw and keep it somewhere safe: the server signed it, so it proves what the log held.'
            : 'Download the checkpoint the server presents now and keep it somewhere safe, as evidence.'}
        </List.Item>
        <List.Item>
          Export the full log (Export, on the{' '}
          <Anchor component={Link} to="/audit" c="inherit" underline="always" fw={600}>
            audit log
          </Anchor>
          ) and check it on a machine you trust:{' '}
          <Code c="dark.9" bg="white" style={{ overflowWrap: 'anywhere' }}>
            npx custos audit verify --checkpoint {file} EXPORT_FILE
          </Code>
        </List.Item>
        <List.Item>
          Tell your security team and whoever runs this Custos server, and compare its database with your
          backups.
        </List.Item>
      </List>
      {evidence.note && (
        <div>
          <Button
            variant="white"
            color="red.9"
            size="sm"
            leftSection={<IconDownload size={16} />}
            onClick={() => saveCheckpoint(evidence.note, evidence.treeSize)}
          >
            Download {file}
          </Button>
        </div>
      )}
      <Text size="xs" c="inherit">
        This browser keeps the checkpoint it saw, so this warning stays until the log extends it again.
      </Text>
    </Stack>
  );
}

/**
 * The red warning, on every page, when the organization's log does not extend the checkpoint this
 * browser remembers (or its current checkpoint is not properly signed).
 */
export function HistoryWarning() {
  const { data } = useHistoryCheck();
  if (!data || data.result.ok) return null;
  return (
    <Alert
      role="alert"
      variant="filled"
      color="red.9"
      radius="md"
      mb="lg"
      icon={<IconAlertOctagon size={22} />}
      title="The audit log’s history has changed"
      data-testid="history-warning"
      styles={{ title: { fontSize: 'var(--mantine-font-size-md)' } }}
    >
      <Stack gap="sm">
        <Problem check={data} />
        <NextSteps check={data} />
      </Stack>
    </Alert>
  );
}
