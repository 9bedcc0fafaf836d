import {
  DATA_SUBJECT_TYPE_NAMES,
  DATA_SUBJECT_TYPES,
  type PrivacySystemOut,
  type UpdatePrivacySystemBody,
} from '@custos/shared';
import { Modal, Select, Stack, Switch, TagsInput, Text, Textarea, TextInput } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { type FormEvent, useState } from 'react';
import { formErrors, hookError } from '../../app/errors';
import { ErrorAlert } from '../../ui/ErrorAlert';
import { FormActions } from '../../ui/FormActions';
import { countryOptions } from '../accessRules/values';
import { useCreatePrivacySystemMutation, useUpdatePrivacySystemMutation } from './api';

type Created = { name: string; webhookSecret: string | null };

interface Draft {
  name: string;
  owner: string;
  description: string;
  storageCountry: string | null;
  subjectTypes: string[];
  recipients: string[];
  webhookUrl: string;
  polling: boolean;
  enabled: boolean;
}

const SUBJECT_SUGGESTIONS = DATA_SUBJECT_TYPES.map((t) => DATA_SUBJECT_TYPE_NAMES[t]);
const COUNTRIES = countryOptions();

function draftOf(system: PrivacySystemOut | undefined): Draft {
  return {
    name: system?.name ?? '',
    owner: system?.owner ?? '',
    description: system?.description ?? '',
    storageCountry: system?.storageCountry ?? null,
    subjectTypes: system?.subjectTypes ?? [],
    recipients: system?.recipients ?? [],
    webhookUrl: system?.connector.webhookUrl ?? '',
    polling: system?.connector.polling ?? false,
    enabled: system?.enabled ?? true,
  };
}

const orNull = (s: string) => (s.trim() ? s.trim() : null);
const isHttpUrl = (s: string) => /^https?:\/\/\S+$/i.test(s.trim());

function bodyOf(draft: Draft, builtIn: boolean): UpdatePrivacySystemBody {
  return {
    ...(builtIn ? {} : { name: draft.name.trim() }),
    owner: orNull(draft.owner),
    description: orNull(draft.description),
    storageCountry: draft.storageCountry,
    subjectTypes: draft.subjectTypes,
    recipients: draft.recipients,
    enabled: draft.enabled,
    ...(builtIn ? {} : { connector: { webhookUrl: orNull(draft.webhookUrl), polling: draft.polling } }),
  };
}

function SystemForm({
  system,
  onClose,
  onSecret,
}: {
  system: PrivacySystemOut | undefined;
  onClose: () => void;
  onSecret: (created: Created) => void;
}) {
  const [draft, setDraft] = useState(() => draftOf(system));
  const [tried, setTried] = useState(false);
  const [create, creation] = useCreatePrivacySystemMutation();
  const [update, updating] = useUpdatePrivacySystemMutation();
  const mutation = system ? updating : creation;
  const apiError = hookError(mutation.error);
  const server = formErrors(apiError, [
    'name',
    'owner',
    'description',
    'storageCountry',
    'connector',
    'recipients',
  ]);
  const builtIn = system?.kind === 'custos';
  const problems = {
    name: !draft.name.trim() ? 'Give the system a name' : undefined,
    url:
      draft.webhookUrl.trim() && !isHttpUrl(draft.webhookUrl)
        ? 'Enter an http:// or https:// URL'
        : undefined,
  };
  const set = (change: Partial<Draft>) => {
    setDraft((d) => ({ ...d, ...change }));
    if (mutation.error) mutation.reset();
  };

  async function submit(event: FormEvent) {
    event.preventDefault();
    setTried(true);
    if (problems.name || problems.url) return;
    const body = bodyOf(draft, builtIn);
    const result = system
      ? await update({ id: system.id, body })
      : await create({ ...body, name: draft.name.trim() });
    if (!('data' in result) || !result.data) return;
    notifications.show({
      color: 'teal',
      message: `${result.data.name} ${system ? 'saved' : 'added to the data map'}`,
    });
    onClose();
    if (result.data.webhookSecret) onSecret(result.data);
  }

  const placed = Object.keys(server.fields).length > 0;
  return (
    <form onSubmit={submit} noValidate>
      <Stack>
        <TextInput
          label="Name"
          description={
            builtIn ? 'The built-in system keeps its name.' : 'E.g. Shop database, CRM, Support desk.'
          }
          value={draft.name}
          onChange={(e) => set({ name: e.currentTarget.value })}
          disabled={builtIn}
          error={(tried ? problems.name : undefined) ?? server.fields.name}
          maxLength={200}
          required
          data-autofocus
        />
        <TextInput
          label="Owner"
          description="The team or person answerable for this system."
          value={draft.owner}
          onChange={(e) => set({ owner: e.currentTarget.value })}
          error={server.fields.owner}
          maxLength={200}
        />
        <Textarea
          label="Description"
          value={draft.description}
          onChange={(e) => set({ description: e.currentTarget.value })}
          error={server.fields.description}
          maxLength={2000}
          autosize
          minRows={2}
        />
        <Select
          label="Where the data is stored"
          description="The country of the servers; outside your own, it is a transfer the record of processing must show."
          data={COUNTRIES}
          value={draft.storageCountry}
          onChange={(value) => set({ storageCountry: value })}
          searchable
          clearable
          error={server.fields.storageCountry}
          comboboxProps={{ withinPortal: true }}
        />
        <TagsInput
          label="Whose data"
          description="People the system holds data about. Pick or type, then Enter."
          data={SUBJECT_SUGGESTIONS}
          value={draft.subjectTypes}
          onChange={(subjectTypes) => set({ subjectTypes })}
          maxTags={50}
          comboboxProps={{ withinPortal: true }}
        />
        <TagsInput
          label="Recipients"
          description="Other organizations the data is shared with (processors, partners). Each is told of a correction or erasure (GDPR Art. 19)."
          value={draft.recipients}
          onChange={(recipients) => set({ recipients })}
          maxTags={100}
          error={server.fields.recipients}
        />
        {!builtIn && (
          <>
            <TextInput
              label="Webhook URL"
              description="Optional. Custos sends each task here as a signed message (Standard Webhooks); a signing secret is shown once after saving."
              placeholder="https://shop.example.com/custos/privacy"
              value={draft.webhookUrl}
              onChange={(e) => set({ webhookUrl: e.currentTarget.value })}
              error={(tried ? problems.url : undefined) ?? server.fields.connector}
              classNames={{ input: 'custos-mono' }}
            />
            <Switch
              label="The system fetches its tasks (polling)"
              description="Your app asks Custos for tasks with an API key that has “privacy:process”. Use it when Custos cannot reach the system."
              checked={draft.polling}
              onChange={(e) => set({ polling: e.currentTarget.checked })}
            />
          </>
        )}
        <Switch
          label="Enabled"
          description="A disabled system gets no tasks; its part of a request shows as skipped."
          checked={draft.enabled}
          onChange={(e) => set({ enabled: e.currentTarget.checked })}
        />
        <ErrorAlert error={placed ? undefined : apiError} extra={server.other} />
        <FormActions
          submitLabel={system ? 'Save system' : 'Add system'}
          loading={mutation.isLoading}
          disabled={false}
          onCancel={onClose}
        />
      </Stack>
    </form>
  );
}

interface SystemFormModalProps {
  /** `{ system: undefined }` adds one; `undefined` keeps the modal closed. */
  editing: { system: PrivacySystemOut | undefined } | undefined;
  onClose: () => void;
  onSecret: (created: Created) => void;
}

export function SystemFormModal({ editing, onClose, onSecret }: SystemFormModalProps) {
  return (
    <Modal
      opened={editing !== undefined}
      onClose={onClose}
      title={<Text fw={600}>{editing?.system ? `Edit ${editing.system.name}` : 'Add a system'}</Text>}
      size="lg"
    >
      {editing && <SystemForm system={editing.system} onClose={onClose} onSecret={onSecret} />}
    </Modal>
  );
}
