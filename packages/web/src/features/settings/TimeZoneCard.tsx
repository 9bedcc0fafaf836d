import type { AccessRuleList } from '@custos/shared';
import { Button, Card, Group, Select, Stack, Text, Title } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useMemo, useState } from 'react';
import { hookError } from '../../app/errors';
import { ErrorAlert } from '../../ui/ErrorAlert';
import { LoadError, SectionLoader } from '../../ui/states';
import { useListAccessRulesQuery, useSetAccessTimeZoneMutation } from '../accessRules/api';
import { LockoutAlert } from '../accessRules/LockoutAlert';
import { nowIn, timeZoneOptions } from '../accessRules/values';
import { useCan } from '../shell/session';

/**
 * The organization's time zone: what time windows of access rules are read in and what the console
 * can show times in. Stored with the access rules (changing it can change who gets in, so it takes
 * access:manage and a recent re-verification), shown here where people look for it.
 */
export function TimeZoneCard() {
  const canRead = useCan('access:read');
  return (
    <Card withBorder padding="lg" radius="md" component="section" aria-labelledby="time-zone-title">
      <Stack gap="md">
        <Stack gap={2}>
          <Title order={2} size="h4" id="time-zone-title">
            Time zone
          </Title>
          <Text size="sm" c="dimmed">
            Access rules with time windows (for example “weekdays 08:00–18:00”) are read in this zone, and
            every member can choose to see the console’s times in it from their user menu.
          </Text>
        </Stack>
        {canRead ? (
          <TimeZoneForm />
        ) : (
          <Text size="sm">Seeing the time zone needs the access:read permission. Ask an owner or admin.</Text>
        )}
      </Stack>
    </Card>
  );
}

function TimeZoneForm() {
  const { data, error, isLoading, refetch } = useListAccessRulesQuery();
  if (isLoading) return <SectionLoader label="Loading the time zone" />;
  if (!data) return <LoadError error={hookError(error)} what="the time zone" onRetry={refetch} />;
  return <TimeZoneSelect key={data.timeZone} saved={data.timeZone} yourRequest={data.yourRequest} />;
}

function TimeZoneSelect({
  saved,
  yourRequest,
}: {
  saved: string;
  yourRequest: AccessRuleList['yourRequest'];
}) {
  const canManage = useCan('access:manage');
  const [timeZone, setTimeZone] = useState<string | null>(saved);
  const [save, { isLoading, error, reset }] = useSetAccessTimeZoneMutation();
  const zones = useMemo(timeZoneOptions, []);
  const apiError = hookError(error);
  const changed = timeZone !== null && timeZone !== saved;
  const now = nowIn(saved);

  async function submit() {
    if (!timeZone || !changed) return;
    const result = await save(timeZone);
    if ('data' in result) notifications.show({ color: 'teal', message: `Time zone set to ${timeZone}` });
  }

  return (
    <Stack gap="xs" maw={480}>
      <Group gap="sm" align="flex-end" wrap="nowrap">
        <Select
          label="Organization time zone"
          data={zones}
          value={timeZone}
          onChange={(value) => {
            setTimeZone(value);
            reset();
          }}
          searchable
          allowDeselect={false}
          disabled={!canManage}
          limit={100}
          maxDropdownHeight={280}
          comboboxProps={{ withinPortal: true }}
          style={{ flex: 1 }}
        />
        {canManage && (
          <Button onClick={submit} loading={isLoading} disabled={!changed}>
            Save time zone
          </Button>
        )}
      </Group>
      <Text size="xs" c="dimmed" data-testid="org-time-now">
        {now ? `It is ${now} there now.` : ''}
        {canManage ? '' : ' Changing it needs the access:manage permission.'}
      </Text>
      <LockoutAlert error={apiError} yourRequest={yourRequest} />
      <ErrorAlert error={apiError?.code === 'ACCESS_RULE_LOCKOUT' ? undefined : apiError} />
    </Stack>
  );
}
