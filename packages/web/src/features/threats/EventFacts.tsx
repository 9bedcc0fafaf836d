import type { SecurityEventDetail } from '@custos/shared';
import { Card, Divider, SimpleGrid, Stack, Table, Text, Title } from '@mantine/core';
import { formatRelative, formatTimestamp } from '../../app/format';
import { useDisplayTimeZone } from '../../ui/timeZone';
import { Field } from '../audit/Field';
import { eventFigures } from './figures';
import { countLabel } from './labels';
import { CountryLabel, SubjectLabel } from './parts';

function When({ iso }: { iso: string }) {
  useDisplayTimeZone();
  return (
    <Stack gap={0}>
      <Text size="sm">{formatTimestamp(iso)}</Text>
      {/* The exact time is right above: the words need no tooltip or tab stop of their own. */}
      <Text size="xs" c="dimmed">
        {formatRelative(iso)}
      </Text>
    </Stack>
  );
}

/** What the event is about and what the detector measured. */
export function EventFacts({ event }: { event: SecurityEventDetail }) {
  const figures = eventFigures(event);
  // The audit trail's own alarm comes from the checkpoint signer, not from a request: no IP, no country.
  const fromNetwork = event.subject.type !== 'audit_log';
  return (
    <Card withBorder radius="md" padding="lg" component="section" aria-labelledby="event-facts-title">
      <Stack gap="md">
        <Title order={5} id="event-facts-title">
          Facts
        </Title>
        <SimpleGrid cols={{ base: 2, sm: 3 }} spacing="md" verticalSpacing="md">
          <Field label="Subject">
            <SubjectLabel subject={event.subject} />
          </Field>
          {fromNetwork && (
            <Field label="Source IP">
              <Text size="sm" className="custos-mono" c={event.sourceIp ? undefined : 'dimmed'}>
                {event.sourceIp ?? '—'}
              </Text>
            </Field>
          )}
          {fromNetwork && (
            <Field label="Country">
              <CountryLabel country={event.country} />
            </Field>
          )}
          <Field label="First seen">
            <When iso={event.firstSeenAt} />
          </Field>
          <Field label="Last seen">
            <When iso={event.lastSeenAt} />
          </Field>
          <Field label="Count">
            <Text size="sm" fw={600} data-testid="event-count" data-count={event.count}>
              {countLabel(event.type, event.count)}
            </Text>
          </Field>
        </SimpleGrid>
        {figures.length > 0 && (
          <>
            <Divider label="Detector figures" labelPosition="left" />
            <Table
              withRowBorders={false}
              verticalSpacing={4}
              highlightOnHover={false}
              aria-label="Detector figures"
            >
              <Table.Tbody>
                {figures.map((figure) => (
                  <Table.Tr key={figure.key}>
                    <Table.Td w="40%" pl={0}>
                      <Text size="sm" c="dimmed">
                        {figure.label}
                      </Text>
                    </Table.Td>
                    <Table.Td>
                      <Text size="sm" className="custos-mono" style={{ wordBreak: 'break-word' }}>
                        {figure.value}
                      </Text>
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </>
        )}
      </Stack>
    </Card>
  );
}
