import { Alert, Button, Stack, Text } from '@mantine/core';
import { IconAlertCircle } from '@tabler/icons-react';
import { type FormEvent, useState } from 'react';
import { Link, useLocation, useNavigate } from 'react-router';
import { formErrors, hookError } from '../../app/errors';
import { AuthLayout } from '../../ui/AuthLayout';
import { ErrorAlert } from '../../ui/ErrorAlert';
import { ConfirmPasswordField, NewPasswordField, passwordTooShort } from '../../ui/fields';
import { passwordCodeFields } from '../../ui/password';
import { useCompletePasswordResetMutation } from './api';
import { tokenFromHash } from './hashToken';

export const RESET_DONE_NOTICE =
  'Your password was changed and every session was signed out. Sign in with the new password; if you use two-step verification, you will still be asked for it.';

/** Chooses a new password with the token from the mailed link (`/reset-password#token=…`). */
export function ResetPasswordPage() {
  const location = useLocation();
  const navigate = useNavigate();
  const token = tokenFromHash(location.hash);
  const [password, setPassword] = useState('');
  const [confirmation, setConfirmation] = useState('');
  const [complete, { isLoading, error }] = useCompletePasswordResetMutation();
  const apiError = hookError(error);
  const errors = formErrors(apiError, ['newPassword'], passwordCodeFields('newPassword'));
  const mismatch = confirmation.length > 0 && confirmation !== password;
  const invalidLink = apiError?.code === 'PASSWORD_RESET_INVALID';

  async function submit(event: FormEvent) {
    event.preventDefault();
    if (!token || mismatch) return;
    const result = await complete({ token, newPassword: password });
    if ('data' in result) navigate('/sign-in', { replace: true, state: { notice: RESET_DONE_NOTICE } });
  }

  if (!token || invalidLink) {
    return (
      <AuthLayout title="Choose a new password">
        <Stack gap="md">
          <Alert
            color="yellow"
            variant="light"
            icon={<IconAlertCircle size={18} />}
            title={token ? 'This link no longer works' : 'This link is incomplete'}
          >
            {token
              ? 'Reset links work once and expire after a short while. Ask for a new one.'
              : 'Open the whole link from the e-mail, or ask for a new one.'}
          </Alert>
          <Button component={Link} to="/forgot-password" fullWidth>
            Send a new link
          </Button>
        </Stack>
      </AuthLayout>
    );
  }

  return (
    <AuthLayout title="Choose a new password" subtitle="Every session of your account ends when you save it.">
      <form onSubmit={submit} noValidate>
        <Stack gap="md">
          <NewPasswordField
            label="New password"
            value={password}
            onChange={setPassword}
            error={errors.fields.newPassword}
          />
          <ConfirmPasswordField value={confirmation} onChange={setConfirmation} mismatch={mismatch} />
          <ErrorAlert error={errors.fields.newPassword ? undefined : apiError} extra={errors.other} />
          <Button
            type="submit"
            loading={isLoading}
            disabled={!password || passwordTooShort(password) || confirmation !== password}
            fullWidth
          >
            Save new password
          </Button>
          <Text size="xs" c="dimmed" ta="center">
            Two-step verification stays on: you will still be asked for it when you sign in.
          </Text>
        </Stack>
      </form>
    </AuthLayout>
  );
}
