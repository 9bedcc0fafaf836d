import type { InvitationPreview } from '@custos/shared';
import { Alert, Button, Skeleton, Stack, Text, TextInput } from '@mantine/core';
import { skipToken } from '@reduxjs/toolkit/query';
import { IconAlertCircle, IconMailOpened } from '@tabler/icons-react';
import { type FormEvent, useState } from 'react';
import { Link, useLocation } from 'react-router';
import { formErrors, hookError } from '../../app/errors';
import { formatDate } from '../../app/format';
import { AuthLayout } from '../../ui/AuthLayout';
import { ErrorAlert } from '../../ui/ErrorAlert';
import { CurrentPasswordField, NewPasswordField, passwordTooShort, YourNameField } from '../../ui/fields';
import { passwordCodeFields } from '../../ui/password';
import { useDisplayTimeZone } from '../../ui/timeZone';
import { useAcceptInvitationMutation, usePreviewInvitationQuery } from './api';
import { tokenFromHash } from './hashToken';
import { useSessionChange } from './useSessionChange';

function AcceptForm({ token, preview }: { token: string; preview: InvitationPreview }) {
  useDisplayTimeZone();
  const [name, setName] = useState('');
  const [password, setPassword] = useState('');
  const [accept, { isLoading, error }] = useAcceptInvitationMutation();
  const sessionChanged = useSessionChange();
  const apiError = hookError(error);
  // A new account, or an unconfirmed one this e-mailed link lets its owner take over.
  const newUser = preview.choosePassword;
  const errors = formErrors(apiError, ['name', 'password'], {
    ...passwordCodeFields('password'),
    PASSWORD_INCORRECT: 'password',
    INVALID_CREDENTIALS: 'password',
  });
  const tooShort = newUser && passwordTooShort(password);

  async function submit(event: FormEvent) {
    event.preventDefault();
    const result = await accept({ token, password, ...(newUser ? { name: name.trim() } : {}) });
    if ('data' in result) sessionChanged('/');
  }

  return (
    <form onSubmit={submit} noValidate>
      <Stack gap="md">
        <TextInput label="E-mail" value={preview.email} readOnly variant="filled" />
        {newUser && <YourNameField value={name} onChange={setName} error={errors.fields.name} />}
        {newUser ? (
          <NewPasswordField
            label="Choose a password"
            value={password}
            onChange={setPassword}
            error={errors.fields.password}
          />
        ) : (
          <CurrentPasswordField
            label="Your password"
            description="You already have a Custos account: confirm it with its password."
            value={password}
            onChange={setPassword}
            error={errors.fields.password}
            autoFocus
          />
        )}
        <ErrorAlert
          error={errors.fields.password || errors.fields.name ? undefined : apiError}
          extra={errors.other}
        />
        <Button
          type="submit"
          loading={isLoading}
          disabled={(newUser && !name.trim()) || password.length === 0 || tooShort}
          fullWidth
        >
          Join {preview.organizationName}
        </Button>
        <Text size="xs" c="dimmed" ta="center">
          This invitation expires on {formatDate(preview.expiresAt)}.
        </Text>
      </Stack>
    </form>
  );
}

export function AcceptInvitationPage() {
  const location = useLocation();
  const token = tokenFromHash(location.hash);
  const { data: preview, error, isLoading } = usePreviewInvitationQuery(token ?? skipToken);
  const apiError = hookError(error);

  if (!token) {
    return (
      <AuthLayout title="Accept an invitation">
        <Alert
          color="yellow"
          variant="light"
          icon={<IconAlertCircle size={18} />}
          title="This link is incomplete"
        >
          Invitation links look like{' '}
          <Text span className="custos-mono">
            …/invite#token=…
          </Text>
          . Open the whole link from the invitation e-mail, or ask the person who invited you to send it
          again.
        </Alert>
      </AuthLayout>
    );
  }

  if (isLoading) {
    return (
      <AuthLayout title="Accept an invitation">
        <Stack aria-busy="true">
          <Skeleton h={16} w="70%" />
          <Skeleton h={36} />
          <Skeleton h={36} />
        </Stack>
      </AuthLayout>
    );
  }

  if (!preview) {
    return (
      <AuthLayout title="Accept an invitation">
        <Stack>
          <ErrorAlert error={apiError} title="This invitation cannot be used" />
          <Text size="sm" c="dimmed">
            Invitations work once and expire after 7 days. Ask an admin of the organization for a new one.
          </Text>
          <Button component={Link} to="/sign-in" variant="light" fullWidth>
            Go to sign-in
          </Button>
        </Stack>
      </AuthLayout>
    );
  }

  return (
    <AuthLayout
      title={`Join ${preview.organizationName}`}
      subtitle={
        <>
          <IconMailOpened size={14} style={{ verticalAlign: -2 }} /> You were invited to{' '}
          {preview.organizationName} on Custos.{' '}
          {!preview.choosePassword
            ? 'Sign in with your password to accept.'
            : preview.existingUser
              ? 'This address has an unconfirmed account: choose your name and a new password to take it over.'
              : 'Create your account to accept.'}
        </>
      }
    >
      <AcceptForm token={token} preview={preview} />
    </AuthLayout>
  );
}
