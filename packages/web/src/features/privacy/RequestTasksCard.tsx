import type { PrivacyRequestDetail, PrivacyTaskOut } from '@custos/shared';
import { Badge, Button, Stack, Table, Text, Tooltip, VisuallyHidden } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { IconRefresh, IconServer } from '@tabler/icons-react';
import { hookError } from '../../app/errors';
import { formatBytes, formatCount } from '../../app/format';
import { ErrorAlert } from '../../ui/ErrorAlert';
import { RelativeTime } from '../../ui/RelativeTime';
import { EmptyState } from '../../ui/states';
import { DataTable, TableCard } from '../../ui/tables';
import { useRetryPrivacyTaskMutation } from './api';
import {
  DELIVERY_LABELS,
  TASK_KIND_LABELS,
  TASK_STATE_COLORS,
  TASK_STATE_DESCRIPTIONS,
  TASK_STATE_LABELS,
} from './taskLabels';

function TaskStateBadge({ state }: { state: PrivacyTaskOut['state'] }) {
  return (
    <Tooltip label={TASK_STATE_DESCRIPTIONS[state]} withArrow multiline w={260}>
      <Badge color={TASK_STATE_COLORS[state]} variant="light" data-task-state={state} miw="max-content">
        {TASK_STATE_LABELS[state]}
      </Badge>
    </Tooltip>
  );
}

function TaskRow({
  task,
  canRetry,
  retrying,
  onRetry,
}: {
  task: PrivacyTaskOut;
  canRetry: boolean;
  retrying: boolean;
  onRetry: () => void;
}) {
  return (
    <Table.Tr data-task-id={task.id}>
      <Table.Td data-label="System" data-wide>
        <Stack gap={0}>
          <Text size="sm" fw={600}>
            {task.systemName}
          </Text>
          <Text size="xs" c="dimmed">
            {TASK_KIND_LABELS[task.kind]} · {DELIVERY_LABELS[task.delivery]}
          </Text>
        </Stack>
      </Table.Td>
      <Table.Td data-label="State">
        <TaskStateBadge state={task.state} />
      </Table.Td>
      <Table.Td data-label="Attempts" ta="right">
        <Text size="sm">{formatCount(task.attempts)}</Text>
      </Table.Td>
      <Table.Td data-label="Last change">
        <RelativeTime iso={task.finishedAt ?? task.updatedAt} />
      </Table.Td>
      <Table.Td data-label="Details" data-wide maw={320}>
        {task.lastError ? (
          <Text size="sm" c="red.8" style={{ wordBreak: 'break-word' }}>
            {task.lastError}
          </Text>
        ) : task.result ? (
          <Text size="sm" c="dimmed">
            Data received: {formatBytes(task.result.sizeBytes)}, kept encrypted
          </Text>
        ) : (
          <Text size="sm" c="dimmed">
            —
          </Text>
        )}
      </Table.Td>
      <Table.Td data-label={canRetry && task.state === 'failed' ? 'Retry' : undefined}>
        {canRetry && task.state === 'failed' && (
          <Button
            size="xs"
            variant="light"
            leftSection={<IconRefresh size={14} />}
            loading={retrying}
            onClick={onRetry}
            aria-label={`Retry ${TASK_KIND_LABELS[task.kind].toLowerCase()} at ${task.systemName}`}
          >
            Retry
          </Button>
        )}
      </Table.Td>
    </Table.Tr>
  );
}

/**
 * The request's work per system: one task each, with its state and attempts. A failed one is
 * retried alone; the others keep their results and the request resumes from there.
 */
export function RequestTasksCard({
  request,
  canManage,
}: {
  request: PrivacyRequestDetail;
  canManage: boolean;
}) {
  const [retry, retrying] = useRetryPrivacyTaskMutation();
  const tasks = request.tasks;
  const failed = tasks.filter((t) => t.state === 'failed').length;
  const canRetry = canManage && request.state === 'in_progress';
  async function run(task: PrivacyTaskOut) {
    const result = await retry({ requestId: request.id, taskId: task.id });
    if ('data' in result) {
      notifications.show({ color: 'teal', message: `The task at ${task.systemName} was queued again.` });
    }
  }
  return (
    <TableCard
      title={{ id: 'request-tasks-title', text: 'Tasks per system', count: tasks.length }}
      description={
        <Text size="sm" c="dimmed">
          {failed > 0
            ? `${failed === 1 ? 'One task' : `${formatCount(failed)} tasks`} failed. Fix the cause (the error says what the system answered), then retry: the other systems keep what they did.`
            : 'Each system in the data map gets its own task when the request is approved.'}
        </Text>
      }
    >
      {retrying.error ? (
        <Stack px="lg" pb="md">
          <ErrorAlert error={hookError(retrying.error)} />
        </Stack>
      ) : null}
      {tasks.length === 0 ? (
        <EmptyState
          icon={<IconServer size={24} />}
          title="No tasks yet"
          description={
            request.state === 'in_progress' || request.state === 'completed'
              ? 'No system was given a task for this request.'
              : 'Tasks are sent to the systems when the request is approved.'
          }
        />
      ) : (
        <DataTable
          label="Tasks per system"
          minWidth={760}
          cardsOnPhone
          head={
            <>
              <Table.Th>System</Table.Th>
              <Table.Th>State</Table.Th>
              <Table.Th ta="right">Attempts</Table.Th>
              <Table.Th>Last change</Table.Th>
              <Table.Th>Details</Table.Th>
              <Table.Th w={100}>
                <VisuallyHidden>Retry</VisuallyHidden>
              </Table.Th>
            </>
          }
        >
          {tasks.map((task) => (
            <TaskRow
              key={task.id}
              task={task}
              canRetry={canRetry}
              retrying={retrying.isLoading && retrying.originalArgs?.taskId === task.id}
              onRetry={() => void run(task)}
            />
          ))}
        </DataTable>
      )}
    </TableCard>
  );
}
