import { isMfaChallenge } from '@custos/sdk';
import type { MfaChallenge } from '@custos/shared';
import {
  Alert,
  Anchor,
  Button,
  Collapse,
  Divider,
  Group,
  Stack,
  Switch,
  Text,
  TextInput,
} from '@mantine/core';
import { IconCircleCheck, IconFingerprint, IconLogin } from '@tabler/icons-react';
import { type FormEvent, useState } from 'react';
import { Link, useLocation } from 'react-router';
import { formErrors, hookError } from '../../app/errors';
import { AuthLayout } from '../../ui/AuthLayout';
import { ErrorAlert } from '../../ui/ErrorAlert';
import { CurrentPasswordField, EmailField } from '../../ui/fields';
import { usePasskeySignInMutation, useSignInMutation } from './api';
import { MfaStep } from './MfaStep';
import { useSessionChange } from './useSessionChange';

const FIELDS = ['email', 'password', 'organization'] as const;

/** Where to go after signing in: back to the page that sent the visitor here, if any. */
function returnPath(state: unknown): string {
  const from = typeof state === 'object' && state !== null ? (state as { from?: unknown }).from : undefined;
  return typeof from === 'string' && from.startsWith('/') && !from.startsWith('/sign-in') ? from : '/';
}

/** A message another page left for the sign-in page, e.g. after a password reset. */
function noticeOf(state: unknown): string | undefined {
  const notice =
    typeof state === 'object' && state !== null ? (state as { notice?: unknown }).notice : undefined;
  return typeof notice === 'string' ? notice : undefined;
}

export function SignInPage() {
  const location = useLocation();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [specificOrganization, setSpecificOrganization] = useState(false);
  const [organization, setOrganization] = useState('');
  const [challenge, setChallenge] = useState<MfaChallenge>();
  const [signIn, { isLoading, error, reset }] = useSignInMutation();
  const [passkeySignIn, passkey] = usePasskeySignInMutation();
  const sessionChanged = useSessionChange();
  const apiError = hookError(error) ?? hookError(passkey.error);
  const errors = formErrors(hookError(error), FIELDS);
  const notice = noticeOf(location.state);
  const slug = specificOrganization ? organization.trim() : '';
  const done = () => sessionChanged(returnPath(location.state));

  async function submit(event: FormEvent) {
    event.preventDefault();
    passkey.reset();
    const result = await signIn({ email: email.trim(), password, ...(slug ? { organization: slug } : {}) });
    if (!('data' in result) || !result.data) return;
    if (isMfaChallenge(result.data)) setChallenge(result.data);
    else done();
  }

  async function signInWithPasskey() {
    reset();
    const result = await passkeySignIn(slug ? { organization: slug } : {});
    if ('data' in result) done();
  }

  if (challenge) {
    return (
      <AuthLayout title="Two-step verification" subtitle={`Signing in as ${email.trim()}.`}>
        <MfaStep
          challenge={challenge}
          onSignedIn={done}
          onRestart={() => {
            setChallenge(undefined);
            setPassword('');
            reset();
          }}
        />
      </AuthLayout>
    );
  }

  return (
    <AuthLayout title="Sign in" subtitle="Sign in to the Custos console.">
      <form onSubmit={submit} noValidate>
        <Stack gap="md">
          {notice && (
            <Alert color="teal" variant="light" icon={<IconCircleCheck size={18} />}>
              {notice}
            </Alert>
          )}
          <ErrorAlert
            error={apiError}
            title={apiError?.code === 'RATE_LIMITED' ? 'Too many attempts' : undefined}
            extra={errors.other}
          />
          <EmailField value={email} onChange={setEmail} error={errors.fields.email} autoFocus />
          <Stack gap={4}>
            <CurrentPasswordField
              label="Password"
              value={password}
              onChange={setPassword}
              error={errors.fields.password}
            />
            <Group justify="flex-end">
              <Anchor component={Link} to="/forgot-password" size="xs">
                Forgot password?
              </Anchor>
            </Group>
          </Stack>
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
          <Divider label="or" labelPosition="center" />
          <Button
            variant="default"
            leftSection={<IconFingerprint size={18} />}
            loading={passkey.isLoading}
            onClick={signInWithPasskey}
            fullWidth
          >
            Sign in with a passkey
          </Button>
          <Text size="xs" c="dimmed" ta="center">
            New to this Custos? Ask an administrator for an invitation.
          </Text>
        </Stack>
      </form>
    </AuthLayout>
  );
}
