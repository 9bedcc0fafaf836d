import type { CreateOrganizationResult } from '@custos/shared';
import { Modal, Stack, Text, TextInput } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { type FormEvent, useState } from 'react';
import { formErrors, hookError } from '../../app/errors';
import { ErrorAlert } from '../../ui/ErrorAlert';
import { FormActions } from '../../ui/FormActions';
import { useMe } from '../shell/session';
import { useCreateOrganizationMutation } from './api';

interface CreateOrganizationModalProps {
  opened: boolean;
  onClose: () => void;
  onInviteLink: (invite: { url: string; email: string }) => void;
}

export function CreateOrganizationModal({ opened, onClose, onInviteLink }: CreateOrganizationModalProps) {
  const me = useMe();
  const [name, setName] = useState('');
  const [ownerEmail, setOwnerEmail] = useState('');
  const [create, { isLoading, error, reset }] = useCreateOrganizationMutation();
  const apiError = hookError(error);
  const errors = formErrors(apiError, ['name', 'ownerEmail']);

  function close() {
    setName('');
    setOwnerEmail('');
    reset();
    onClose();
  }

  async function submit(event: FormEvent) {
    event.preventDefault();
    const owner = ownerEmail.trim();
    const result = await create({ name: name.trim(), ...(owner ? { ownerEmail: owner } : {}) });
    if (!('data' in result) || !result.data) return;
    const created: CreateOrganizationResult = result.data;
    close();
    if (created.inviteUrl && owner) {
      onInviteLink({ url: created.inviteUrl, email: owner });
      return;
    }
    const ownOrganization = !owner || owner.toLowerCase() === me.user.email.toLowerCase();
    notifications.show({
      color: 'teal',
      title: `${created.organization.name} created`,
      message: ownOrganization
        ? 'You are its owner. Switch to it with the organization switcher.'
        : `An invitation to become its owner was e-mailed to ${owner}.`,
    });
  }

  return (
    <Modal opened={opened} onClose={close} title={<Text fw={600}>Create organization</Text>}>
      <form onSubmit={submit} noValidate>
        <Stack>
          <TextInput
            label="Name"
            placeholder="Acme Inc."
            value={name}
            onChange={(event) => setName(event.currentTarget.value)}
            error={errors.fields.name}
            minLength={2}
            maxLength={100}
            required
            data-autofocus
          />
          <TextInput
            label="Owner e-mail"
            description="Leave empty to become its owner yourself. Anyone else is invited as its owner."
            type="email"
            placeholder="owner@acme.example"
            value={ownerEmail}
            onChange={(event) => {
              setOwnerEmail(event.currentTarget.value);
              if (error) reset();
            }}
            error={errors.fields.ownerEmail}
          />
          <ErrorAlert
            error={errors.fields.name || errors.fields.ownerEmail ? undefined : apiError}
            extra={errors.other}
          />
          <FormActions
            submitLabel="Create organization"
            loading={isLoading}
            disabled={name.trim().length < 2}
            onCancel={close}
          />
        </Stack>
      </form>
    </Modal>
  );
}
