import type { FactorAdded } from '@custos/shared';
import { Modal, Stack, Text, TextInput } from '@mantine/core';
import { type FormEvent, useState } from 'react';
import { formErrors, hookError } from '../../app/errors';
import { ErrorAlert } from '../../ui/ErrorAlert';
import { FormActions } from '../../ui/FormActions';
import { useAddPasskeyMutation } from './api';

interface AddPasskeyModalProps {
  opened: boolean;
  onClose: () => void;
  onAdded: (added: FactorAdded) => void;
}

/** A name that tells this passkey apart later, e.g. "Chrome on Linux". */
function suggestedName(): string {
  const ua = navigator.userAgent;
  const browser = /Edg\//.test(ua)
    ? 'Edge'
    : /Firefox\//.test(ua)
      ? 'Firefox'
      : /Chrome\//.test(ua)
        ? 'Chrome'
        : /Safari\//.test(ua)
          ? 'Safari'
          : 'Browser';
  const system = /Android/.test(ua)
    ? 'Android'
    : /iPhone|iPad/.test(ua)
      ? 'iOS'
      : /Mac OS X/.test(ua)
        ? 'macOS'
        : /Windows/.test(ua)
          ? 'Windows'
          : /Linux/.test(ua)
            ? 'Linux'
            : '';
  return system ? `${browser} on ${system}` : browser;
}

function PasskeyForm({ onClose, onAdded }: Omit<AddPasskeyModalProps, 'opened'>) {
  const [name, setName] = useState(suggestedName);
  const [add, { isLoading, error }] = useAddPasskeyMutation();
  const apiError = hookError(error);
  const errors = formErrors(apiError, ['name']);

  async function submit(event: FormEvent) {
    event.preventDefault();
    const result = await add({ name: name.trim() });
    if ('data' in result && result.data) onAdded(result.data);
  }

  return (
    <form onSubmit={submit} noValidate>
      <Stack gap="md">
        <Text size="sm" c="dimmed">
          A passkey signs you in with your fingerprint, face, screen lock or a security key, and cannot be
          phished. Your browser will ask where to keep it.
        </Text>
        <TextInput
          label="Name"
          description="To tell your passkeys apart, e.g. the device or password manager holding it."
          value={name}
          onChange={(event) => setName(event.currentTarget.value)}
          error={errors.fields.name}
          maxLength={64}
          required
          data-autofocus
        />
        <ErrorAlert error={errors.fields.name ? undefined : apiError} extra={errors.other} />
        <FormActions
          submitLabel="Create passkey"
          loading={isLoading}
          disabled={!name.trim()}
          onCancel={onClose}
        />
      </Stack>
    </form>
  );
}

export function AddPasskeyModal({ opened, onClose, onAdded }: AddPasskeyModalProps) {
  return (
    <Modal opened={opened} onClose={onClose} title={<Text fw={600}>Add a passkey</Text>}>
      {opened && <PasskeyForm onClose={onClose} onAdded={onAdded} />}
    </Modal>
  );
}
