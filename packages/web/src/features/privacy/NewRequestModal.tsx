import { REQUEST_TYPE_INFO, type Regime, type RequestType } from '@custos/shared';
import { Alert, Anchor, Button, Group, Modal, Select, Stack, Text, Textarea, TextInput } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { IconCopy } from '@tabler/icons-react';
import { type FormEvent, useState } from 'react';
import { Link } from 'react-router';
import { formErrors, hookError } from '../../app/errors';
import { ErrorAlert } from '../../ui/ErrorAlert';
import { FormActions } from '../../ui/FormActions';
import { useCreatePrivacyRequestMutation } from './api';
import { formatCalendarDate } from './countdown';
import { REQUEST_TYPE_ORDER, regimeName } from './labels';
import { REGIME_OPTIONS } from './parts';
import { requestReference } from './RequestsTable';

const TYPE_OPTIONS = REQUEST_TYPE_ORDER.map((value) => ({
  value,
  label: `${REQUEST_TYPE_INFO[value].name} (${REQUEST_TYPE_INFO[value].citation})`,
}));

interface Draft {
  type: RequestType;
  regime: Regime;
  email: string;
  name: string;
  details: string;
}

const EMPTY: Draft = { type: 'access', regime: 'gdpr', email: '', name: '', details: '' };

/** A loose check before the server's: something@something.something. */
function looksLikeEmail(value: string): boolean {
  return /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(value.trim());
}

interface CreatedInfo {
  id: string;
  duplicateOf: string;
  message: string;
}

/** After creating: the request is linked to an open one of the same person and type. */
function DuplicateNotice({ created, onClose }: { created: CreatedInfo; onClose: () => void }) {
  return (
    <Stack>
      <Alert color="yellow" variant="light" icon={<IconCopy size={18} />} title="Possible duplicate">
        {created.message} Check the earlier request before working this one, so the person is not answered
        twice.
      </Alert>
      <Group justify="flex-end" gap="sm">
        <Button
          component={Link}
          to={`/privacy/requests/${created.duplicateOf}`}
          variant="default"
          onClick={onClose}
        >
          Open the earlier request {requestReference(created.duplicateOf)}
        </Button>
        <Button component={Link} to={`/privacy/requests/${created.id}`} onClick={onClose}>
          Open the new request
        </Button>
      </Group>
    </Stack>
  );
}

function NewRequestForm({
  onClose,
  onDuplicate,
}: {
  onClose: () => void;
  onDuplicate: (c: CreatedInfo) => void;
}) {
  const [draft, setDraft] = useState<Draft>(EMPTY);
  const [tried, setTried] = useState(false);
  const [create, creation] = useCreatePrivacyRequestMutation();
  const apiError = hookError(creation.error);
  const server = formErrors(apiError, ['email', 'subjectName', 'details', 'type', 'regime', 'subjectRef']);
  const emailProblem = !draft.email.trim()
    ? 'Enter the person’s e-mail address: it is how they are identified and answered'
    : !looksLikeEmail(draft.email)
      ? 'This is not an e-mail address'
      : undefined;

  function set(change: Partial<Draft>) {
    setDraft((current) => ({ ...current, ...change }));
    if (creation.error) creation.reset();
  }

  async function submit(event: FormEvent) {
    event.preventDefault();
    setTried(true);
    if (emailProblem) return;
    const result = await create({
      type: draft.type,
      regime: draft.regime,
      email: draft.email.trim(),
      ...(draft.name.trim() ? { subjectName: draft.name.trim() } : {}),
      ...(draft.details.trim() ? { details: draft.details.trim() } : {}),
    });
    if (!('data' in result) || !result.data) return;
    const created = result.data;
    notifications.show({
      color: 'teal',
      message: `Request ${requestReference(created.id)} opened. It is due on ${formatCalendarDate(created.clock.dueDate)}.`,
    });
    if (created.duplicate) {
      onDuplicate({ id: created.id, duplicateOf: created.duplicate.of, message: created.duplicate.message });
    } else onClose();
  }

  const placed = Object.keys(server.fields).length > 0;
  return (
    <form onSubmit={submit} noValidate>
      <Stack>
        <Text size="sm" c="dimmed">
          For a request that reached you by e-mail, letter or phone. It counts as received today. Confirm the
          person’s identity before approving it.
        </Text>
        <Select
          label="What the person asks for"
          data={TYPE_OPTIONS}
          value={draft.type}
          onChange={(value) => value && set({ type: value as RequestType })}
          allowDeselect={false}
          description={REQUEST_TYPE_INFO[draft.type].description}
          comboboxProps={{ withinPortal: true }}
          error={server.fields.type}
          data-autofocus
        />
        <Select
          label="Law it is made under"
          data={REGIME_OPTIONS}
          value={draft.regime}
          onChange={(value) => value && set({ regime: value as Regime })}
          allowDeselect={false}
          description={
            draft.regime === 'gdpr'
              ? `${regimeName('gdpr')}: answer within one month, extendable by two more.`
              : `${regimeName('ccpa')}: confirm receipt within 10 business days, answer within 45 days, extendable once by 45.`
          }
          comboboxProps={{ withinPortal: true }}
          error={server.fields.regime}
        />
        <TextInput
          label="Person’s e-mail"
          type="email"
          autoComplete="off"
          value={draft.email}
          onChange={(e) => set({ email: e.currentTarget.value })}
          error={(tried ? emailProblem : undefined) ?? server.fields.email}
          required
        />
        <TextInput
          label="Person’s name"
          description="Optional."
          autoComplete="off"
          value={draft.name}
          onChange={(e) => set({ name: e.currentTarget.value })}
          error={server.fields.subjectName}
          maxLength={200}
        />
        <Textarea
          label="What they asked, in their words"
          description="Optional. Kept encrypted with the person’s data, so it is erased with it."
          value={draft.details}
          onChange={(e) => set({ details: e.currentTarget.value })}
          error={server.fields.details}
          autosize
          minRows={3}
          maxLength={5000}
        />
        <ErrorAlert error={placed ? undefined : apiError} extra={server.other} />
        <FormActions
          submitLabel="Open request"
          loading={creation.isLoading}
          disabled={false}
          onCancel={onClose}
        />
      </Stack>
    </form>
  );
}

/** "New request": opens a request on a person's behalf; warns when it duplicates an open one. */
export function NewRequestModal({ opened, onClose }: { opened: boolean; onClose: () => void }) {
  const [duplicate, setDuplicate] = useState<CreatedInfo>();
  function close() {
    setDuplicate(undefined);
    onClose();
  }
  return (
    <Modal
      opened={opened}
      onClose={close}
      title={<Text fw={600}>{duplicate ? 'Request opened' : 'New privacy request'}</Text>}
      size="lg"
    >
      {opened &&
        (duplicate ? (
          <DuplicateNotice created={duplicate} onClose={close} />
        ) : (
          <NewRequestForm onClose={close} onDuplicate={setDuplicate} />
        ))}
      {!duplicate && opened && (
        <Text size="xs" c="dimmed" mt="sm">
          People can also ask through your public request page; see{' '}
          <Anchor component={Link} to="/privacy/data-map" onClick={close} size="xs" underline="always">
            privacy settings
          </Anchor>
          .
        </Text>
      )}
    </Modal>
  );
}
