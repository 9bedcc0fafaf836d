import type { SecurityEventOut, SecurityEventSource } from '@custos/shared';
import { Badge, Box, Card, Group, Table, Text, Title } from '@mantine/core';
import { formatTimestamp } from '../../app/format';
import { useDisplayTimeZone } from '../../ui/timeZone';
import { moreSources } from './evidence';
import { COUNT_NOUNS } from './labels';
import { CountryLabel } from './parts';

function SourceRow({ source, first }: { source: SecurityEventSource; first: boolean }) {
  useDisplayTimeZone();
  return (
    <Table.Tr data-ip={source.ip}>
      <Table.Td>
        <Group gap={6} wrap="nowrap">
          <Text size="sm" className="custos-mono">
            {source.ip}
          </Text>
          {first && (
            <Badge size="xs" variant="light" color="gray" tt="none" title="The address the event shows">
              First
            </Badge>
          )}
        </Group>
      </Table.Td>
      <Table.Td>
        <CountryLabel country={source.country} />
      </Table.Td>
      <Table.Td ta="right">
        <Text size="sm" fw={600}>
          {source.attempts.toLocaleString()}
        </Text>
      </Table.Td>
      <Table.Td style={{ whiteSpace: 'nowrap' }}>
        <Text size="sm">{formatTimestamp(source.firstSeenAt)}</Text>
      </Table.Td>
      <Table.Td style={{ whiteSpace: 'nowrap' }}>
        <Text size="sm">{formatTimestamp(source.lastSeenAt)}</Text>
      </Table.Td>
    </Table.Tr>
  );
}

/**
 * Every address the event's attempts came from, most attempts first, each with its own country:
 * the attacker who started it stays visible whatever address came last.
 */
export function SourcesCard({
  event,
}: {
  event: Pick<SecurityEventOut, 'type' | 'sources' | 'sourceCount' | 'sourceIp'>;
}) {
  const sources = event.sources ?? [];
  const more = moreSources(event);
  const total = event.sourceCount ?? sources.length;
  if (total === 0) return null;
  const plural = COUNT_NOUNS[event.type][1];
  const unit = plural.charAt(0).toUpperCase() + plural.slice(1);
  return (
    <Card withBorder radius="md" padding={0} component="section" aria-labelledby="event-sources-title">
      <Group px="lg" py="md" justify="space-between">
        <Title order={5} id="event-sources-title">
          Sources{' '}
          <Text span c="dimmed" fw={400}>
            ({total.toLocaleString()})
          </Text>
        </Title>
        <Text size="xs" c="dimmed">
          Addresses the attempts came from
        </Text>
      </Group>
      <Box className="custos-table-scroll" tabIndex={0} role="region" aria-label="Sources">
        <Table aria-label="Sources" verticalSpacing={6} miw={560}>
          <Table.Thead>
            <Table.Tr>
              <Table.Th>IP</Table.Th>
              <Table.Th>Country</Table.Th>
              <Table.Th ta="right">{unit}</Table.Th>
              <Table.Th>First seen</Table.Th>
              <Table.Th>Last seen</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {sources.map((source) => (
              <SourceRow key={source.ip} source={source} first={source.ip === event.sourceIp} />
            ))}
          </Table.Tbody>
        </Table>
      </Box>
      {more > 0 && (
        <Text size="sm" c="dimmed" px="lg" py="sm" data-testid="more-sources">
          +{more.toLocaleString()} more {more === 1 ? 'address' : 'addresses'}
        </Text>
      )}
    </Card>
  );
}
