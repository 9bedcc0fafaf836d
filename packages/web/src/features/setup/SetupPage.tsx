import { Alert, Anchor, Button, Code, Stack, Text, TextInput } from '@mantine/core';
import { IconCircleCheck, IconTerminal2 } from '@tabler/icons-react';
import { type FormEvent, useState } from 'react';
import { Link, useLocation } from 'react-router';
import { formErrors, hookError } from '../../app/errors';
import { AuthLayout } from '../../ui/AuthLayout';
import { ErrorAlert } from '../../ui/ErrorAlert';
import { EmailField, NewPasswordField, passwordTooShort, YourNameField } from '../../ui/fields';
import { passwordCodeFields } from '../../ui/password';
import { FullPageLoader, LoadError } from '../../ui/states';
import { tokenFromHash } from '../auth/hashToken';
import { useSessionChange } from '../auth/useSessionChange';
import { useCompleteSetupMutation, useGetSetupStatusQuery } from './api';

const FIELDS = ['name', 'email', 'password', 'organizationName', 'token'] as const;

function SetupForm({ token }: { token: string }) {
  const [name, setName] = useState('');
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [organizationName, setOrganizationName] = useState('');
  const [complete, { isLoading, error }] = useCompleteSetupMutation();
  const sessionChanged = useSessionChange();
  const apiError = hookError(error);
  const errors = formErrors(apiError, FIELDS, passwordCodeFields('password'));
  const tooShort = passwordTooShort(password);
  const fieldShown = FIELDS.some((field) => field !== 'token' && errors.fields[field]);

  async function submit(event: FormEvent) {
    event.preventDefault();
    const result = await complete({
      token,
      name: name.trim(),
      email: email.trim(),
      password,
      organizationName: organizationName.trim(),
    });
    // Replacing the history entry also drops the used token from the address bar.
    if ('data' in result) sessionChanged('/');
  }

  return (
    <form onSubmit={submit} noValidate>
      <Stack gap="md">
        <YourNameField value={name} onChange={setName} error={errors.fields.name} />
        <EmailField value={email} onChange={setEmail} error={errors.fields.email} />
        <NewPasswordField
          label="Password"
          value={password}
          onChange={setPassword}
          error={errors.fields.password}
        />
        <TextInput
          label="Organization name"
          description="Your company or product. You can rename it later and add more organizations."
          autoComplete="organization"
          value={organizationName}
          onChange={(event) => setOrganizationName(event.currentTarget.value)}
          error={errors.fields.organizationName}
          required
        />
        <ErrorAlert error={fieldShown ? undefined : apiError} extra={errors.other} />
        <Button
          type="submit"
          loading={isLoading}
          fullWidth
          mt="xs"
          disabled={
            !name.trim() || !email.trim() || tooShort || !password || organizationName.trim().length < 2
          }
        >
          Create administrator
        </Button>
      </Stack>
    </form>
  );
}

/** First run: creates the platform administrator and the first organization. */
export function SetupPage() {
  const location = useLocation();
  const token = tokenFromHash(location.hash);
  const { data, error, isLoading, refetch } = useGetSetupStatusQuery();

  if (isLoading) return <FullPageLoader />;
  if (!data) {
    return (
      <AuthLayout title="Set up Custos">
        <LoadError error={hookError(error)} what="the setup status" onRetry={refetch} />
      </AuthLayout>
    );
  }

  if (!data.required) {
    return (
      <AuthLayout title="Custos is set up">
        <Stack>
          <Alert color="teal" variant="light" icon={<IconCircleCheck size={18} />}>
            The first administrator already exists, so this setup link no longer works.
          </Alert>
          <Button component={Link} to="/sign-in" fullWidth>
            Go to sign-in
          </Button>
        </Stack>
      </AuthLayout>
    );
  }

  if (!token) {
    return (
      <AuthLayout title="Set up Custos" subtitle="Custos has no administrator yet.">
        <Stack>
          <Alert
            color="yellow"
            variant="light"
            icon={<IconTerminal2 size={18} />}
            title="Open the setup link"
          >
            When the server starts for the first time it prints a one-time setup link, like
            <Code block mt={6}>
              Open https://custos.example.com/setup#token=… to create the first administrator
            </Code>
            Look at the server's output (its console or logs) and open that link in this browser.
          </Alert>
          <Text size="xs" c="dimmed">
            The token proves you run the server, so nobody else who reaches this page first can take it over.
          </Text>
        </Stack>
      </AuthLayout>
    );
  }

  return (
    <AuthLayout
      title="Set up Custos"
      subtitle="Create the first administrator and your organization. You will be signed in right away."
      width={480}
    >
      <SetupForm token={token} />
      <Text size="xs" c="dimmed" mt="md" ta="center">
        Already set up?{' '}
        <Anchor component={Link} to="/sign-in" size="xs">
          Sign in
        </Anchor>
      </Text>
    </AuthLayout>
  );
}
