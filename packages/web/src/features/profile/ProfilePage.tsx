import {
  Badge,
  Button,
  Card,
  Group,
  PasswordInput,
  SimpleGrid,
  Stack,
  Text,
  TextInput,
  Title,
} from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { type FormEvent, useState } from 'react';
import { formErrors, hookError } from '../../app/errors';
import { formatDate } from '../../app/format';
import { ErrorAlert } from '../../ui/ErrorAlert';
import { CurrentPasswordField, NewPasswordField, passwordTooShort } from '../../ui/fields';
import { PageHeader } from '../../ui/PageHeader';
import { passwordCodeFields } from '../../ui/password';
import { useMe } from '../shell/session';
import { useChangePasswordMutation, useUpdateProfileMutation } from './api';

function DetailsCard() {
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

function PasswordCard() {
  const [currentPassword, setCurrentPassword] = useState('');
  const [newPassword, setNewPassword] = useState('');
  const [confirmation, setConfirmation] = useState('');
  const [changePassword, { isLoading, error, reset }] = useChangePasswordMutation();
  const apiError = hookError(error);
  const errors = formErrors(apiError, ['currentPassword', 'newPassword'], {
    ...passwordCodeFields('newPassword'),
    PASSWORD_INCORRECT: 'currentPassword',
  });
  const tooShort = passwordTooShort(newPassword);
  const mismatch = confirmation.length > 0 && confirmation !== newPassword;

  async function submit(event: FormEvent) {
    event.preventDefault();
    const result = await changePassword({ currentPassword, newPassword });
    if ('data' in result) {
      setCurrentPassword('');
      setNewPassword('');
      setConfirmation('');
      reset();
      notifications.show({
        color: 'teal',
        title: 'Password changed',
        message: 'Use your new password next time.',
      });
    }
  }

  return (
    <Card withBorder padding="lg" radius="md" component="section" aria-labelledby="profile-password-title">
      <form onSubmit={submit} noValidate>
        <Stack gap="sm">
          <Title order={4} id="profile-password-title">
            Change password
          </Title>
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
          <PasswordInput
            label="Confirm new password"
            autoComplete="new-password"
            value={confirmation}
            onChange={(event) => setConfirmation(event.currentTarget.value)}
            error={mismatch ? 'The passwords do not match' : undefined}
            required
          />
          <ErrorAlert
            error={errors.fields.currentPassword || errors.fields.newPassword ? undefined : apiError}
            extra={errors.other}
          />
          <Group>
            <Button
              type="submit"
              loading={isLoading}
              disabled={!currentPassword || !newPassword || tooShort || confirmation !== newPassword}
            >
              Change password
            </Button>
          </Group>
        </Stack>
      </form>
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
        <PasswordCard />
      </SimpleGrid>
    </>
  );
}
