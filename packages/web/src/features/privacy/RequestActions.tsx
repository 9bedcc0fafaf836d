import { type PrivacyRequestOut, REGIME_RULES } from '@custos/shared';
import {
  Alert,
  Autocomplete,
  Button,
  Card,
  Group,
  Modal,
  Stack,
  Text,
  Textarea,
  TextInput,
  Title,
} from '@mantine/core';
import { notifications } from '@mantine/notifications';
import {
  IconBan,
  IconCalendarPlus,
  IconCheck,
  IconCircleCheck,
  IconIdBadge2,
  IconX,
} from '@tabler/icons-react';
import { type FormEvent, type ReactNode, useState } from 'react';
import { formErrors, hookError } from '../../app/errors';
import { ErrorAlert } from '../../ui/ErrorAlert';
import { type RequestAction, useActOnPrivacyRequestMutation } from './api';
import { formatCalendarDate } from './countdown';
import { type ActionName, extendedDueDate, type Offered, offeredActions } from './requestActions';

const BUTTONS: Record<ActionName, { label: string; icon: ReactNode; color?: string; variant: string }> = {
  verify: { label: 'Verify identity', icon: <IconIdBadge2 size={16} />, variant: 'filled' },
  approve: { label: 'Approve', icon: <IconCheck size={16} />, variant: 'filled' },
  complete: { label: 'Mark completed', icon: <IconCircleCheck size={16} />, variant: 'filled' },
  extend: { label: 'Extend deadline', icon: <IconCalendarPlus size={16} />, variant: 'default' },
  deny: { label: 'Deny', icon: <IconBan size={16} />, color: 'red', variant: 'light' },
  cancel: { label: 'Cancel request', icon: <IconX size={16} />, color: 'gray', variant: 'subtle' },
};

/** Grounds people pick most often; any other text is accepted. */
const LEGAL_GROUNDS = [
  'GDPR Art. 12(5)(b): manifestly unfounded or excessive',
  'GDPR Art. 12(6): identity could not be confirmed',
  'GDPR Art. 17(3)(b): retention required by law',
  'GDPR Art. 17(3)(e): establishment, exercise or defence of legal claims',
  'GDPR Art. 15(4): would adversely affect the rights of others',
  'Cal. Civ. Code §1798.105(d): exception to deletion',
  '11 CCR §7022(b): request could not be verified',
];

interface FormProps {
  request: PrivacyRequestOut;
  onDone: () => void;
  onCancel: () => void;
}

/** The fields, explanation and confirm button of one action; the server's refusal stays visible. */
function ActionForm({ request, action, onDone, onCancel }: FormProps & { action: ActionName }) {
  const [text, setText] = useState('');
  const [ground, setGround] = useState('');
  const [tried, setTried] = useState(false);
  const [act, acting] = useActOnPrivacyRequestMutation();
  const apiError = hookError(acting.error);
  const server = formErrors(apiError, ['reason', 'legalGround', 'method', 'note']);
  const reasonShort = text.trim().length < 10 ? 'Write at least 10 characters' : undefined;
  const groundShort = ground.trim().length < 3 ? 'Name the legal ground' : undefined;

  function body(): RequestAction | undefined {
    const id = request.id;
    const t = text.trim();
    switch (action) {
      case 'verify':
        return { action, id, ...(t ? { method: t } : {}) };
      case 'approve':
        return { action, id };
      case 'complete':
      case 'cancel':
        return { action, id, ...(t ? { note: t } : {}) };
      case 'deny':
        return reasonShort || groundShort ? undefined : { action, id, reason: t, legalGround: ground.trim() };
      case 'extend':
        return reasonShort ? undefined : { action, id, reason: t };
    }
  }

  async function submit(event: FormEvent) {
    event.preventDefault();
    setTried(true);
    const b = body();
    if (!b) return;
    const result = await act(b);
    if ('data' in result && result.data) {
      notifications.show({ color: 'teal', message: DONE[action](result.data) });
      onDone();
    }
  }

  const newDue = action === 'extend' ? extendedDueDate(request) : null;
  const placed = Object.keys(server.fields).length > 0;
  const button = BUTTONS[action];
  return (
    <form onSubmit={submit} noValidate>
      <Stack>
        <Text size="sm">{EXPLAIN[action](request)}</Text>
        {action === 'extend' && newDue && (
          <Alert color="blue" variant="light" title={`New due date: ${formatCalendarDate(newDue)}`}>
            {request.email
              ? `Custos e-mails ${request.email} the reason and the new due date right away, as the law requires.`
              : `No e-mail address is on file: you must tell the person the reason and the new date yourself by ${formatCalendarDate(request.clock.extensionNoticeBy)}.`}
          </Alert>
        )}
        {action === 'verify' && (
          <TextInput
            label="How you verified"
            description="Optional; kept on the timeline. For example: matched the account e-mail and the last order number."
            value={text}
            onChange={(e) => setText(e.currentTarget.value)}
            maxLength={300}
            error={server.fields.method}
            data-autofocus
          />
        )}
        {(action === 'complete' || action === 'cancel') && (
          <Textarea
            label="Note"
            description="Optional; kept on the timeline."
            value={text}
            onChange={(e) => setText(e.currentTarget.value)}
            maxLength={2000}
            autosize
            minRows={2}
            error={server.fields.note}
            data-autofocus
          />
        )}
        {(action === 'deny' || action === 'extend') && (
          <Textarea
            label={action === 'deny' ? 'Reason given to the person' : 'Reason for the extension'}
            description={
              action === 'deny'
                ? 'At least 10 characters. The person must be told why, and that they can complain to a supervisory authority.'
                : 'At least 10 characters, e.g. the number or complexity of requests. It is sent to the person.'
            }
            value={text}
            onChange={(e) => setText(e.currentTarget.value)}
            maxLength={2000}
            autosize
            minRows={3}
            required
            error={(tried ? reasonShort : undefined) ?? server.fields.reason}
            data-autofocus
          />
        )}
        {action === 'deny' && (
          <Autocomplete
            label="Legal ground"
            description="The provision that allows refusing. Pick one or type your own."
            data={LEGAL_GROUNDS}
            value={ground}
            onChange={setGround}
            maxLength={300}
            required
            error={(tried ? groundShort : undefined) ?? server.fields.legalGround}
            comboboxProps={{ withinPortal: true }}
          />
        )}
        <ErrorAlert error={placed ? undefined : apiError} extra={server.other} />
        <Group justify="flex-end">
          <Button variant="default" onClick={onCancel}>
            Back
          </Button>
          <Button
            type="submit"
            color={action === 'deny' || action === 'cancel' ? 'red' : undefined}
            loading={acting.isLoading}
            leftSection={button.icon}
          >
            {CONFIRM[action]}
          </Button>
        </Group>
      </Stack>
    </form>
  );
}

const EXPLAIN: Record<ActionName, (r: PrivacyRequestOut) => string> = {
  verify: () =>
    'Confirm you have checked that the requester is the person whose data this is. The request then waits for approval.',
  approve: () =>
    'Approving starts the work: Custos sends a task to every enabled system in the data map, and to Custos itself. The request completes by itself when all of them are done.',
  complete: () =>
    'Mark the request answered by hand, for example when the work was done outside Custos. Its clock stops.',
  extend: (r) =>
    `${REGIME_RULES[r.regime].name} lets you take longer for complex or numerous requests, if the person is told why before the first deadline (${formatCalendarDate(r.clock.extensionNoticeBy)}).`,
  deny: () =>
    'Refuse the request. The reason and the legal ground are recorded on the timeline and in the audit log; the clock stops.',
  cancel: () =>
    'Stop the request without answering it, for example when the person withdrew it or it was entered by mistake. This cannot be undone.',
};

const CONFIRM: Record<ActionName, string> = {
  verify: 'Mark identity verified',
  approve: 'Approve and start',
  complete: 'Mark completed',
  extend: 'Extend and notify',
  deny: 'Deny request',
  cancel: 'Cancel request',
};

const DONE: Record<ActionName, (r: PrivacyRequestOut) => string> = {
  verify: () => 'Identity verified. The request now waits for approval.',
  approve: () => 'Approved. Tasks were sent to the systems.',
  complete: () => 'Marked completed.',
  extend: (r) => `Extended. The request is now due on ${formatCalendarDate(r.clock.dueDate)}.`,
  deny: () => 'The request was denied.',
  cancel: () => 'The request was canceled.',
};

const TITLES: Record<ActionName, string> = {
  verify: 'Verify the person’s identity',
  approve: 'Approve this request',
  complete: 'Mark this request completed',
  extend: 'Extend the deadline',
  deny: 'Deny this request',
  cancel: 'Cancel this request',
};

function ActionButton({ offered, onClick }: { offered: Offered; onClick: () => void }) {
  const b = BUTTONS[offered.action];
  const reason = offered.disabledReason;
  const reasonId = `action-${offered.action}-why`;
  return (
    <Stack gap={4}>
      {/* Disabled but still focusable, so a keyboard reaches it and hears why. */}
      <Button
        variant={b.variant}
        color={b.color}
        leftSection={b.icon}
        onClick={reason ? undefined : onClick}
        data-disabled={reason ? true : undefined}
        aria-disabled={reason ? true : undefined}
        aria-describedby={reason ? reasonId : undefined}
        fullWidth
      >
        {b.label}
      </Button>
      {reason && (
        <Text size="xs" c="dimmed" id={reasonId}>
          {reason}
        </Text>
      )}
    </Stack>
  );
}

/** What can be done with the request now; each action asks first and says what happens. */
export function RequestActionsCard({
  request,
  canManage,
}: {
  request: PrivacyRequestOut;
  canManage: boolean;
}) {
  const [open, setOpen] = useState<ActionName>();
  const offered = offeredActions(request);
  if (offered.length === 0) return null;
  return (
    <Card withBorder radius="md" padding="lg" component="section" aria-labelledby="request-actions-title">
      <Stack gap="sm">
        <Title order={2} size="h5" id="request-actions-title">
          Actions
        </Title>
        {canManage ? (
          offered.map((o) => <ActionButton key={o.action} offered={o} onClick={() => setOpen(o.action)} />)
        ) : (
          <Text size="sm" c="dimmed">
            Working requests needs the permission “privacy:manage”. Ask an owner or admin.
          </Text>
        )}
      </Stack>
      <Modal
        opened={open !== undefined}
        onClose={() => setOpen(undefined)}
        title={<Text fw={600}>{open ? TITLES[open] : ''}</Text>}
        size="lg"
      >
        {open && (
          <ActionForm
            request={request}
            action={open}
            onDone={() => setOpen(undefined)}
            onCancel={() => setOpen(undefined)}
          />
        )}
      </Modal>
    </Card>
  );
}
