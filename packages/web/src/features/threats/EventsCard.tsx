import { ActionIcon, Button, Card, Center, Group, Text, Tooltip } from '@mantine/core';
import { IconFilterOff, IconRefresh, IconShieldCheck } from '@tabler/icons-react';
import { type ReactNode, useMemo, useState } from 'react';
import { useNavigate } from 'react-router';
import { hookError } from '../../app/errors';
import { formatCount } from '../../app/format';
import { EmptyState, LoadError, SectionLoader } from '../../ui/states';
import { useCan, useMe } from '../shell/session';
import { useListSecurityEventsInfiniteQuery } from './api';
import { BulkTriageBar } from './BulkTriageBar';
import { EventsTable } from './EventsTable';
import { activeFilterCount, eventsQuery } from './eventFilters';
import { LiveIndicator } from './parts';
import type { EventFiltersState } from './useEventFilters';
import type { useSecurityStream } from './useSecurityStream';

interface EventsCardProps {
  state: EventFiltersState;
  stream: ReturnType<typeof useSecurityStream>;
}

/** The events matching the filters, a page at a time, with bulk triage for the picked ones. */
export function EventsCard({ state, stream }: EventsCardProps) {
  const me = useMe();
  const navigate = useNavigate();
  const canManage = useCan('security:manage');
  const query = useMemo(() => eventsQuery(state.filters, me.user.id), [state.filters, me.user.id]);
  const result = useListSecurityEventsInfiniteQuery(query);
  const [selectedIds, setSelectedIds] = useState<Set<string>>(new Set());
  const events = useMemo(() => {
    const seen = new Set<string>();
    return (result.data?.pages ?? [])
      .flatMap((page) => page.events)
      .filter((event) => !seen.has(event.id) && Boolean(seen.add(event.id)));
  }, [result.data]);
  // Rows that left the list (triaged away, or a refetch) are no longer selected.
  const selected = events.filter((event) => selectedIds.has(event.id));
  const filtered = activeFilterCount(state.filters) > 0;

  let body: ReactNode;
  if (result.isLoading) body = <SectionLoader label="Loading security events" />;
  else if (!result.data) {
    body = (
      <Center p="lg">
        <LoadError
          error={hookError(result.error)}
          what="the security events"
          onRetry={() => void result.refetch()}
        />
      </Center>
    );
  } else if (events.length === 0) {
    body = filtered ? (
      <EmptyState
        icon={<IconFilterOff size={24} />}
        title="No security events match these filters"
        description="Widen the status or severity, or reset the filters."
        action={
          <Button variant="light" onClick={state.clear}>
            Reset filters
          </Button>
        }
      />
    ) : (
      <EmptyState
        icon={<IconShieldCheck size={24} />}
        title="Nothing needs attention"
        description="No open or acknowledged security events. Custos watches sign-ins, permission denials and exports; when a detector fires, the event appears here at once."
      />
    );
  } else {
    body = (
      <>
        <BulkTriageBar
          selected={selected}
          onDone={(updated) =>
            setSelectedIds((current) => new Set([...current].filter((id) => !updated.includes(id))))
          }
          onClear={() => setSelectedIds(new Set())}
        />
        <EventsTable
          events={events}
          selectable={canManage}
          selected={selectedIds}
          onSelectionChange={setSelectedIds}
          onOpen={(id) => navigate(`/security/events/${encodeURIComponent(id)}`)}
        />
        {result.hasNextPage ? (
          <Center py="sm">
            <Button
              size="xs"
              variant="light"
              loading={result.isFetchingNextPage}
              onClick={() => void result.fetchNextPage()}
            >
              Load more
            </Button>
          </Center>
        ) : (
          <Text size="xs" c="dimmed" ta="center" py="md">
            That is every event matching the filters.
          </Text>
        )}
        {result.isFetchNextPageError && (
          <Text size="sm" c="red" ta="center" pb="md">
            Could not load more events. Try again.
          </Text>
        )}
      </>
    );
  }

  return (
    <Card withBorder padding={0} radius="md" component="section" aria-labelledby="security-events-title">
      <Group px="lg" py="sm" justify="space-between" wrap="wrap" gap="sm">
        <Group gap={8}>
          <Text fw={600} id="security-events-title">
            Events
          </Text>
          {result.data && (
            <Text size="sm" c="dimmed" data-testid="security-event-count">
              {result.hasNextPage
                ? `${formatCount(events.length)} shown, more below`
                : `${formatCount(events.length)} ${events.length === 1 ? 'event' : 'events'}`}
            </Text>
          )}
        </Group>
        <Group gap="sm">
          <LiveIndicator status={stream.status} onRetry={stream.retry} />
          <Tooltip label="Refresh" withArrow>
            <ActionIcon
              variant="subtle"
              color="gray"
              aria-label="Refresh the events"
              loading={result.isFetching && !result.isFetchingNextPage && !result.isLoading}
              onClick={() => void result.refetch()}
            >
              <IconRefresh size={18} />
            </ActionIcon>
          </Tooltip>
        </Group>
      </Group>
      {body}
    </Card>
  );
}
