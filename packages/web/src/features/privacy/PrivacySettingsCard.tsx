import type { PrivacySettingsOut, Regime, UpdatePrivacySettingsBody } from '@custos/shared';
import { Anchor, Button, Card, Group, Stack, Switch, TagsInput, Text, Title } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { type FormEvent, useState } from 'react';
import { hookError } from '../../app/errors';
import { ErrorAlert } from '../../ui/ErrorAlert';
import { LoadError, SectionLoader } from '../../ui/states';
import { useMe } from '../shell/session';
import { useGetPrivacySettingsQuery, useUpdatePrivacySettingsMutation } from './api';
import { parseReminderDays } from './reminderDays';

function SettingsForm({ settings, canManage }: { settings: PrivacySettingsOut; canManage: boolean }) {
  const me = useMe();
  const [waits, setWaits] = useState<Partial<Record<Regime, boolean>>>(settings.clockWaitsForVerification);
  const [days, setDays] = useState(settings.reminderDaysBefore.map(String));
  const [publicIntake, setPublicIntake] = useState(settings.publicIntake);
  const [save, saving] = useUpdatePrivacySettingsMutation();
  const reminders = parseReminderDays(days);
  const publicPath = me.organization ? `/privacy/${me.organization.slug}/request` : null;

  async function submit(event: FormEvent) {
    event.preventDefault();
    if (!reminders.ok) return;
    const body: UpdatePrivacySettingsBody = {
      clockWaitsForVerification: { gdpr: waits.gdpr ?? false, ccpa: waits.ccpa ?? false },
      reminderDaysBefore: reminders.days,
      publicIntake,
    };
    const result = await save(body);
    if ('data' in result) notifications.show({ color: 'teal', message: 'Privacy settings saved' });
  }

  return (
    <form onSubmit={submit} noValidate>
      <Stack gap="md">
        {settings.regimes.map((r) => (
          <Switch
            key={r.regime}
            label={`${r.name}: start the clock only once the person’s identity is verified`}
            description={`${r.defaultClockWaitsForVerification ? 'The law’s default.' : 'Off by default.'} ${r.clockWaitsForVerificationSource}`}
            checked={waits[r.regime] ?? false}
            onChange={(e) => setWaits((w) => ({ ...w, [r.regime]: e.currentTarget.checked }))}
            disabled={!canManage}
          />
        ))}
        <Text size="xs" c="dimmed">
          A change applies to requests received from now on; open requests keep the rule they arrived under.
        </Text>
        <TagsInput
          label="Remind before the due date (days)"
          description="Up to 5 reminders, each 1 to 60 days before. Type a number and press Enter."
          value={days}
          onChange={setDays}
          maxTags={5}
          error={reminders.ok ? undefined : reminders.problem}
          disabled={!canManage}
          maw={420}
        />
        <Switch
          label="Accept requests on the public request page"
          description={
            publicPath ? (
              <>
                Anyone can ask at{' '}
                <Anchor href={publicPath} target="_blank" size="xs" underline="always">
                  {window.location.origin}
                  {publicPath}
                </Anchor>{' '}
                without an account; an e-mailed code proves their address.
              </>
            ) : undefined
          }
          checked={publicIntake}
          onChange={(e) => setPublicIntake(e.currentTarget.checked)}
          disabled={!canManage}
        />
        <ErrorAlert error={hookError(saving.error)} />
        {canManage && (
          <Group justify="flex-end">
            <Button type="submit" loading={saving.isLoading} disabled={!reminders.ok}>
              Save settings
            </Button>
          </Group>
        )}
      </Stack>
    </form>
  );
}

/** When each regime's clock starts, the reminders and the public request page. */
export function PrivacySettingsCard({ canManage }: { canManage: boolean }) {
  const query = useGetPrivacySettingsQuery();
  return (
    <Card withBorder radius="md" padding="lg" component="section" aria-labelledby="privacy-settings-title">
      <Stack gap="md">
        <Title order={2} size="h5" id="privacy-settings-title">
          Privacy settings
        </Title>
        {query.isLoading ? (
          <SectionLoader label="Loading the privacy settings" />
        ) : !query.data ? (
          <LoadError
            error={hookError(query.error)}
            what="the privacy settings"
            onRetry={() => void query.refetch()}
          />
        ) : (
          <SettingsForm key={query.data.updatedAt ?? 'default'} settings={query.data} canManage={canManage} />
        )}
      </Stack>
    </Card>
  );
}
