import type { ThreatResponseOut } from '@custos/shared';
import { Button, Card, Group, Stack, Text, Title } from '@mantine/core';
import { useCan } from '../shell/session';
import {
  canLift,
  ExpiresLabel,
  ResponseKindLabel,
  ResponseStateBadge,
  ResponseSubject,
} from './responseParts';
import { useLiftResponse } from './useLiftResponse';

/** What Custos did about this event; active responses can be lifted. */
export function EventResponsesCard({ responses }: { responses: ThreatResponseOut[] }) {
  const canManage = useCan('security:manage');
  const lifting = useLiftResponse();
  return (
    <Card withBorder radius="md" padding="lg" component="section" aria-labelledby="event-responses-title">
      <Stack gap="sm">
        <Title order={5} id="event-responses-title">
          Responses
        </Title>
        {responses.length === 0 ? (
          <Text size="sm" c="dimmed">
            No automatic response ran for this event. Response rules are set in Detection settings.
          </Text>
        ) : (
          responses.map((response) => (
            <Group
              key={response.id}
              justify="space-between"
              wrap="nowrap"
              gap="sm"
              data-response-id={response.id}
            >
              <Stack gap={4}>
                <ResponseKindLabel response={response} />
                <Group gap={6} pl={36} wrap="nowrap">
                  <ResponseSubject response={response} />
                  {response.state === 'active' &&
                    (response.expiresAt ? (
                      <>
                        <Text size="sm" c="dimmed">
                          · ends
                        </Text>
                        <ExpiresLabel response={response} />
                      </>
                    ) : (
                      <Text size="sm" c="dimmed">
                        · until lifted
                      </Text>
                    ))}
                </Group>
              </Stack>
              <Group gap="xs" wrap="nowrap">
                <ResponseStateBadge response={response} />
                {canManage && canLift(response) && (
                  <Button size="compact-sm" variant="light" color="red" onClick={() => lifting.ask(response)}>
                    Lift
                  </Button>
                )}
              </Group>
            </Group>
          ))
        )}
      </Stack>
      {lifting.modal}
    </Card>
  );
}
