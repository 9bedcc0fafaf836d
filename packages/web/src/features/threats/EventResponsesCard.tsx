import type { SecurityEventOut, ThreatResponseOut } from '@custos/shared';
import { Button, Card, Divider, Group, Stack, Text, Title } from '@mantine/core';
import { Fragment } from 'react';
import { isAlarmKind, stopsSigning } from '../audit/integrity';
import { useCan } from '../shell/session';
import { EmailOffNotice } from '../system/EmailOffNotice';
import {
  canLift,
  ExpiresLabel,
  ResponseKindLabel,
  ResponseStateBadge,
  ResponseSubject,
} from './responseParts';
import { useLiftResponse } from './useLiftResponse';

function ResponseItem({
  response,
  onLift,
}: {
  response: ThreatResponseOut;
  onLift: (() => void) | undefined;
}) {
  return (
    <Stack gap={6} data-response-id={response.id}>
      <Group justify="space-between" wrap="nowrap" gap="xs" align="flex-start">
        <ResponseKindLabel response={response} />
        <ResponseStateBadge response={response} />
      </Group>
      <Group justify="space-between" wrap="nowrap" gap="xs" pl={36}>
        <Stack gap={0}>
          <ResponseSubject response={response} />
          {response.state === 'active' &&
            (response.expiresAt ? (
              <Group gap={4} wrap="nowrap">
                <Text size="xs" c="dimmed">
                  Ends
                </Text>
                <ExpiresLabel response={response} size="xs" />
              </Group>
            ) : (
              <Text size="xs" c="dimmed">
                Until lifted
              </Text>
            ))}
        </Stack>
        {onLift && (
          <Button size="compact-sm" variant="light" color="red" onClick={onLift}>
            Lift
          </Button>
        )}
      </Group>
    </Stack>
  );
}

/** What the card says when no response ran. */
function noResponseText({ type, details }: Pick<SecurityEventOut, 'type' | 'details'>): string {
  if (type !== 'audit_tampering') {
    return 'No automatic response ran for this event. Response rules are set in Detection settings.';
  }
  const { kind } = details;
  const own =
    isAlarmKind(kind) && !stopsSigning([{ kind }])
      ? 'it moved the rows in the way aside, kept them as evidence, and the log goes on.'
      : 'it signs no checkpoint for this log until its history extends the last one it signed.';
  return `Custos’s own response: ${own} Account and IP responses do not apply to this event.`;
}

/** What Custos did about this event; active responses can be lifted. */
export function EventResponsesCard({
  responses,
  event,
}: {
  responses: ThreatResponseOut[];
  event: Pick<SecurityEventOut, 'type' | 'details'>;
}) {
  const canManage = useCan('security:manage');
  const lifting = useLiftResponse();
  return (
    <Card withBorder radius="md" padding="lg" component="section" aria-labelledby="event-responses-title">
      <Stack gap="sm">
        <Title order={5} id="event-responses-title">
          Responses
        </Title>
        {responses.some((r) => r.kind === 'notify_user') && (
          <EmailOffNotice keptInOutbox compact>
            “Notify the user” responses e-mail no one: each message is kept in the outbox until a super admin
            passes it on.
          </EmailOffNotice>
        )}
        {responses.length === 0 ? (
          <Text size="sm" c="dimmed">
            {noResponseText(event)}
          </Text>
        ) : (
          responses.map((response, index) => (
            <Fragment key={response.id}>
              {index > 0 && <Divider />}
              <ResponseItem
                response={response}
                onLift={canManage && canLift(response) ? () => lifting.ask(response) : undefined}
              />
            </Fragment>
          ))
        )}
      </Stack>
      {lifting.modal}
    </Card>
  );
}
