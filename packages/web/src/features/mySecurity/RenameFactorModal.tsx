import type { FactorOut } from '@custos/shared';
import { Modal, Stack, Text, TextInput } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { type FormEvent, useState } from 'react';
import { formErrors, hookError } from '../../app/errors';
import { ErrorAlert } from '../../ui/ErrorAlert';
import { FormActions } from '../../ui/FormActions';
import { useRenameFactorMutation } from './api';

function RenameForm({ factor, onClose }: { factor: FactorOut; onClose: () => void }) {
  const [name, setName] = useState(factor.name);
  const [rename, { isLoading, error }] = useRenameFactorMutation();
  const apiError = hookError(error);
  const errors = formErrors(apiError, ['name']);

  async function submit(event: FormEvent) {
    event.preventDefault();
    const result = await rename({ factorId: factor.id, name: name.trim() });
    if ('data' in result) {
      notifications.show({ color: 'teal', message: `Renamed to “${name.trim()}”` });
      onClose();
    }
  }

  return (
    <form onSubmit={submit} noValidate>
      <Stack gap="md">
        <TextInput
          label="Name"
          value={name}
          onChange={(event) => setName(event.currentTarget.value)}
          error={errors.fields.name}
          maxLength={64}
          required
          data-autofocus
        />
        <ErrorAlert error={errors.fields.name ? undefined : apiError} extra={errors.other} />
        <FormActions
          submitLabel="Rename"
          loading={isLoading}
          disabled={!name.trim() || name.trim() === factor.name}
          onCancel={onClose}
        />
      </Stack>
    </form>
  );
}

export function RenameFactorModal({
  factor,
  onClose,
}: {
  factor: FactorOut | undefined;
  onClose: () => void;
}) {
  return (
    <Modal opened={factor !== undefined} onClose={onClose} title={<Text fw={600}>Rename</Text>}>
      {factor && <RenameForm key={factor.id} factor={factor} onClose={onClose} />}
    </Modal>
  );
}
