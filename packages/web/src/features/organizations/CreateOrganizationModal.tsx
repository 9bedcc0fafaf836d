import type { CreateOrganizationResult } from '@custos/shared';
import { Button, Group, Modal, Stack, Text, TextInput } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { type FormEvent, useState } from 'react';
import { formErrors, hookError } from '../../app/errors';
import { ErrorAlert } from '../../ui/ErrorAlert';
import { useCreateOrganizationMutation } from './api';

interface CreateOrganizationModalProps {
  opened: boolean;
  onClose: () => void;
  onInviteLink: (invite: { url: string; email: string }) => void;
}

export function CreateOrganizationModal({ opened, onClose, onInviteLink }: CreateOrganizationModalProps) {
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
    if (created.inviteUrl && owner) onInviteLink({ url: created.inviteUrl, email: owner });
    else
      notifications.show({
        color: 'teal',
        title: `${created.organization.name} created`,
        message: owner
          ? `An invitation was e-mailed to ${owner}.`
          : 'Invite its first owner from the organization.',
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
            description="Optional. This person is invited as the organization's owner."
            type="email"
            placeholder="owner@acme.example"
            value={ownerEmail}
            onChange={(event) => setOwnerEmail(event.currentTarget.value)}
            error={errors.fields.ownerEmail}
          />
          <ErrorAlert
            error={errors.fields.name || errors.fields.ownerEmail ? undefined : apiError}
            extra={errors.other}
          />
          <Group justify="flex-end">
            <Button variant="default" onClick={close}>
              Cancel
            </Button>
            <Button type="submit" loading={isLoading} disabled={name.trim().length < 2}>
              Create organization
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
