import { Button, Card, Group, Stack, Switch, Text, Title } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { type FormEvent, useState } from 'react';
import { formErrors, hookError } from '../../app/errors';
import { formatDate } from '../../app/format';
import { ErrorAlert } from '../../ui/ErrorAlert';
import {
  ConfirmPasswordField,
  CurrentPasswordField,
  NewPasswordField,
  passwordTooShort,
} from '../../ui/fields';
import { passwordCodeFields } from '../../ui/password';
import { useDisplayTimeZone } from '../../ui/timeZone';
import { useSessionChange } from '../auth/useSessionChange';
import { useChangeMyPasswordMutation } from './api';

/** Changes the password; other sessions end, and this one too unless "keep me signed in" stays on. */
export function ChangePasswordCard({ passwordChangedAt }: { passwordChangedAt: string }) {
  useDisplayTimeZone();
  const [currentPassword, setCurrentPassword] = useState('');
  const [newPassword, setNewPassword] = useState('');
  const [confirmation, setConfirmation] = useState('');
  const [keepCurrentSession, setKeepCurrentSession] = useState(true);
  const [changePassword, { isLoading, error, reset }] = useChangeMyPasswordMutation();
  const sessionChanged = useSessionChange();
  const apiError = hookError(error);
  const errors = formErrors(apiError, ['currentPassword', 'newPassword'], {
    ...passwordCodeFields('newPassword'),
    PASSWORD_INCORRECT: 'currentPassword',
  });
  const mismatch = confirmation.length > 0 && confirmation !== newPassword;

  async function submit(event: FormEvent) {
    event.preventDefault();
    const result = await changePassword({ currentPassword, newPassword, keepCurrentSession });
    if (!('data' in result)) return;
    if (!keepCurrentSession) {
      sessionChanged('/sign-in');
      return;
    }
    setCurrentPassword('');
    setNewPassword('');
    setConfirmation('');
    reset();
    notifications.show({
      color: 'teal',
      title: 'Password changed',
      message: 'Your other sessions were signed out. Use the new password next time.',
    });
  }

  return (
    <Card withBorder padding="lg" radius="md" component="section" aria-labelledby="password-title">
      <form onSubmit={submit} noValidate>
        <Stack gap="sm">
          <Stack gap={2}>
            <Title order={4} id="password-title">
              Change password
            </Title>
            <Text size="sm" c="dimmed">
              Last changed {formatDate(passwordChangedAt)}.
            </Text>
          </Stack>
          <CurrentPasswordField
            label="Current password"
            value={currentPassword}
            onChange={setCurrentPassword}
            error={errors.fields.currentPassword}
          />
          <NewPasswordField
            label="New password"
            value={newPassword}
            onChange={setNewPassword}
            error={errors.fields.newPassword}
          />
          <ConfirmPasswordField value={confirmation} onChange={setConfirmation} mismatch={mismatch} />
          <Switch
            label="Keep me signed in here"
            description="Every other session ends either way."
            checked={keepCurrentSession}
            onChange={(event) => setKeepCurrentSession(event.currentTarget.checked)}
          />
          <ErrorAlert
            error={errors.fields.currentPassword || errors.fields.newPassword ? undefined : apiError}
            extra={errors.other}
          />
          <Group>
            <Button
              type="submit"
              loading={isLoading}
              disabled={
                !currentPassword ||
                !newPassword ||
                passwordTooShort(newPassword) ||
                confirmation !== newPassword
              }
            >
              Change password
            </Button>
          </Group>
        </Stack>
      </form>
    </Card>
  );
}
