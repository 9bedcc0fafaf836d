import { Alert, Anchor, Button, Stack, Text } from '@mantine/core';
import { IconMailCheck, IconMailOff } from '@tabler/icons-react';
import { type FormEvent, useState } from 'react';
import { Link } from 'react-router';
import { formErrors, hookError } from '../../app/errors';
import { AuthLayout } from '../../ui/AuthLayout';
import { ErrorAlert } from '../../ui/ErrorAlert';
import { EmailField } from '../../ui/fields';
import { useRequestPasswordResetMutation } from './api';

/** Asks for a reset link. The answer never says whether the address has an account. */
export function ForgotPasswordPage() {
  const [email, setEmail] = useState('');
  const [requestReset, { isLoading, error, isSuccess, data }] = useRequestPasswordResetMutation();
  const apiError = hookError(error);
  const errors = formErrors(apiError, ['email']);

  async function submit(event: FormEvent) {
    event.preventDefault();
    await requestReset(email.trim());
  }

  return (
    <AuthLayout
      title="Reset your password"
      subtitle="Enter the e-mail you sign in with and we will send you a link to choose a new password."
    >
      {isSuccess ? (
        <Stack gap="md">
          {data?.emailConfigured === false ? (
            <Alert
              color="yellow"
              variant="light"
              icon={<IconMailOff size={18} />}
              title="No e-mail is sent here"
              // The title in the text colour: the palette's yellow on its own tint is below 4.5:1.
              styles={{ title: { color: 'var(--mantine-color-text)' } }}
            >
              This Custos server has no mail server configured, so no link was e-mailed. If an account exists
              for {email.trim()}, its link is waiting for an administrator: ask them to pass it on. The link
              works once and expires after 30 minutes.
            </Alert>
          ) : (
            <Alert color="teal" variant="light" icon={<IconMailCheck size={18} />} title="Check your inbox">
              If an account exists for {email.trim()}, we sent a link to it. The link works once and expires
              soon. Nothing arrived? Check your spam folder, or ask an administrator.
            </Alert>
          )}
          <Button component={Link} to="/sign-in" variant="light" fullWidth>
            Back to sign-in
          </Button>
        </Stack>
      ) : (
        <form onSubmit={submit} noValidate>
          <Stack gap="md">
            <EmailField value={email} onChange={setEmail} error={errors.fields.email} autoFocus />
            <ErrorAlert error={errors.fields.email ? undefined : apiError} extra={errors.other} />
            <Button type="submit" loading={isLoading} disabled={email.trim().length < 3} fullWidth>
              Send reset link
            </Button>
            <Text size="sm" ta="center">
              <Anchor component={Link} to="/sign-in">
                Back to sign-in
              </Anchor>
            </Text>
          </Stack>
        </form>
      )}
    </AuthLayout>
  );
}
