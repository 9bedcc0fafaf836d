import type { RetentionRunOut, RetentionRunRuleOut } from '@custos/shared';
import { Accordion, Badge, Button, Group, Modal, Stack, Table, Text } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { IconHistory, IconPlayerPlay, IconSearch } from '@tabler/icons-react';
import { useState } from 'react';
import { hookError } from '../../app/errors';
import { formatCount, formatDateTime } from '../../app/format';
import { ErrorAlert } from '../../ui/ErrorAlert';
import { EmptyState } from '../../ui/states';
import { DataTable, QueryBody, TableCard } from '../../ui/tables';
import { useListRetentionRunsQuery, useRunRetentionMutation } from './retentionApi';

/** What a run did (or would do) for one rule, in words. */
export function outcomeText(
  r: Pick<RetentionRunRuleOut, 'outcome' | 'count' | 'taskState' | 'note'>,
): string {
  const n = formatCount(r.count ?? 0);
  switch (r.outcome) {
    case 'removed':
      return `Removed ${n}`;
    case 'would_remove':
      return `Would remove ${n}`;
    case 'task_issued':
      return `Task sent to the system${r.taskState ? ` (${r.taskState})` : ''}`;
    case 'would_issue_task':
      return 'Would send the system a task';
    case 'skipped':
      return `Skipped${r.note ? `: ${r.note}` : ''}`;
  }
}

function RunReport({ run }: { run: RetentionRunOut }) {
  if (run.rules.length === 0) return <Text size="sm">No rule was on.</Text>;
  return (
    <DataTable
      label={`Report of the run at ${formatDateTime(run.startedAt)}`}
      minWidth={560}
      cardsOnPhone
      head={
        <>
          <Table.Th>System</Table.Th>
          <Table.Th>Data</Table.Th>
          <Table.Th>Older than</Table.Th>
          <Table.Th>Result</Table.Th>
        </>
      }
    >
      {run.rules.map((r) => (
        <Table.Tr key={r.ruleId}>
          <Table.Td data-label="System">{r.systemName}</Table.Td>
          <Table.Td data-label="Data" className="custos-mono">
            {r.categoryKey}
          </Table.Td>
          <Table.Td data-label="Older than">{formatDateTime(r.cutoff)}</Table.Td>
          <Table.Td data-label="Result">{outcomeText(r)}</Table.Td>
        </Table.Tr>
      ))}
    </DataTable>
  );
}

const summary = (run: RetentionRunOut) =>
  run.dryRun
    ? `Would remove ${formatCount(run.totals.removed)} records`
    : `Removed ${formatCount(run.totals.removed)} records, ${formatCount(run.totals.tasks)} tasks sent`;

/** Dry run, run now (asked first, with the dry run's counts), and the latest runs with their reports. */
export function RetentionRunsCard({ canManage }: { canManage: boolean }) {
  const query = useListRetentionRunsQuery();
  const [run, running] = useRunRetentionMutation();
  const [preview, setPreview] = useState<RetentionRunOut>();
  const [confirming, setConfirming] = useState(false);

  async function dryRun() {
    const result = await run({ dryRun: true });
    if ('data' in result && result.data) setPreview(result.data);
  }
  async function runNow() {
    const result = await run({ dryRun: false });
    if ('data' in result && result.data) {
      notifications.show({ color: 'teal', message: summary(result.data) });
      setConfirming(false);
      setPreview(undefined);
    }
  }

  return (
    <TableCard
      title={{ id: 'retention-runs-title', text: 'Retention runs', count: query.data?.length }}
      description={
        <Stack gap="xs" align="flex-start">
          <Text size="sm" c="dimmed" maw={720}>
            A dry run counts what would be removed now and changes nothing. Custos runs retention once a day;
            run it now after changing a rule.
          </Text>
          {canManage && (
            <Group gap="xs">
              <Button
                size="xs"
                variant="light"
                leftSection={<IconSearch size={14} />}
                loading={running.isLoading && !confirming}
                onClick={dryRun}
              >
                Dry run
              </Button>
              <Button
                size="xs"
                color="red"
                variant="light"
                leftSection={<IconPlayerPlay size={14} />}
                onClick={() => setConfirming(true)}
              >
                Run now
              </Button>
            </Group>
          )}
          {!confirming && <ErrorAlert error={hookError(running.error)} />}
          {preview && (
            <Stack gap="xs" w="100%" aria-live="polite">
              <Text size="sm" fw={600}>
                Dry run at {formatDateTime(preview.startedAt)}: {summary(preview)}
              </Text>
              <RunReport run={preview} />
            </Stack>
          )}
        </Stack>
      }
    >
      <QueryBody
        query={query}
        loadingLabel="Loading the retention runs"
        what="the retention runs"
        empty={
          <EmptyState
            icon={<IconHistory size={24} />}
            title="No runs yet"
            description="Custos runs retention once a day, or try a dry run now."
          />
        }
      >
        {(runs) => (
          <Accordion variant="separated" chevronPosition="left">
            {runs.map((r) => (
              <Accordion.Item key={r.id} value={r.id}>
                <Accordion.Control>
                  <Group gap="xs">
                    <Text size="sm" fw={600}>
                      {formatDateTime(r.startedAt)}
                    </Text>
                    <Badge size="sm" variant="light" color={r.dryRun ? 'gray' : 'blue'}>
                      {r.dryRun ? 'Dry run' : 'Run'}
                    </Badge>
                    <Text size="sm" c="dimmed">
                      {r.startedBy === null ? 'Daily schedule · ' : ''}
                      {summary(r)}
                    </Text>
                  </Group>
                </Accordion.Control>
                <Accordion.Panel>
                  <RunReport run={r} />
                </Accordion.Panel>
              </Accordion.Item>
            ))}
          </Accordion>
        )}
      </QueryBody>
      <Modal
        opened={confirming}
        onClose={() => {
          setConfirming(false);
          running.reset();
        }}
        title={<Text fw={600}>Run retention now?</Text>}
      >
        <Stack>
          <Text size="sm">
            {preview
              ? `The dry run found: ${summary(preview).toLowerCase()}. `
              : 'Try a dry run first to see what would go. '}
            Removed data cannot be brought back. Your systems get a task for each of their rules.
          </Text>
          <ErrorAlert error={hookError(running.error)} />
          <Group justify="flex-end">
            <Button variant="default" onClick={() => setConfirming(false)}>
              Cancel
            </Button>
            <Button color="red" loading={running.isLoading} onClick={runNow}>
              Run retention
            </Button>
          </Group>
        </Stack>
      </Modal>
    </TableCard>
  );
}
