import { Button, Collapse, Stack, Switch, Text, TextInput } from '@mantine/core';
import { IconLogin } from '@tabler/icons-react';
import { type FormEvent, useState } from 'react';
import { useLocation } from 'react-router';
import { formErrors, hookError } from '../../app/errors';
import { AuthLayout } from '../../ui/AuthLayout';
import { ErrorAlert } from '../../ui/ErrorAlert';
import { CurrentPasswordField, EmailField } from '../../ui/fields';
import { useSignInMutation } from './api';
import { useSessionChange } from './useSessionChange';

const FIELDS = ['email', 'password', 'organization'] as const;

/** Where to go after signing in: back to the page that sent the visitor here, if any. */
function returnPath(state: unknown): string {
  const from = typeof state === 'object' && state !== null ? (state as { from?: unknown }).from : undefined;
  return typeof from === 'string' && from.startsWith('/') && !from.startsWith('/sign-in') ? from : '/';
}

export function SignInPage() {
  const location = useLocation();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [specificOrganization, setSpecificOrganization] = useState(false);
  const [organization, setOrganization] = useState('');
  const [signIn, { isLoading, error }] = useSignInMutation();
  const sessionChanged = useSessionChange();
  const apiError = hookError(error);
  const errors = formErrors(apiError, FIELDS);

  async function submit(event: FormEvent) {
    event.preventDefault();
    const slug = organization.trim();
    const result = await signIn({
      email: email.trim(),
      password,
      ...(specificOrganization && slug ? { organization: slug } : {}),
    });
    if ('data' in result) sessionChanged(returnPath(location.state));
  }

  return (
    <AuthLayout title="Sign in" subtitle="Sign in to the Custos console.">
      <form onSubmit={submit} noValidate>
        <Stack gap="md">
          <ErrorAlert
            error={apiError}
            title={apiError?.code === 'RATE_LIMITED' ? 'Too many attempts' : undefined}
            extra={errors.other}
          />
          <EmailField value={email} onChange={setEmail} error={errors.fields.email} autoFocus />
          <CurrentPasswordField
            label="Password"
            value={password}
            onChange={setPassword}
            error={errors.fields.password}
          />
          <Switch
            label="Sign in to a specific organization"
            checked={specificOrganization}
            onChange={(event) => setSpecificOrganization(event.currentTarget.checked)}
          />
          <Collapse in={specificOrganization}>
            <TextInput
              label="Organization"
              description="The organization's short name (slug), e.g. acme-bands."
              value={organization}
              onChange={(event) => setOrganization(event.currentTarget.value)}
              error={errors.fields.organization}
              autoComplete="organization"
              disabled={!specificOrganization}
            />
          </Collapse>
          <Button type="submit" loading={isLoading} leftSection={<IconLogin size={18} />} fullWidth mt="xs">
            Sign in
          </Button>
          <Text size="xs" c="dimmed" ta="center">
            New to this Custos? Ask an administrator for an invitation.
          </Text>
        </Stack>
      </form>
    </AuthLayout>
  );
}
