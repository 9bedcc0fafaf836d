import {
  Badge,
  Button,
  Card,
  Group,
  SimpleGrid,
  Stack,
  Text,
  TextInput,
  ThemeIcon,
  Title,
} from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { IconArrowRight, IconShieldLock } from '@tabler/icons-react';
import { type FormEvent, useState } from 'react';
import { Link } from 'react-router';
import { formErrors, hookError } from '../../app/errors';
import { formatDate } from '../../app/format';
import { ErrorAlert } from '../../ui/ErrorAlert';
import { PageHeader } from '../../ui/PageHeader';
import { useDisplayTimeZone } from '../../ui/timeZone';
import { useMe } from '../shell/session';
import { useUpdateProfileMutation } from './api';

function DetailsCard() {
  useDisplayTimeZone();
  const me = useMe();
  const [name, setName] = useState(me.user.name);
  const [update, { isLoading, error }] = useUpdateProfileMutation();
  const apiError = hookError(error);
  const errors = formErrors(apiError, ['name']);

  async function submit(event: FormEvent) {
    event.preventDefault();
    const result = await update({ name: name.trim() });
    if ('data' in result) notifications.show({ color: 'teal', message: 'Your name was saved' });
  }

  return (
    <Card withBorder padding="lg" radius="md" component="section" aria-labelledby="profile-details-title">
      <form onSubmit={submit} noValidate>
        <Stack gap="sm">
          <Title order={4} id="profile-details-title">
            Your details
          </Title>
          <TextInput
            label="Name"
            autoComplete="name"
            value={name}
            onChange={(event) => setName(event.currentTarget.value)}
            error={errors.fields.name}
            maxLength={200}
            required
          />
          <TextInput
            label="E-mail"
            value={me.user.email}
            readOnly
            variant="filled"
            description="Your sign-in name. Ask an administrator to change it."
          />
          <Group gap="xs">
            <Text size="xs" c="dimmed">
              Account created {formatDate(me.user.createdAt)}
            </Text>
            {me.user.isSuperAdmin && (
              <Badge size="xs" color="grape" variant="light">
                Platform administrator
              </Badge>
            )}
          </Group>
          <ErrorAlert error={errors.fields.name ? undefined : apiError} extra={errors.other} />
          <Group>
            <Button type="submit" loading={isLoading} disabled={!name.trim() || name.trim() === me.user.name}>
              Save
            </Button>
          </Group>
        </Stack>
      </form>
    </Card>
  );
}

/** Password, factors and sessions live on My security; the profile points there. */
function SecurityLinkCard() {
  return (
    <Card withBorder padding="lg" radius="md" component="section" aria-labelledby="profile-security-title">
      <Stack gap="sm" h="100%">
        <Group gap="sm">
          <ThemeIcon variant="light" size="lg" radius="md">
            <IconShieldLock size={20} />
          </ThemeIcon>
          <Title order={4} id="profile-security-title">
            Password and sign-in
          </Title>
        </Group>
        <Text size="sm" c="dimmed">
          Change your password, turn on two-step verification with an authenticator app or a passkey, keep
          recovery codes, and see where you are signed in.
        </Text>
        <Group mt="auto">
          <Button
            component={Link}
            to="/security/me"
            variant="light"
            rightSection={<IconArrowRight size={16} />}
          >
            Open My security
          </Button>
        </Group>
      </Stack>
    </Card>
  );
}

export function ProfilePage() {
  return (
    <>
      <PageHeader
        title="Profile"
        description="Your own account. These settings apply in every organization."
      />
      <SimpleGrid cols={{ base: 1, md: 2 }} spacing="lg">
        <DetailsCard />
        <SecurityLinkCard />
      </SimpleGrid>
    </>
  );
}
