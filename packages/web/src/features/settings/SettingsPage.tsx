import { Anchor, Button, Card, Group, Stack, Text, TextInput, Title } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { type FormEvent, useState } from 'react';
import { Link } from 'react-router';
import { formErrors, hookError } from '../../app/errors';
import { formatDate } from '../../app/format';
import { ErrorAlert } from '../../ui/ErrorAlert';
import { PageHeader } from '../../ui/PageHeader';
import { useDisplayTimeZone } from '../../ui/timeZone';
import { Require } from '../shell/RequirePermission';
import { useMe } from '../shell/session';
import { useRenameOrganizationMutation } from './api';
import { EmailCard } from './EmailCard';
import { TimeZoneCard } from './TimeZoneCard';

function OrganizationCard() {
  useDisplayTimeZone();
  const me = useMe();
  const organization = me.organization;
  const [name, setName] = useState(organization?.name ?? '');
  const [rename, { isLoading, error, reset }] = useRenameOrganizationMutation();
  const apiError = hookError(error);
  const errors = formErrors(apiError, ['name']);
  if (!organization) return null;
  const unchanged = name.trim() === organization.name;

  async function submit(event: FormEvent) {
    event.preventDefault();
    const result = await rename({ name: name.trim() });
    if ('data' in result) notifications.show({ color: 'teal', message: 'Organization renamed' });
  }

  return (
    <Card withBorder padding="lg" radius="md" component="section" aria-labelledby="org-settings-title">
      <Stack gap="md">
        <Stack gap={2}>
          <Title order={2} size="h4" id="org-settings-title">
            Name
          </Title>
          <Text size="sm" c="dimmed">
            The name members see in the console and in invitations. The short name in sign-in links (
            {organization.slug}) stays the same, so those links keep working. Created{' '}
            {formatDate(organization.createdAt)}.
          </Text>
        </Stack>
        <form onSubmit={submit}>
          <Stack gap="sm" maw={480}>
            <TextInput
              label="Organization name"
              value={name}
              onChange={(event) => {
                setName(event.currentTarget.value);
                if (apiError) reset();
              }}
              required
              minLength={2}
              maxLength={100}
              error={errors.fields.name}
            />
            <ErrorAlert error={errors.fields.name ? undefined : apiError} extra={errors.other} />
            <Group>
              <Button type="submit" loading={isLoading} disabled={unchanged || name.trim().length < 2}>
                Save name
              </Button>
            </Group>
          </Stack>
        </form>
      </Stack>
    </Card>
  );
}

/**
 * Organization settings: what a person looks for about the organization as a whole, in one place
 * (its name, its time zone, whether e-mail goes out). Sign-in rules are on Security policy.
 */
export function SettingsPage() {
  return (
    <>
      <PageHeader
        title="Organization settings"
        description={
          <>
            The organization’s name, time zone and e-mail. Sign-in rules (two-step verification, sessions,
            passwords) are on{' '}
            <Anchor component={Link} to="/settings/security" underline="always">
              Security policy
            </Anchor>
            .
          </>
        }
      />
      <Require organization permission="organization:manage">
        <Stack gap="lg">
          <OrganizationCard />
          <TimeZoneCard />
          <EmailCard />
        </Stack>
      </Require>
    </>
  );
}
