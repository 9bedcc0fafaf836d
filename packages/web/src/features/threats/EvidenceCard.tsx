import type { DetectorType, SecurityEventEvidence } from '@custos/shared';
import {
  Anchor,
  Badge,
  Box,
  Card,
  Group,
  SegmentedControl,
  Table,
  Text,
  Title,
  VisuallyHidden,
} from '@mantine/core';
import { IconExternalLink } from '@tabler/icons-react';
import { useState } from 'react';
import { Link } from 'react-router';
import { formatCount, formatTimestamp } from '../../app/format';
import { useDisplayTimeZone } from '../../ui/timeZone';
import { accountLabel, auditLogLink, type EvidenceGroup, groupByIp, inAuditLog } from './evidence';
import { countLabel, OUTCOME_COLORS, OUTCOME_LABELS, plural, reasonLabel } from './labels';
import { CountryLabel } from './parts';

type View = 'attempts' | 'addresses';

function Dimmed({ children = '—' }: { children?: string }) {
  return (
    <Text size="sm" c="dimmed">
      {children}
    </Text>
  );
}

function AuditLogLink({ items, label }: { items: readonly SecurityEventEvidence[]; label: string }) {
  const to = auditLogLink(items);
  if (!to) return <Dimmed>Not in the audit log alone</Dimmed>;
  return (
    <Anchor component={Link} to={to} size="sm">
      <Group gap={4} wrap="nowrap">
        Open in audit log
        {/* The name starts with the visible words (WCAG 2.5.3), then says which events. */}
        <VisuallyHidden>{`: ${label}`}</VisuallyHidden>
        <IconExternalLink size={14} />
      </Group>
    </Anchor>
  );
}

function Outcome({ item }: { item: SecurityEventEvidence }) {
  if (!item.outcome) return <Dimmed />;
  return (
    <Badge size="sm" variant="light" color={OUTCOME_COLORS[item.outcome]} tt="none">
      {OUTCOME_LABELS[item.outcome]}
    </Badge>
  );
}

/** One attempt: when, from where, with what, on which account, and what came of it. */
function AttemptRow({ item }: { item: SecurityEventEvidence }) {
  useDisplayTimeZone();
  return (
    <Table.Tr data-audit-event-id={item.auditEventId}>
      <Table.Td style={{ whiteSpace: 'nowrap' }}>
        <Text size="sm">{formatTimestamp(item.occurredAt)}</Text>
      </Table.Td>
      <Table.Td>
        {item.ip ? (
          <Text size="sm" className="custos-mono">
            {item.ip}
          </Text>
        ) : (
          <Dimmed />
        )}
      </Table.Td>
      <Table.Td>
        <CountryLabel country={item.country} />
      </Table.Td>
      <Table.Td maw={200}>
        {item.device ? (
          <Text size="sm" lineClamp={1} title={item.device}>
            {item.device}
          </Text>
        ) : (
          <Dimmed />
        )}
      </Table.Td>
      <Table.Td>
        <Text size="sm" c={item.account ? undefined : 'dimmed'} lineClamp={1}>
          {accountLabel(item.account)}
        </Text>
      </Table.Td>
      <Table.Td>
        <Outcome item={item} />
      </Table.Td>
      <Table.Td>
        {item.reason ? (
          <Text size="sm" title={item.reason}>
            {reasonLabel(item.reason)}
          </Text>
        ) : (
          <Dimmed />
        )}
      </Table.Td>
      <Table.Td ta="right">
        {inAuditLog(item) ? (
          <Anchor
            component={Link}
            to={`/audit?event=${encodeURIComponent(item.auditEventId)}`}
            size="sm"
            aria-label={`Open audit event #${item.seq}`}
            title={item.action}
          >
            #{formatCount(item.seq)}
          </Anchor>
        ) : (
          <Text
            size="sm"
            c="dimmed"
            title="Refused before the password was checked: counted in a summary event"
          >
            In a summary
          </Text>
        )}
      </Table.Td>
    </Table.Tr>
  );
}

function AttemptsTable({ evidence }: { evidence: readonly SecurityEventEvidence[] }) {
  return (
    <Box className="custos-table-scroll" mah={420} tabIndex={0} role="region" aria-label="Evidence">
      <Table aria-label="Evidence" verticalSpacing={6} stickyHeader miw={860}>
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Time</Table.Th>
            <Table.Th>IP</Table.Th>
            <Table.Th>Country</Table.Th>
            <Table.Th>Device</Table.Th>
            <Table.Th>Account</Table.Th>
            <Table.Th>Outcome</Table.Th>
            <Table.Th>Reason</Table.Th>
            <Table.Th ta="right">Audit event</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {evidence.map((item) => (
            <AttemptRow key={item.auditEventId} item={item} />
          ))}
        </Table.Tbody>
      </Table>
    </Box>
  );
}

function GroupRow({ group }: { group: EvidenceGroup }) {
  useDisplayTimeZone();
  const address = group.ip ?? 'no recorded address';
  return (
    <Table.Tr data-ip={group.ip ?? ''}>
      <Table.Td>
        <Text size="sm" className={group.ip ? 'custos-mono' : undefined} c={group.ip ? undefined : 'dimmed'}>
          {group.ip ?? 'No recorded address'}
        </Text>
      </Table.Td>
      <Table.Td>
        <CountryLabel country={group.country} />
      </Table.Td>
      <Table.Td ta="right">
        <Text size="sm" fw={600}>
          {group.items.length.toLocaleString()}
        </Text>
      </Table.Td>
      <Table.Td style={{ whiteSpace: 'nowrap' }}>
        <Text size="sm">{formatTimestamp(group.firstAt)}</Text>
      </Table.Td>
      <Table.Td style={{ whiteSpace: 'nowrap' }}>
        <Text size="sm">{formatTimestamp(group.lastAt)}</Text>
      </Table.Td>
      <Table.Td ta="right">
        <AuditLogLink items={group.items} label={`Open the audit events from ${address} in the audit log`} />
      </Table.Td>
    </Table.Tr>
  );
}

function AddressesTable({ evidence }: { evidence: readonly SecurityEventEvidence[] }) {
  return (
    <Box className="custos-table-scroll" mah={420} tabIndex={0} role="region" aria-label="Evidence by IP">
      <Table aria-label="Evidence by IP" verticalSpacing={6} miw={720}>
        <Table.Thead>
          <Table.Tr>
            <Table.Th>IP</Table.Th>
            <Table.Th>Country</Table.Th>
            <Table.Th ta="right">Audit events</Table.Th>
            <Table.Th>First</Table.Th>
            <Table.Th>Last</Table.Th>
            <Table.Th ta="right">Audit log</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {groupByIp(evidence).map((group) => (
            <GroupRow key={group.ip ?? ''} group={group} />
          ))}
        </Table.Tbody>
      </Table>
    </Box>
  );
}

/**
 * The audit events behind the detection with the facts of each attempt in place (time, address,
 * country, device, account, outcome, reason); grouped by IP on demand. "Open in audit log" opens
 * the audit log showing exactly these events, or exactly one address's.
 */
export function EvidenceCard({
  evidence,
  type,
  count,
}: {
  evidence: SecurityEventEvidence[];
  type: DetectorType;
  /** The event's count: beyond the evidence kept, the card says only the newest are listed. */
  count: number;
}) {
  const [view, setView] = useState<View>('attempts');
  // Attempts refused before the password check have no audit event of their own (a summary counts them).
  const listed = plural(evidence.length, ['attempt', 'attempts']);
  const refused = evidence.filter((item) => !inAuditLog(item)).length;
  const stored = refused > 0 ? ` (${refused} refused before the password check, counted in summaries)` : '';
  const summary =
    count > evidence.length
      ? `The newest ${listed} of ${countLabel(type, count)}${stored}`
      : `${listed} behind this detection${stored}`;
  return (
    <Card withBorder radius="md" padding={0} component="section" aria-labelledby="event-evidence-title">
      <Group px="lg" py="md" justify="space-between" wrap="wrap" gap="sm">
        <div>
          <Title order={5} id="event-evidence-title">
            Evidence{' '}
            <Text span c="dimmed" fw={400}>
              ({evidence.length})
            </Text>
          </Title>
          <Text size="xs" c="dimmed">
            {summary}
          </Text>
        </div>
        {evidence.length > 0 && (
          <Group gap="sm">
            <SegmentedControl
              size="xs"
              value={view}
              onChange={(next) => setView(next === 'addresses' ? 'addresses' : 'attempts')}
              data={[
                { value: 'attempts', label: 'Each attempt' },
                { value: 'addresses', label: 'By IP' },
              ]}
              aria-label="Show evidence"
            />
            <AuditLogLink items={evidence} label="Open all evidence in the audit log" />
          </Group>
        )}
      </Group>
      {evidence.length === 0 ? (
        <Text size="sm" c="dimmed" px="lg" pb="md">
          No audit events are linked to this detection.
        </Text>
      ) : view === 'attempts' ? (
        <AttemptsTable evidence={evidence} />
      ) : (
        <AddressesTable evidence={evidence} />
      )}
    </Card>
  );
}
