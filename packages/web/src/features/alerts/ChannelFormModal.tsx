import {
  type AlertChannelCreated,
  type AlertChannelOut,
  type AlertRouting,
  type CreateAlertChannelBody,
  DEFAULT_CHECKPOINT_INTERVAL_MINUTES,
  type DetectorType,
  EMAIL_MIN_CHECKPOINT_INTERVAL_MINUTES,
  type Severity,
  type UpdateAlertChannelBody,
} from '@custos/shared';
import {
  Group,
  Modal,
  MultiSelect,
  SegmentedControl,
  Select,
  Stack,
  Switch,
  TagsInput,
  Text,
  TextInput,
} from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { IconMail, IconWebhook } from '@tabler/icons-react';
import { type FormEvent, useState } from 'react';
import { formErrors, hookError } from '../../app/errors';
import { ErrorAlert } from '../../ui/ErrorAlert';
import { FormActions } from '../../ui/FormActions';
import { DETECTOR_LABELS, DETECTOR_ORDER, SEVERITY_LABELS, SEVERITY_ORDER } from '../threats/labels';
import { AlertEmailOffNotice } from './AlertEmailOffNotice';
import { useCreateAlertChannelMutation, useUpdateAlertChannelMutation } from './api';
import { intervalSummary, isHttpUrl, looksLikeEmail, routingSummary } from './routing';

type Kind = AlertChannelOut['kind'];

interface ChannelDraft {
  kind: Kind;
  name: string;
  url: string;
  recipients: string[];
  minSeverity: Severity;
  allTypes: boolean;
  types: DetectorType[];
  digestLow: boolean;
  checkpoints: boolean;
  checkpointInterval: number;
}

const SEVERITY_OPTIONS = SEVERITY_ORDER.map((value) => ({
  value,
  label: value === 'low' ? 'Low (every event)' : `${SEVERITY_LABELS[value]} and above`,
}));
const TYPE_OPTIONS = DETECTOR_ORDER.map((value) => ({ value, label: DETECTOR_LABELS[value] }));
const MAX_RECIPIENTS = 20;
const INTERVAL_CHOICES = [0, 5, 15, 60, 360, 1440];

/** The intervals offered: an e-mail channel not more often than its minimum; a value set by API too. */
function intervalOptions(kind: Kind, current: number) {
  const floor = kind === 'email' ? EMAIL_MIN_CHECKPOINT_INTERVAL_MINUTES : 0;
  const choices = INTERVAL_CHOICES.filter((m) => m >= floor);
  if (!choices.includes(current)) choices.push(current);
  return choices
    .sort((x, y) => x - y)
    .map((m) => ({
      value: String(m),
      label: m === 0 ? 'Every checkpoint' : `At most one ${intervalSummary(m)}`,
    }));
}

/** Tags as typed or pasted: a pasted list becomes one address a tag, without repeats. */
function splitRecipients(tags: string[]): string[] {
  const addresses = tags.flatMap((tag) => tag.split(/[\s,;]+/)).filter(Boolean);
  return [...new Set(addresses)].slice(0, MAX_RECIPIENTS);
}

function draftOf(channel: AlertChannelOut | undefined): ChannelDraft {
  if (!channel) {
    return {
      kind: 'webhook',
      name: '',
      url: '',
      recipients: [],
      minSeverity: 'high',
      allTypes: true,
      types: [],
      digestLow: false,
      checkpoints: false,
      checkpointInterval: DEFAULT_CHECKPOINT_INTERVAL_MINUTES,
    };
  }
  return {
    kind: channel.kind,
    name: channel.name,
    url: channel.url ?? '',
    recipients: channel.recipients ?? [],
    minSeverity: channel.routing.minSeverity,
    allTypes: channel.routing.types === null,
    types: channel.routing.types ?? [],
    digestLow: channel.routing.digestLow,
    checkpoints: channel.routing.checkpoints.enabled,
    checkpointInterval: channel.routing.checkpoints.minIntervalMinutes,
  };
}

function routingOf(draft: ChannelDraft): AlertRouting {
  return {
    minSeverity: draft.minSeverity,
    types: draft.allTypes || draft.types.length === 0 ? null : draft.types,
    digestLow: draft.digestLow,
    checkpoints: { enabled: draft.checkpoints, minIntervalMinutes: draft.checkpointInterval },
  };
}

type Problem = 'name' | 'url' | 'recipients' | 'types' | 'checkpoints';

function problemsOf(draft: ChannelDraft): Partial<Record<Problem, string>> {
  const problems: Partial<Record<Problem, string>> = {};
  if (!draft.name.trim()) problems.name = 'Give the channel a name';
  if (draft.kind === 'webhook' && !isHttpUrl(draft.url)) problems.url = 'Enter an http:// or https:// URL';
  if (draft.kind === 'email') {
    const bad = draft.recipients.find((r) => !looksLikeEmail(r));
    if (draft.recipients.length === 0) problems.recipients = 'Add at least one address';
    else if (bad) problems.recipients = `“${bad}” is not an e-mail address`;
  }
  if (!draft.allTypes && draft.types.length === 0)
    problems.types = 'Pick at least one type, or send all types';
  if (
    draft.kind === 'email' &&
    draft.checkpoints &&
    draft.checkpointInterval < EMAIL_MIN_CHECKPOINT_INTERVAL_MINUTES
  )
    problems.checkpoints = `E-mail: at most one every ${EMAIL_MIN_CHECKPOINT_INTERVAL_MINUTES} minutes`;
  return problems;
}

function createBody(draft: ChannelDraft): CreateAlertChannelBody {
  const common = { name: draft.name.trim(), routing: routingOf(draft), enabled: true };
  return draft.kind === 'webhook'
    ? { kind: 'webhook', url: draft.url.trim(), ...common }
    : { kind: 'email', recipients: draft.recipients.map((r) => r.trim()), ...common };
}

function updateBody(draft: ChannelDraft, channel: AlertChannelOut): UpdateAlertChannelBody {
  const body: UpdateAlertChannelBody = {};
  if (draft.name.trim() !== channel.name) body.name = draft.name.trim();
  if (channel.kind === 'webhook' && draft.url.trim() !== (channel.url ?? '')) body.url = draft.url.trim();
  if (
    channel.kind === 'email' &&
    JSON.stringify(draft.recipients) !== JSON.stringify(channel.recipients ?? [])
  ) {
    body.recipients = draft.recipients.map((r) => r.trim());
  }
  const routing = routingOf(draft);
  if (JSON.stringify(routing) !== JSON.stringify(channel.routing)) body.routing = routing;
  return body;
}

interface ChannelFormProps {
  channel: AlertChannelOut | undefined;
  onClose: () => void;
  onCreated: (created: AlertChannelCreated) => void;
}

function ChannelForm({ channel, onClose, onCreated }: ChannelFormProps) {
  const [draft, setDraft] = useState<ChannelDraft>(() => draftOf(channel));
  const [tried, setTried] = useState(false);
  const [create, creation] = useCreateAlertChannelMutation();
  const [update, updating] = useUpdateAlertChannelMutation();
  const mutation = channel ? updating : creation;
  const apiError = hookError(mutation.error);
  // The checkpoint interval before 'routing': the first name a path starts with takes the issue.
  const serverFields = formErrors(apiError, [
    'name',
    'url',
    'recipients',
    'routing.checkpoints.minIntervalMinutes',
    'routing',
  ]);
  const problems = problemsOf(draft);
  const shown = tried ? problems : {};

  function set(change: Partial<ChannelDraft>) {
    setDraft((current) => ({ ...current, ...change }));
    if (mutation.error) mutation.reset();
  }

  async function submit(event: FormEvent) {
    event.preventDefault();
    setTried(true);
    if (Object.keys(problems).length > 0) return;
    if (channel) {
      const body = updateBody(draft, channel);
      if (Object.keys(body).length === 0) {
        onClose();
        return;
      }
      const result = await update({ id: channel.id, body });
      if ('data' in result && result.data) {
        notifications.show({ color: 'teal', message: `Channel “${result.data.name}” saved` });
        onClose();
      }
      return;
    }
    const result = await create(createBody(draft));
    if ('data' in result && result.data) {
      notifications.show({ color: 'teal', message: `Channel “${result.data.name}” added` });
      onClose();
      if (result.data.secret) onCreated(result.data);
    }
  }

  const fieldPlaced = Object.keys(serverFields.fields).length > 0;
  return (
    <form onSubmit={submit} noValidate>
      <Stack>
        {!channel && (
          <SegmentedControl
            aria-label="Kind"
            value={draft.kind}
            onChange={(value) => set({ kind: value === 'email' ? 'email' : 'webhook' })}
            data={[
              {
                value: 'webhook',
                label: (
                  <Group gap={6} justify="center" wrap="nowrap">
                    <IconWebhook size={16} /> Webhook
                  </Group>
                ),
              },
              {
                value: 'email',
                label: (
                  <Group gap={6} justify="center" wrap="nowrap">
                    <IconMail size={16} /> E-mail
                  </Group>
                ),
              },
            ]}
            fullWidth
          />
        )}
        <TextInput
          label="Name"
          placeholder={draft.kind === 'webhook' ? 'SIEM, Slack bridge, PagerDuty…' : 'Security team'}
          value={draft.name}
          onChange={(e) => set({ name: e.currentTarget.value })}
          error={shown.name ?? serverFields.fields.name}
          maxLength={80}
          required
          data-autofocus
        />
        {draft.kind === 'email' && <AlertEmailOffNotice compact />}
        {draft.kind === 'webhook' ? (
          <TextInput
            label="URL"
            description="Custos sends a signed JSON message to this address (Standard Webhooks). Private and local addresses are refused."
            placeholder="https://hooks.example.com/custos"
            value={draft.url}
            onChange={(e) => set({ url: e.currentTarget.value })}
            error={shown.url ?? serverFields.fields.url}
            classNames={{ input: 'custos-mono' }}
            required
          />
        ) : (
          <TagsInput
            label="Recipients"
            description="Press Enter or comma after each address; up to 20."
            placeholder={draft.recipients.length === 0 ? 'security@example.com' : undefined}
            value={draft.recipients}
            onChange={(tags) => set({ recipients: splitRecipients(tags) })}
            maxTags={MAX_RECIPIENTS}
            splitChars={[',', ' ', ';']}
            error={shown.recipients ?? serverFields.fields.recipients}
            clearable
            required
          />
        )}
        <Select
          label="Send events of"
          data={SEVERITY_OPTIONS}
          value={draft.minSeverity}
          onChange={(value) => value && set({ minSeverity: value as Severity })}
          allowDeselect={false}
          comboboxProps={{ withinPortal: true }}
        />
        <Stack gap={6}>
          <Switch
            label="All event types"
            checked={draft.allTypes}
            onChange={(e) => set({ allTypes: e.currentTarget.checked })}
          />
          {!draft.allTypes && (
            <MultiSelect
              aria-label="Event types"
              placeholder={draft.types.length === 0 ? 'Pick the types to send' : undefined}
              data={TYPE_OPTIONS}
              value={draft.types}
              onChange={(types) => set({ types: types as DetectorType[] })}
              error={shown.types ?? serverFields.fields.routing}
              searchable
              comboboxProps={{ withinPortal: true }}
            />
          )}
        </Stack>
        <Switch
          label="Send low-severity events in an hourly digest"
          description="One message an hour listing them, instead of nothing (or one message each)."
          checked={draft.digestLow}
          onChange={(e) => set({ digestLow: e.currentTarget.checked })}
        />
        <Stack gap={6}>
          <Switch
            label="Send audit checkpoints"
            description="Send each signed audit checkpoint, so a copy of the log's signed state is kept outside Custos."
            checked={draft.checkpoints}
            onChange={(e) => set({ checkpoints: e.currentTarget.checked })}
          />
          {draft.checkpoints && (
            <Select
              aria-label="How often"
              data={intervalOptions(draft.kind, draft.checkpointInterval)}
              value={String(draft.checkpointInterval)}
              onChange={(value) => value !== null && set({ checkpointInterval: Number(value) })}
              allowDeselect={false}
              error={shown.checkpoints ?? serverFields.fields['routing.checkpoints.minIntervalMinutes']}
              description="Checkpoints are signed every few seconds while the log grows. One that comes sooner waits its turn; the newest goes when the time comes."
              inputWrapperOrder={['input', 'description', 'error']}
              comboboxProps={{ withinPortal: true }}
            />
          )}
        </Stack>
        <Text size="xs" c="dimmed" data-testid="routing-preview">
          Routing: {routingSummary(routingOf(draft))}
        </Text>
        <ErrorAlert error={fieldPlaced ? undefined : apiError} extra={serverFields.other} />
        <FormActions
          submitLabel={channel ? 'Save channel' : 'Add channel'}
          loading={mutation.isLoading}
          disabled={false}
          onCancel={onClose}
        />
      </Stack>
    </form>
  );
}

interface ChannelFormModalProps {
  /** `{ channel: undefined }` adds one; `undefined` keeps the modal closed. */
  editing: { channel: AlertChannelOut | undefined } | undefined;
  onClose: () => void;
  onCreated: (created: AlertChannelCreated) => void;
}

export function ChannelFormModal({ editing, onClose, onCreated }: ChannelFormModalProps) {
  return (
    <Modal
      opened={editing !== undefined}
      onClose={onClose}
      title={
        <Text fw={600}>{editing?.channel ? `Edit “${editing.channel.name}”` : 'Add an alert channel'}</Text>
      }
      size="lg"
    >
      {editing && <ChannelForm channel={editing.channel} onClose={onClose} onCreated={onCreated} />}
    </Modal>
  );
}
