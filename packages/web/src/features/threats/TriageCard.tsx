import type { SecurityEventDetail, SecurityEventStatus, UpdateSecurityEventBody } from '@custos/shared';
import { Button, Card, Group, Select, Stack, Text, Textarea, Title } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { IconArrowBackUp, IconCheck, IconEye, IconMoodEmpty } from '@tabler/icons-react';
import { type ReactNode, useState } from 'react';
import { type ApiError, hookError } from '../../app/errors';
import { ErrorAlert } from '../../ui/ErrorAlert';
import { useListMembersQuery } from '../members/api';
import { useCan, useMe } from '../shell/session';
import { useUpdateSecurityEventMutation } from './api';
import { allowedTransitions, STATUS_ACTIONS, STATUS_LABELS } from './labels';

const STATUS_BUTTONS: Record<SecurityEventStatus, { icon: ReactNode; color?: string; variant: string }> = {
  acknowledged: { icon: <IconEye size={16} />, variant: 'light' },
  resolved: { icon: <IconCheck size={16} />, color: 'teal', variant: 'filled' },
  false_positive: { icon: <IconMoodEmpty size={16} />, variant: 'default' },
  open: { icon: <IconArrowBackUp size={16} />, variant: 'default' },
};

const UNASSIGNED = '__none';

/** The people an event can be assigned to: the members, with "me" first; the current one always. */
function useAssigneeOptions(event: SecurityEventDetail) {
  const me = useMe();
  const canListMembers = useCan('members:read');
  const members = useListMembersQuery(undefined, { skip: !canListMembers });
  const options = [
    { value: UNASSIGNED, label: 'Unassigned' },
    { value: me.user.id, label: `${me.user.name} (me)` },
  ];
  for (const member of members.data ?? []) {
    if (member.userId !== me.user.id) options.push({ value: member.userId, label: member.name });
  }
  if (event.assignee && !options.some((o) => o.value === event.assignee?.id)) {
    options.push({ value: event.assignee.id, label: event.assignee.name });
  }
  return options;
}

/** Status, assignee and notes: what security:manage can change on an event. */
export function TriageCard({ event }: { event: SecurityEventDetail }) {
  const canManage = useCan('security:manage');
  const [update] = useUpdateSecurityEventMutation();
  const [busy, setBusy] = useState<string>();
  const [error, setError] = useState<ApiError>();
  const [note, setNote] = useState('');
  const assignees = useAssigneeOptions(event);

  async function send(body: UpdateSecurityEventBody, what: string, done: string) {
    setBusy(what);
    setError(undefined);
    const result = await update({ id: event.id, body });
    setBusy(undefined);
    if ('error' in result) {
      setError(hookError(result.error));
      return false;
    }
    notifications.show({ color: 'teal', message: done });
    return true;
  }

  if (!canManage) {
    return (
      <Card withBorder radius="md" padding="lg" component="section" aria-labelledby="event-triage-title">
        <Stack gap="xs">
          <Title order={5} id="event-triage-title">
            Triage
          </Title>
          <Text size="sm">Assignee: {event.assignee?.name ?? 'nobody'}</Text>
          <Text size="xs" c="dimmed">
            Changing the status, the assignee or adding notes needs the security:manage permission.
          </Text>
        </Stack>
      </Card>
    );
  }

  return (
    <Card withBorder radius="md" padding="lg" component="section" aria-labelledby="event-triage-title">
      <Stack gap="md">
        <Title order={5} id="event-triage-title">
          Triage
        </Title>
        <Group gap="xs">
          {allowedTransitions(event.status).map((status) => (
            <Button
              key={status}
              size="sm"
              color={STATUS_BUTTONS[status].color}
              variant={STATUS_BUTTONS[status].variant}
              leftSection={STATUS_BUTTONS[status].icon}
              loading={busy === status}
              disabled={busy !== undefined && busy !== status}
              onClick={() => void send({ status }, status, `Marked ${STATUS_LABELS[status].toLowerCase()}`)}
            >
              {STATUS_ACTIONS[status]}
            </Button>
          ))}
        </Group>
        <Select
          label="Assignee"
          data={assignees}
          value={event.assignee?.id ?? UNASSIGNED}
          allowDeselect={false}
          searchable
          disabled={busy === 'assignee'}
          onChange={(value) => {
            const assigneeId = !value || value === UNASSIGNED ? null : value;
            if (assigneeId === (event.assignee?.id ?? null)) return;
            const name = assignees.find((o) => o.value === value)?.label ?? 'nobody';
            void send({ assigneeId }, 'assignee', assigneeId ? `Assigned to ${name}` : 'Unassigned');
          }}
          comboboxProps={{ withinPortal: true }}
        />
        <Stack gap="xs">
          <Textarea
            label="Add a note"
            placeholder="What you found, what you did"
            autosize
            minRows={2}
            maxRows={8}
            maxLength={2000}
            value={note}
            onChange={(e) => setNote(e.currentTarget.value)}
          />
          <Group justify="flex-end">
            <Button
              size="xs"
              variant="light"
              disabled={note.trim().length === 0 || (busy !== undefined && busy !== 'note')}
              loading={busy === 'note'}
              onClick={async () => {
                if (await send({ note: note.trim() }, 'note', 'Note added')) setNote('');
              }}
            >
              Add note
            </Button>
          </Group>
        </Stack>
        <ErrorAlert error={error} />
      </Stack>
    </Card>
  );
}
