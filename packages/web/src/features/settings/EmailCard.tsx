import { Badge, Card, Group, List, Stack, Text, Title } from '@mantine/core';
import { useGetCapabilitiesQuery } from '../system/api';
import { EmailOffNotice } from '../system/EmailOffNotice';

/**
 * Whether this Custos sends e-mail, and what goes out by e-mail: the setting is the server's
 * (`CUSTOS_SMTP_URL`), but an organization admin looks for it with the organization's settings.
 */
export function EmailCard() {
  const { data } = useGetCapabilitiesQuery();
  const configured = data?.email.configured;
  return (
    <Card withBorder padding="lg" radius="md" component="section" aria-labelledby="email-title">
      <Stack gap="md">
        <Group justify="space-between" align="flex-start" gap="sm">
          <Stack gap={2} style={{ flex: 1, minWidth: 240 }}>
            <Title order={2} size="h4" id="email-title">
              E-mail
            </Title>
            <Text size="sm" c="dimmed">
              Custos e-mails invitations, password resets, new-device notices to members and, where you set
              them up, security alerts.
            </Text>
          </Stack>
          {configured !== undefined && (
            <Badge color={configured ? 'teal' : 'yellow'} variant="light" data-testid="email-state">
              {configured ? 'Sending e-mail' : 'Not sending e-mail'}
            </Badge>
          )}
        </Group>
        {configured === true && (
          <List size="sm" spacing={4}>
            <List.Item>
              The mail server is set on the server (CUSTOS_SMTP_URL) for every organization.
            </List.Item>
            <List.Item>Alert e-mails and their delivery results are under Threats → Alerts.</List.Item>
          </List>
        )}
        <EmailOffNotice keptInOutbox>
          Invitation and password-reset links are shown to whoever creates them, to pass on themselves.
        </EmailOffNotice>
      </Stack>
    </Card>
  );
}
