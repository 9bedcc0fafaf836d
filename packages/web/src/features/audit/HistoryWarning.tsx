import { Button, Stack, Text } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { IconRestore } from '@tabler/icons-react';
import { useState } from 'react';
import { hookError } from '../../app/errors';
import { formatCount, formatDateTime } from '../../app/format';
import { ConfirmModal } from '../../ui/ConfirmModal';
import { useDisplayTimeZone } from '../../ui/timeZone';
import { useMe } from '../shell/session';
import { useForgetRememberedCheckpointMutation } from './api';
import { canForget, type FailedCheck, failedCheck, type HistoryCheck } from './historyCheck';

/**
 * The browser's part of the red warning: the organization's log does not extend the checkpoint this
 * browser remembers (or its current checkpoint is not properly signed).
 */

const WHAT_HAPPENED: Record<FailedCheck['status'], string> = {
  inconsistent: 'events this browser already saw were changed, removed or reordered.',
  'rolled-back': 'the log is now shorter than it was, so events this browser already saw are gone.',
  'bad-signature': 'the checkpoint this browser saw is not signed by the key the server now publishes.',
  'other-log': 'the server now presents another log for this organization.',
  malformed: 'the checkpoint this browser saw can no longer be read.',
};

const eventCount = (n: number) => `${formatCount(n)} ${n === 1 ? 'event' : 'events'}`;

/** Whether the browser's own check failed: the warning shows it. */
export function historyFailed(check: HistoryCheck | undefined): check is HistoryCheck {
  return check !== undefined && !check.result.ok;
}

/** The signed checkpoint to keep as evidence: the one this browser saw, else the server's current one. */
export function evidenceOf(check: HistoryCheck): { note: string; treeSize: number } {
  return check.remembered ?? { note: check.result.current.note, treeSize: check.result.current.treeSize };
}

export function HistoryProblem({ check }: { check: HistoryCheck }) {
  useDisplayTimeZone();
  const { remembered, result } = check;
  const failed = failedCheck(check);
  const detail = failed?.message ?? result.current.message;
  return (
    <Stack gap={4}>
      {remembered && failed ? (
        <Text size="sm" c="inherit">
          The server’s audit history does not extend the checkpoint this browser saw on{' '}
          {formatDateTime(remembered.savedAt)} ({formatCount(remembered.treeSize)} events then). Someone may
          have rewritten or rolled back the log: {WHAT_HAPPENED[failed.status]}
        </Text>
      ) : (
        <Text size="sm" c="inherit">
          The server’s latest checkpoint ({eventCount(result.current.treeSize)}) is not properly signed by its
          audit key or says something else than its signature covers, so its history cannot be trusted until
          this is explained.
        </Text>
      )}
      <Text size="xs" c="inherit" data-testid="history-check-detail" style={{ overflowWrap: 'anywhere' }}>
        Details: {detail}
      </Text>
    </Stack>
  );
}

/**
 * "Forget this checkpoint": after a legitimate restore or key change, the reader accepts the server's
 * current history as the new baseline. Asks first; offered only when that history is properly signed.
 */
export function ForgetCheckpoint({ check }: { check: HistoryCheck }) {
  useDisplayTimeZone();
  const me = useMe();
  const [opened, setOpened] = useState(false);
  const [forget, { isLoading, error, reset }] = useForgetRememberedCheckpointMutation();
  const organizationId = me.organization?.id;
  if (!organizationId || !check.remembered || !canForget(check)) return null;
  const { remembered } = check;
  const current = check.result.current;

  async function confirm() {
    if (!organizationId) return;
    const result = await forget({ organizationId, check });
    if ('error' in result) return;
    setOpened(false);
    notifications.show({
      color: 'teal',
      message: `This browser now checks the log against its checkpoint of ${eventCount(current.treeSize)}.`,
    });
  }

  return (
    <>
      <Button
        variant="transparent"
        c="white"
        size="compact-sm"
        px={0}
        td="underline"
        leftSection={<IconRestore size={16} />}
        onClick={() => setOpened(true)}
      >
        Forget this checkpoint…
      </Button>
      <ConfirmModal
        opened={opened}
        title="Forget this checkpoint?"
        confirmLabel="Forget checkpoint"
        loading={isLoading}
        error={hookError(error)}
        onConfirm={() => void confirm()}
        onClose={() => {
          setOpened(false);
          reset();
        }}
      >
        Do this only after a legitimate restore of the database or a change of the audit signing key, once you
        know why the log no longer extends the checkpoint this browser saw on{' '}
        {formatDateTime(remembered.savedAt)} ({eventCount(remembered.treeSize)}). This browser then accepts
        the server’s current history ({eventCount(current.treeSize)}) as its new baseline and stops warning
        about the old one. Download the old checkpoint first if you may need it as evidence: once forgotten,
        this browser cannot show it again.
      </ConfirmModal>
    </>
  );
}
