import type { AuditEventOut } from '@custos/shared';
import {
  ActionIcon,
  Alert,
  Badge,
  Code,
  Divider,
  Drawer,
  Group,
  SimpleGrid,
  Stack,
  Table,
  Text,
  Title,
  Tooltip,
} from '@mantine/core';
import { IconArchive, IconFilter, IconShieldX, IconUserShield } from '@tabler/icons-react';
import { type ReactNode, useRef } from 'react';
import { hookError } from '../../app/errors';
import { formatCount, formatRelative, formatTimestamp } from '../../app/format';
import { LoadError, SectionLoader } from '../../ui/states';
import { useDisplayTimeZone } from '../../ui/timeZone';
import { useGetAuditEventQuery } from './api';
import {
  ACTOR_TYPES,
  actionNote,
  ERASED,
  ErasedMark,
  IntegrityBadge,
  OutcomeBadge,
  SourceBadge,
} from './eventParts';
import { Field } from './Field';
import { HashValue, ProofSection } from './ProofSection';

type Actor = AuditEventOut['actor'];

/** Narrows the search to one value; shown beside the values worth following. */
function FilterBy({ label, onClick }: { label: string; onClick: () => void }) {
  return (
    <Tooltip label={label} withArrow position="left">
      <ActionIcon variant="subtle" color="gray" size="sm" aria-label={label} onClick={onClick}>
        <IconFilter size={14} />
      </ActionIcon>
    </Tooltip>
  );
}

function Section({ title, children }: { title: string; children: ReactNode }) {
  return (
    <Stack gap="xs" component="section">
      <Title order={5}>{title}</Title>
      {children}
    </Stack>
  );
}

/** A value, or the erased mark when its data subject was erased, or a dash when absent. */
function Value({
  value,
  erased,
  mono,
}: {
  value: string | null | undefined;
  erased: boolean;
  mono?: boolean;
}) {
  if (erased || value === ERASED) return <ErasedMark />;
  if (!value) {
    return (
      <Text size="sm" c="dimmed">
        —
      </Text>
    );
  }
  return (
    <Text size="sm" className={mono ? 'custos-mono' : undefined} style={{ wordBreak: 'break-word' }}>
      {value}
    </Text>
  );
}

function ActorFields({
  actor,
  prefix,
  erased,
  onFilter,
}: {
  actor: Actor;
  prefix: 'actor' | 'impersonator';
  erased: string[];
  onFilter?: (id: string) => void;
}) {
  const isErased = (field: string) => erased.includes(`${prefix}.${field}`);
  return (
    <SimpleGrid cols={2} spacing="sm" verticalSpacing="sm">
      <Field label="Type">
        <Text size="sm">{ACTOR_TYPES[actor.type] ?? actor.type}</Text>
      </Field>
      <Field label="Id">
        <Group gap={4} wrap="nowrap">
          <Value value={actor.id} erased={false} mono />
          {actor.id && onFilter && (
            <FilterBy label="Show this actor's events" onClick={() => onFilter(actor.id ?? '')} />
          )}
        </Group>
      </Field>
      <Field label="Name">
        {!actor.name && actor.displayName ? (
          <Text size="sm">
            {actor.displayName}{' '}
            <Text span size="xs" c="dimmed">
              (the member’s name today; the event recorded none)
            </Text>
          </Text>
        ) : (
          <Value value={actor.name} erased={isErased('name')} />
        )}
      </Field>
      <Field label="E-mail">
        <Value value={actor.email} erased={isErased('email')} />
      </Field>
      <Field label="IP address">
        <Value value={actor.ip} erased={isErased('ip')} mono />
      </Field>
      <Field label="User agent">
        <Text
          size="xs"
          c={actor.userAgent ? undefined : 'dimmed'}
          lineClamp={3}
          title={actor.userAgent ?? ''}
        >
          {actor.userAgent ?? '—'}
        </Text>
      </Field>
    </SimpleGrid>
  );
}

/** Strings as they are; short JSON on one line, longer JSON indented. */
function json(value: unknown): string {
  if (typeof value === 'string') return value;
  const compact = JSON.stringify(value);
  return compact.length <= 60 ? compact : JSON.stringify(value, null, 2);
}

function JsonValue({ value, color }: { value: unknown; color?: string }) {
  if (value === ERASED) return <ErasedMark />;
  if (value === null || value === undefined) {
    return (
      <Text size="sm" c="dimmed" fs="italic">
        none
      </Text>
    );
  }
  return (
    <Code color={color} style={{ whiteSpace: 'pre-wrap', wordBreak: 'break-word' }}>
      {json(value)}
    </Code>
  );
}

/** What changed, field by field: the value before (red) and after (green). */
function ChangesDiff({
  changes,
  erased,
}: {
  changes: NonNullable<AuditEventOut['changes']>;
  erased: string[];
}) {
  return (
    <Table withTableBorder layout="fixed" verticalSpacing="xs" aria-label="Changes">
      <Table.Thead>
        <Table.Tr>
          <Table.Th w="28%">Field</Table.Th>
          <Table.Th>Before</Table.Th>
          <Table.Th>After</Table.Th>
        </Table.Tr>
      </Table.Thead>
      <Table.Tbody>
        {Object.entries(changes).map(([field, [before, after]]) => {
          const gone = erased.includes(`changes.${field}`);
          return (
            <Table.Tr key={field}>
              <Table.Td>
                <Text size="sm" className="custos-mono" style={{ wordBreak: 'break-word' }}>
                  {field}
                </Text>
              </Table.Td>
              <Table.Td>{gone ? <ErasedMark /> : <JsonValue value={before} color="red.1" />}</Table.Td>
              <Table.Td>{gone ? <ErasedMark /> : <JsonValue value={after} color="teal.1" />}</Table.Td>
            </Table.Tr>
          );
        })}
      </Table.Tbody>
    </Table>
  );
}

function Metadata({ metadata, erased }: { metadata: Record<string, unknown>; erased: string[] }) {
  return (
    <Table withTableBorder layout="fixed" verticalSpacing="xs" aria-label="Metadata">
      <Table.Tbody>
        {Object.entries(metadata).map(([key, value]) => (
          <Table.Tr key={key}>
            <Table.Td w="32%">
              <Text size="sm" className="custos-mono" style={{ wordBreak: 'break-word' }}>
                {key}
              </Text>
            </Table.Td>
            <Table.Td>
              {erased.includes(`metadata.${key}`) ? <ErasedMark /> : <JsonValue value={value} />}
            </Table.Td>
          </Table.Tr>
        ))}
      </Table.Tbody>
    </Table>
  );
}

/** Why what the drawer shows is not the record, for an event whose body was changed or is gone. */
function IntegrityAlert({ integrity }: { integrity: AuditEventOut['integrity'] }) {
  if (integrity === 'modified') {
    return (
      <Alert
        role="alert"
        color="red.9"
        variant="filled"
        icon={<IconShieldX size={18} />}
        title="Altered in the database"
        data-testid="event-altered"
      >
        This event’s stored contents do not match its hash: they were changed in the database. What is shown
        is not the record.
      </Alert>
    );
  }
  if (integrity === 'purged') {
    return (
      <Alert
        color="gray"
        variant="light"
        icon={<IconArchive size={18} />}
        title="Contents purged"
        // Mantine's light grey title is too faint for small text (WCAG AA).
        styles={{ title: { color: 'var(--mantine-color-gray-8)' } }}
      >
        This event’s contents are gone: purged by retention, or removed from the database. Only its place in
        the log and its leaf hash remain; custos audit verify checks that a retention purge the log records
        accounts for it. The fields shown (action, actor id, time) come from search columns that cannot be
        verified: treat them as hints, not as the record.
      </Alert>
    );
  }
  return null;
}

interface FilterActions {
  onFilter: (patch: { actor?: string; action?: string; targetType?: string; targetId?: string }) => void;
}

function EventDetails({ event, onFilter }: { event: AuditEventOut } & FilterActions) {
  useDisplayTimeZone();
  const { erased } = event;
  return (
    <Stack gap="lg">
      <IntegrityAlert integrity={event.integrity} />
      <SimpleGrid cols={{ base: 1, xs: 2 }} spacing="sm" verticalSpacing="sm">
        <Field label="Occurred">
          <Text size="sm">
            {formatTimestamp(event.occurredAt)}{' '}
            <Text span size="xs" c="dimmed">
              ({formatRelative(event.occurredAt)})
            </Text>
          </Text>
        </Field>
        <Field label="Received">
          <Text size="sm">{formatTimestamp(event.receivedAt)}</Text>
        </Field>
        <Field label="Action">
          <Group gap={4} wrap="nowrap">
            <Text size="sm" className="custos-mono">
              {event.action}
            </Text>
            <FilterBy
              label="Show events with this action"
              onClick={() => onFilter({ action: event.action })}
            />
          </Group>
          {actionNote(event.action) && (
            <Text size="xs" c="dimmed" data-testid="action-note">
              {actionNote(event.action)?.long}
            </Text>
          )}
        </Field>
        <Field label="Source">
          <div>
            <SourceBadge source={event.source} />
          </div>
        </Field>
        <Field label="Sequence number">
          <Text size="sm" className="custos-mono">
            {formatCount(event.seq)}
          </Text>
        </Field>
        <Field label="Request id">
          <Value value={event.requestId} erased={false} mono />
        </Field>
        {event.purged && (
          <Field label="Actor (unverified)">
            <Text size="sm">
              {ACTOR_TYPES[event.actor.type] ?? event.actor.type}
              {event.actor.id && (
                <Text span size="sm" className="custos-mono">
                  {' '}
                  {event.actor.id}
                </Text>
              )}
            </Text>
          </Field>
        )}
      </SimpleGrid>
      <Field label="Event id">
        <HashValue value={event.id} label="event id" />
      </Field>

      {!event.purged && (
        <>
          <Divider />
          <Section title="Actor">
            <ActorFields
              actor={event.actor}
              prefix="actor"
              erased={erased}
              onFilter={(actor) => onFilter({ actor })}
            />
          </Section>
          {event.impersonator && (
            <Section title="Impersonated by">
              <Alert color="yellow" variant="light" icon={<IconUserShield size={18} />} p="xs">
                Someone else acted as this actor. The person below did it.
              </Alert>
              <ActorFields actor={event.impersonator} prefix="impersonator" erased={erased} />
            </Section>
          )}
          <Section title={`Targets (${event.targets.length})`}>
            {event.targets.length === 0 ? (
              <Text size="sm" c="dimmed">
                This event names no targets.
              </Text>
            ) : (
              <Table withTableBorder layout="fixed" verticalSpacing="xs" aria-label="Targets">
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th w="26%">Type</Table.Th>
                    <Table.Th>Id</Table.Th>
                    <Table.Th>Name</Table.Th>
                    <Table.Th w={44} />
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {event.targets.map((target) => (
                    <Table.Tr key={`${target.type}:${target.id}`}>
                      <Table.Td>
                        <Badge variant="light" color="gray" tt="none">
                          {target.type}
                        </Badge>
                      </Table.Td>
                      <Table.Td>
                        <Text size="sm" className="custos-mono" style={{ wordBreak: 'break-all' }}>
                          {target.id}
                        </Text>
                      </Table.Td>
                      <Table.Td>
                        {target.name ? (
                          <Text size="sm">{target.name}</Text>
                        ) : target.displayName ? (
                          <Text size="sm" title="The member's current name: the event recorded none">
                            {target.displayName}{' '}
                            <Text span size="xs" c="dimmed">
                              (current name)
                            </Text>
                          </Text>
                        ) : (
                          <Text size="sm">—</Text>
                        )}
                      </Table.Td>
                      <Table.Td>
                        <FilterBy
                          label="Show events for this target"
                          onClick={() => onFilter({ targetType: target.type, targetId: target.id })}
                        />
                      </Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            )}
          </Section>
          {event.changes && Object.keys(event.changes).length > 0 && (
            <Section title="Changes">
              <ChangesDiff changes={event.changes} erased={erased} />
            </Section>
          )}
          {event.metadata && Object.keys(event.metadata).length > 0 && (
            <Section title="Metadata">
              <Metadata metadata={event.metadata} erased={erased} />
            </Section>
          )}
          {erased.length > 0 && (
            <Text size="xs" c="dimmed">
              Erased personal fields: {erased.join(', ')}.
            </Text>
          )}
        </>
      )}
    </Stack>
  );
}

interface EventDrawerProps extends FilterActions {
  eventId: string | undefined;
  onClose: () => void;
}

/** One event in full, with its integrity proof; opened from a row of the log. */
export function EventDrawer({ eventId, onClose, onFilter }: EventDrawerProps) {
  // Keeps the content while the drawer slides out.
  const shownId = useRef(eventId);
  if (eventId) shownId.current = eventId;
  const id = shownId.current;
  const { data, error, isFetching, refetch } = useGetAuditEventQuery(id ?? '', { skip: !id });

  return (
    <Drawer
      opened={eventId !== undefined}
      onClose={onClose}
      position="right"
      size="lg"
      title={
        data && data.event.id === id ? (
          <Group gap="sm">
            <Text fw={600} className="custos-mono">
              {data.event.action}
            </Text>
            <OutcomeBadge outcome={data.event.outcome} />
            <IntegrityBadge integrity={data.event.integrity} />
          </Group>
        ) : (
          <Text fw={600}>Audit event</Text>
        )
      }
    >
      {!data || data.event.id !== id ? (
        isFetching ? (
          <SectionLoader label="Loading the event and its proof" />
        ) : (
          <LoadError error={hookError(error)} what="this event" onRetry={refetch} />
        )
      ) : (
        <Stack gap="lg">
          <EventDetails event={data.event} onFilter={onFilter} />
          <Divider />
          <ProofSection proof={data.proof} integrity={data.event.integrity} />
        </Stack>
      )}
    </Drawer>
  );
}
