import type { SecurityEventDetail } from '@custos/shared';
import { Anchor, Card, Group, Table, Text, Title } from '@mantine/core';
import { IconExternalLink } from '@tabler/icons-react';
import { Link } from 'react-router';
import { formatTimestamp } from '../../app/format';

/** The audit events the detector counted, each opening in the audit log with its proof. */
export function EvidenceCard({ evidence }: { evidence: SecurityEventDetail['evidence'] }) {
  return (
    <Card withBorder radius="md" padding={0} component="section" aria-labelledby="event-evidence-title">
      <Group px="lg" py="md" justify="space-between">
        <Title order={5} id="event-evidence-title">
          Evidence{' '}
          <Text span c="dimmed" fw={400}>
            ({evidence.length})
          </Text>
        </Title>
        <Text size="xs" c="dimmed">
          Audit events behind this detection
        </Text>
      </Group>
      {evidence.length === 0 ? (
        <Text size="sm" c="dimmed" px="lg" pb="md">
          No audit events are linked to this detection.
        </Text>
      ) : (
        <Table.ScrollContainer minWidth={420} mah={360}>
          <Table aria-label="Evidence">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Action</Table.Th>
                <Table.Th>Time</Table.Th>
                <Table.Th ta="right">Audit log</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {evidence.map((item) => (
                <Table.Tr key={item.auditEventId}>
                  <Table.Td>
                    <Text size="sm" className="custos-mono">
                      {item.action}
                    </Text>
                  </Table.Td>
                  <Table.Td>
                    <Text size="sm" style={{ whiteSpace: 'nowrap' }}>
                      {formatTimestamp(item.occurredAt)}
                    </Text>
                  </Table.Td>
                  <Table.Td ta="right">
                    <Anchor
                      component={Link}
                      to={`/audit?event=${encodeURIComponent(item.auditEventId)}`}
                      size="sm"
                      aria-label={`Open audit event #${item.seq}`}
                    >
                      <Group gap={4} justify="flex-end" wrap="nowrap">
                        #{item.seq}
                        <IconExternalLink size={14} />
                      </Group>
                    </Anchor>
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}
    </Card>
  );
}
