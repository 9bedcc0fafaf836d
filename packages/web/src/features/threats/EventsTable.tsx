import type { SecurityEventOut } from '@custos/shared';
import { Checkbox, Group, Stack, Table, Text, VisuallyHidden } from '@mantine/core';
import type { KeyboardEvent } from 'react';
import { RelativeTime } from '../../ui/RelativeTime';
import { DataTable } from '../../ui/tables';
import { otherSources } from './evidence';
import { countLabel } from './labels';
import { detectorName, SeverityBadge, SourceCell, StatusBadge, SubjectLabel } from './parts';

interface EventRowProps {
  event: SecurityEventOut;
  selectable: boolean;
  selected: boolean;
  onSelect: (selected: boolean) => void;
  onOpen: () => void;
}

function EventRow({ event, selectable, selected, onSelect, onOpen }: EventRowProps) {
  function onKeyDown(e: KeyboardEvent) {
    if (e.target !== e.currentTarget) return;
    if (e.key === 'Enter' || e.key === ' ') {
      e.preventDefault();
      onOpen();
    }
  }
  const name = detectorName(event.type);
  return (
    <Table.Tr
      className="custos-clickable-row"
      tabIndex={0}
      onClick={onOpen}
      onKeyDown={onKeyDown}
      bg={selected ? 'var(--mantine-primary-color-light)' : undefined}
      data-event-id={event.id}
    >
      {selectable && (
        <Table.Td w={40} onClick={(e) => e.stopPropagation()}>
          <Checkbox
            aria-label={`Select ${name} on ${event.subject.label ?? event.subject.id}`}
            checked={selected}
            onChange={(e) => onSelect(e.currentTarget.checked)}
          />
        </Table.Td>
      )}
      <Table.Td>
        <SeverityBadge severity={event.severity} />
      </Table.Td>
      <Table.Td maw={380} data-wide>
        <Stack gap={0}>
          <Text size="sm" fw={600}>
            {name}
          </Text>
          <Text size="xs" c="dimmed" lineClamp={1} title={event.explanation}>
            {event.explanation}
          </Text>
        </Stack>
      </Table.Td>
      <Table.Td data-label="Subject">
        <SubjectLabel subject={event.subject} />
      </Table.Td>
      <Table.Td data-label="Source">
        <SourceCell ip={event.sourceIp} country={event.country} more={otherSources(event)} />
      </Table.Td>
      <Table.Td ta="right" data-label="Count">
        <Text
          size="sm"
          fw={event.count > 1 ? 600 : undefined}
          c={event.count > 1 ? undefined : 'dimmed'}
          title={countLabel(event.type, event.count)}
          data-count={event.count}
        >
          <span aria-hidden>×{event.count.toLocaleString()}</span>
          <VisuallyHidden>{countLabel(event.type, event.count)}</VisuallyHidden>
        </Text>
      </Table.Td>
      <Table.Td data-label="Last seen">
        <RelativeTime iso={event.lastSeenAt} focusable={false} />
      </Table.Td>
      <Table.Td data-label="Status">
        <Stack gap={2}>
          <StatusBadge status={event.status} />
          {event.assignee && (
            <Text size="xs" c="dimmed" lineClamp={1}>
              {event.assignee.name}
            </Text>
          )}
        </Stack>
      </Table.Td>
    </Table.Tr>
  );
}

interface EventsTableProps {
  events: SecurityEventOut[];
  /** Whether rows can be picked for bulk triage (needs security:manage). */
  selectable: boolean;
  selected: ReadonlySet<string>;
  onSelectionChange: (ids: Set<string>) => void;
  onOpen: (id: string) => void;
}

export function EventsTable({ events, selectable, selected, onSelectionChange, onOpen }: EventsTableProps) {
  const allSelected = events.length > 0 && events.every((e) => selected.has(e.id));
  const someSelected = !allSelected && events.some((e) => selected.has(e.id));
  function toggle(id: string, on: boolean) {
    const next = new Set(selected);
    if (on) next.add(id);
    else next.delete(id);
    onSelectionChange(next);
  }
  return (
    <DataTable
      label="Security events"
      minWidth={960}
      cardsOnPhone
      head={
        <>
          {selectable && (
            <Table.Th w={40}>
              <Group>
                <Checkbox
                  aria-label="Select all shown events"
                  checked={allSelected}
                  indeterminate={someSelected}
                  onChange={(e) =>
                    onSelectionChange(
                      e.currentTarget.checked ? new Set(events.map((ev) => ev.id)) : new Set(),
                    )
                  }
                />
              </Group>
            </Table.Th>
          )}
          <Table.Th w={96}>Severity</Table.Th>
          <Table.Th>Event</Table.Th>
          <Table.Th>Subject</Table.Th>
          <Table.Th>Source</Table.Th>
          <Table.Th ta="right">Count</Table.Th>
          <Table.Th>Last seen</Table.Th>
          <Table.Th w={150}>Status</Table.Th>
        </>
      }
    >
      {events.map((event) => (
        <EventRow
          key={event.id}
          event={event}
          selectable={selectable}
          selected={selected.has(event.id)}
          onSelect={(on) => toggle(event.id, on)}
          onOpen={() => onOpen(event.id)}
        />
      ))}
    </DataTable>
  );
}
