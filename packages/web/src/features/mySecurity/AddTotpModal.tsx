import type { FactorAdded, TotpEnrollment } from '@custos/shared';
import { Button, Center, Group, Image, Modal, Stack, Text, TextInput } from '@mantine/core';
import { type FormEvent, useState } from 'react';
import { formErrors, hookError } from '../../app/errors';
import { CopyField } from '../../ui/CopyField';
import { ErrorAlert } from '../../ui/ErrorAlert';
import { useConfirmTotpMutation } from './api';

interface AddTotpModalProps {
  /** Open while set: the factor just started, waiting for its first code. */
  enrollment: TotpEnrollment | undefined;
  onClose: () => void;
  onAdded: (added: FactorAdded) => void;
}

/** The server's SVG as an image URL: shown as a picture, never parsed into the page. */
function svgDataUrl(svg: string): string {
  let binary = '';
  for (const byte of new TextEncoder().encode(svg)) binary += String.fromCharCode(byte);
  return `data:image/svg+xml;base64,${btoa(binary)}`;
}

function ConfirmForm({
  enrollment,
  onAdded,
}: {
  enrollment: TotpEnrollment;
  onAdded: AddTotpModalProps['onAdded'];
}) {
  const [code, setCode] = useState('');
  const [confirm, { isLoading, error, reset }] = useConfirmTotpMutation();
  const apiError = hookError(error);
  const errors = formErrors(apiError, ['code'], { MFA_CODE_INVALID: 'code' });
  const digits = code.replace(/\s+/g, '');

  async function submit(event: FormEvent) {
    event.preventDefault();
    const result = await confirm({ factorId: enrollment.factorId, code: digits });
    if ('data' in result && result.data) onAdded(result.data);
  }

  return (
    <form onSubmit={submit} noValidate>
      <Stack gap="md">
        <Text size="sm">
          <Text span fw={600}>
            1.
          </Text>{' '}
          Scan this code with an authenticator app (1Password, Google Authenticator, Authy, …).
        </Text>
        <Center>
          <Image
            src={svgDataUrl(enrollment.qrSvg)}
            alt="QR code to add Custos to an authenticator app"
            w={200}
            h={200}
            fit="contain"
            bg="white"
            p={6}
            radius="md"
            style={{ border: '1px solid var(--mantine-color-default-border)' }}
          />
        </Center>
        <CopyField
          label="Setup key"
          value={enrollment.secret}
          description="Cannot scan? Enter this key in the app instead (time-based, 6 digits)."
        />
        <Text size="sm">
          <Text span fw={600}>
            2.
          </Text>{' '}
          Enter the 6-digit code the app now shows.
        </Text>
        <TextInput
          label="Code from the app"
          placeholder="123 456"
          inputMode="numeric"
          autoComplete="one-time-code"
          value={code}
          onChange={(event) => {
            setCode(event.currentTarget.value);
            if (apiError) reset();
          }}
          error={errors.fields.code}
          maxLength={9}
          styles={{ input: { letterSpacing: 4, fontFamily: 'var(--mantine-font-family-monospace)' } }}
        />
        <ErrorAlert error={errors.fields.code ? undefined : apiError} extra={errors.other} />
        <Group justify="flex-end">
          <Button type="submit" loading={isLoading} disabled={!/^\d{6}$/.test(digits)}>
            Turn on
          </Button>
        </Group>
      </Stack>
    </form>
  );
}

/** Adds an authenticator app: QR code and setup key, then one code to prove the app has the secret. */
export function AddTotpModal({ enrollment, onClose, onAdded }: AddTotpModalProps) {
  return (
    <Modal
      opened={enrollment !== undefined}
      onClose={onClose}
      title={<Text fw={600}>Add an authenticator app</Text>}
      closeOnClickOutside={false}
    >
      {enrollment && <ConfirmForm key={enrollment.factorId} enrollment={enrollment} onAdded={onAdded} />}
    </Modal>
  );
}
