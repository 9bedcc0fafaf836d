import type { AuditEventOut } from '@custos/shared';
import { Button, Center, Group, Loader, Table, Text } from '@mantine/core';
import { type KeyboardEvent, useEffect, useRef } from 'react';
import { formatRelative, formatShortDate, formatTime, formatTimestamp } from '../../app/format';
import { DataTable } from '../../ui/tables';
import { useDisplayTimeZone } from '../../ui/timeZone';
import {
  ActorSummary,
  actionNote,
  ErasedMark,
  IntegrityBadge,
  OutcomeBadge,
  SourceBadge,
  TargetsSummary,
} from './eventParts';

function IpCell({ event }: { event: AuditEventOut }) {
  if (event.erased.includes('actor.ip')) return <ErasedMark compact />;
  if (!event.actor.ip) {
    return (
      <Text size="sm" c="dimmed">
        —
      </Text>
    );
  }
  return (
    <Text size="sm" className="custos-mono">
      {event.actor.ip}
    </Text>
  );
}

function EventRow({ event, fresh, onOpen }: { event: AuditEventOut; fresh: boolean; onOpen: () => void }) {
  useDisplayTimeZone();
  function onKeyDown(e: KeyboardEvent) {
    if (e.key === 'Enter' || e.key === ' ') {
      e.preventDefault();
      onOpen();
    }
  }
  return (
    <Table.Tr
      className={fresh ? 'custos-clickable-row custos-fresh-row' : 'custos-clickable-row'}
      tabIndex={0}
      onClick={onOpen}
      onKeyDown={onKeyDown}
      data-fresh={fresh || undefined}
      data-seq={event.seq}
      data-integrity={event.integrity}
    >
      <Table.Td title={`${formatTimestamp(event.occurredAt)} (${formatRelative(event.occurredAt)})`}>
        <Text size="sm" style={{ whiteSpace: 'nowrap' }}>
          {formatTime(event.occurredAt)}
        </Text>
        <Text size="xs" c="dimmed" style={{ whiteSpace: 'nowrap' }}>
          {formatShortDate(event.occurredAt)}
        </Text>
      </Table.Td>
      <Table.Td data-label="Actor">
        <ActorSummary event={event} />
      </Table.Td>
      <Table.Td data-label="Action" data-wide>
        <Text size="sm" className="custos-mono" title={actionNote(event.action)?.long}>
          {event.action}
        </Text>
        {actionNote(event.action) && (
          <Text size="xs" c="dimmed" data-testid="action-note">
            {actionNote(event.action)?.short}
          </Text>
        )}
        <IntegrityBadge integrity={event.integrity} />
      </Table.Td>
      <Table.Td data-label="Outcome">
        <OutcomeBadge outcome={event.outcome} />
      </Table.Td>
      <Table.Td data-label="Targets">
        <TargetsSummary targets={event.targets} />
      </Table.Td>
      <Table.Td data-label="Source">
        <SourceBadge source={event.source} />
      </Table.Td>
      <Table.Td data-label="IP">
        <IpCell event={event} />
      </Table.Td>
    </Table.Tr>
  );
}

interface EventsTableProps {
  events: AuditEventOut[];
  /** Ids of events that arrived through the live tail (highlighted briefly). */
  freshIds: ReadonlySet<string>;
  onOpen: (id: string) => void;
}

export function EventsTable({ events, freshIds, onOpen }: EventsTableProps) {
  return (
    <DataTable
      label="Audit events"
      minWidth={860}
      cardsOnPhone
      head={
        <>
          <Table.Th>Time</Table.Th>
          <Table.Th>Actor</Table.Th>
          <Table.Th>Action</Table.Th>
          <Table.Th>Outcome</Table.Th>
          <Table.Th>Targets</Table.Th>
          <Table.Th>Source</Table.Th>
          <Table.Th>IP</Table.Th>
        </>
      }
    >
      {events.map((event) => (
        <EventRow
          key={event.id}
          event={event}
          fresh={freshIds.has(event.id)}
          onOpen={() => onOpen(event.id)}
        />
      ))}
    </DataTable>
  );
}

interface MoreEventsProps {
  hasMore: boolean;
  loading: boolean;
  failed: boolean;
  /** Changes after each page, so a sentinel still in view asks again. */
  pages: number;
  onLoadMore: () => void;
}

/**
 * The foot of the table: loads the next page when it scrolls into view (IntersectionObserver),
 * with a button for keyboards and a retry when a page failed.
 */
export function MoreEvents({ hasMore, loading, failed, pages, onLoadMore }: MoreEventsProps) {
  const sentinel = useRef<HTMLDivElement>(null);
  const load = useRef(onLoadMore);
  load.current = onLoadMore;
  const watching = hasMore && !loading && !failed;

  // biome-ignore lint/correctness/useExhaustiveDependencies: a new observer per page reports a sentinel still in view
  useEffect(() => {
    const element = sentinel.current;
    if (!element || !watching) return;
    const observer = new IntersectionObserver(
      (entries) => {
        if (entries.some((entry) => entry.isIntersecting)) load.current();
      },
      { rootMargin: '300px 0px' },
    );
    observer.observe(element);
    return () => observer.disconnect();
  }, [watching, pages]);

  if (loading) {
    return (
      <Center py="md" aria-busy="true">
        <Group gap="xs">
          <Loader size="xs" />
          <Text size="sm" c="dimmed">
            Loading older events…
          </Text>
        </Group>
      </Center>
    );
  }
  if (failed) {
    return (
      <Center py="md">
        <Group gap="xs">
          <Text size="sm" c="red">
            Could not load older events.
          </Text>
          <Button size="xs" variant="light" onClick={onLoadMore}>
            Try again
          </Button>
        </Group>
      </Center>
    );
  }
  if (hasMore) {
    return (
      <Center py="sm" ref={sentinel} data-testid="load-more-sentinel">
        <Button size="xs" variant="subtle" color="gray" onClick={onLoadMore}>
          Load older events
        </Button>
      </Center>
    );
  }
  return (
    <Text size="xs" c="dimmed" ta="center" py="md">
      That is the oldest event matching the filters.
    </Text>
  );
}
