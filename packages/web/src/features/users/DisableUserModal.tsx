import type { AdminUserOut } from '@custos/shared';
import { Modal, Stack, Text, Textarea } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { type FormEvent, useState } from 'react';
import { formErrors, hookError } from '../../app/errors';
import { ErrorAlert } from '../../ui/ErrorAlert';
import { FormActions } from '../../ui/FormActions';
import { useDisableUserMutation } from './api';

function DisableForm({ user, onClose }: { user: AdminUserOut; onClose: () => void }) {
  const [reason, setReason] = useState('');
  const [disable, { isLoading, error }] = useDisableUserMutation();
  const apiError = hookError(error);
  const errors = formErrors(apiError, ['reason']);

  async function submit(event: FormEvent) {
    event.preventDefault();
    const result = await disable({ userId: user.id, reason: reason.trim() });
    if ('data' in result) {
      notifications.show({ color: 'teal', message: `${user.name} was disabled and signed out everywhere` });
      onClose();
    }
  }

  return (
    <form onSubmit={submit} noValidate>
      <Stack gap="md">
        <Text size="sm">
          {user.name} ({user.email}) is signed out everywhere and cannot sign in until enabled again. Their
          memberships, API keys they created and audit history stay.
        </Text>
        <Textarea
          label="Reason"
          description="Recorded in the audit trail."
          value={reason}
          onChange={(event) => setReason(event.currentTarget.value)}
          error={errors.fields.reason}
          minRows={2}
          autosize
          maxLength={500}
          required
          data-autofocus
        />
        <ErrorAlert error={errors.fields.reason ? undefined : apiError} extra={errors.other} />
        <FormActions
          submitLabel="Disable account"
          loading={isLoading}
          disabled={reason.trim().length < 3}
          onCancel={onClose}
        />
      </Stack>
    </form>
  );
}

export function DisableUserModal({ user, onClose }: { user: AdminUserOut | undefined; onClose: () => void }) {
  return (
    <Modal opened={user !== undefined} onClose={onClose} title={<Text fw={600}>Disable account</Text>}>
      {user && <DisableForm key={user.id} user={user} onClose={onClose} />}
    </Modal>
  );
}
