import type { AuditEventOut } from '@custos/shared';
import { ActionIcon, Badge, Button, Card, Group, Switch, Text, Tooltip } from '@mantine/core';
import { IconAlertTriangle, IconFilterOff, IconHistory, IconRefresh } from '@tabler/icons-react';
import { type ReactNode, useEffect, useState } from 'react';
import { api } from '../../app/api';
import { type ApiError, hookError } from '../../app/errors';
import { formatCount } from '../../app/format';
import { useAppDispatch } from '../../app/hooks';
import { EmptyState, SectionLoader } from '../../ui/states';
import { useSearchAuditEventsInfiniteQuery } from './api';
import { EventsTable, MoreEvents } from './EventsTable';
import { activeFilterCount } from './filters';
import type { AuditFiltersState } from './useAuditFilters';
import { type TailStatus, useLiveTail } from './useLiveTail';

/** Events streamed in live are kept up to this many; older ones are in the pages below anyway. */
const MAX_FRESH = 500;

const TAIL_BADGES: Record<Exclude<TailStatus, 'off'>, { color: string; label: string }> = {
  connecting: { color: 'gray', label: 'Connecting…' },
  live: { color: 'teal', label: 'Live' },
  reconnecting: { color: 'yellow', label: 'Reconnecting…' },
  failed: { color: 'red', label: 'Disconnected' },
};

function LiveTailControl({
  on,
  onChange,
  status,
  blockedReason,
  onRetry,
}: {
  on: boolean;
  onChange: (on: boolean) => void;
  status: TailStatus;
  blockedReason: string | undefined;
  onRetry: () => void;
}) {
  const toggle = (
    <Switch
      label="Live tail"
      checked={on && !blockedReason}
      disabled={blockedReason !== undefined}
      onChange={(event) => onChange(event.currentTarget.checked)}
    />
  );
  const badge = status !== 'off' ? TAIL_BADGES[status] : undefined;
  return (
    <Group gap="xs" wrap="nowrap">
      {blockedReason ? (
        <Tooltip label={blockedReason} withArrow multiline w={260}>
          <div>{toggle}</div>
        </Tooltip>
      ) : (
        toggle
      )}
      {badge && (
        <Badge
          variant="light"
          color={badge.color}
          leftSection={status === 'live' ? <span className="custos-live-dot" /> : undefined}
          data-testid="live-tail-status"
        >
          {badge.label}
        </Badge>
      )}
      {status === 'failed' && (
        <Tooltip
          label="The live tail stopped after several failed attempts. Check that you are still signed in."
          withArrow
          multiline
          w={260}
        >
          <Button size="xs" variant="light" color="red" onClick={onRetry}>
            Reconnect
          </Button>
        </Tooltip>
      )}
    </Group>
  );
}

function loadErrorHint(error: ApiError | undefined): string {
  if (!error) return 'Try again in a moment.';
  if (error.code === 'VALIDATION_FAILED' || error.code === 'AUDIT_FILTER_INVALID')
    return 'Check the filters above, or clear them.';
  if (error.status === 403) return 'Your roles do not include audit:read. Ask an owner or admin.';
  if (error.status === 0) return 'Check your connection, then try again.';
  return 'Try again; if it keeps failing, the server log says why.';
}

interface EventsCardProps {
  state: AuditFiltersState;
  live: boolean;
  onLiveChange: (on: boolean) => void;
}

/** The results of the current search: the first page, more as you scroll, and new events live. */
export function EventsCard({ state, live, onLiveChange }: EventsCardProps) {
  const { query, filters, clear, openEvent } = state;
  const result = useSearchAuditEventsInfiniteQuery(query);
  const [fresh, setFresh] = useState<AuditEventOut[]>([]);
  const pages = result.data?.pages ?? [];
  const seen = new Set<string>();
  const events = [...fresh, ...pages.flatMap((page) => page.events)].filter((event) => {
    if (seen.has(event.id)) return false;
    seen.add(event.id);
    return true;
  });
  const freshIds = new Set(fresh.map((event) => event.id));
  const blockedReason = query.to
    ? 'A custom range that ends at a fixed time gets no new events. Clear “To” to follow the log live.'
    : undefined;
  const tail = useLiveTail({
    enabled: live && !blockedReason && result.isSuccess,
    query,
    after: events[0]?.seq,
    onEvent: (event) => setFresh((list) => [event, ...list].slice(0, MAX_FRESH)),
  });
  const dispatch = useAppDispatch();
  // A tail that keeps failing may mean the session ended: re-asking /me sends the person to sign-in.
  useEffect(() => {
    if (tail.status === 'failed') dispatch(api.util.invalidateTags(['Me']));
  }, [tail.status, dispatch]);
  const filtered = activeFilterCount(filters) > 0;
  const apiError = hookError(result.error);

  let body: ReactNode;
  if (result.isLoading) body = <SectionLoader label="Searching the audit log" />;
  else if (!result.data) {
    body = (
      <div role="alert">
        <EmptyState
          icon={<IconAlertTriangle size={24} color="var(--mantine-color-red-6)" />}
          title="Could not load the audit log"
          description={
            <>
              {apiError?.message ?? 'Something went wrong.'}
              <br />
              {loadErrorHint(apiError)}
            </>
          }
          action={
            <Group gap="xs">
              <Button
                variant="light"
                leftSection={<IconRefresh size={16} />}
                onClick={() => result.refetch()}
              >
                Try again
              </Button>
              {filtered && (
                <Button variant="default" leftSection={<IconFilterOff size={16} />} onClick={clear}>
                  Clear filters
                </Button>
              )}
            </Group>
          }
        />
      </div>
    );
  } else if (events.length === 0) {
    body = filtered ? (
      <EmptyState
        icon={<IconFilterOff size={24} />}
        title="No events match these filters"
        description="Widen the time range, check the spelling of names and ids, or use a prefix such as user.* to match every action of a kind."
        action={
          <Button variant="light" onClick={clear}>
            Clear filters
          </Button>
        }
      />
    ) : (
      <EmptyState
        icon={<IconHistory size={24} />}
        title="No audit events yet"
        description="Events appear here as people sign in, invite members and change settings, and as your applications send them with an API key that has audit:write."
      />
    );
  } else {
    body = (
      <>
        <EventsTable events={events} freshIds={freshIds} onOpen={openEvent} />
        <MoreEvents
          hasMore={result.hasNextPage}
          loading={result.isFetchingNextPage}
          failed={result.isFetchNextPageError}
          pages={pages.length}
          onLoadMore={() => void result.fetchNextPage()}
        />
      </>
    );
  }

  return (
    <Card withBorder padding={0} radius="md" component="section" aria-labelledby="audit-events-title">
      <Group px="lg" py="sm" justify="space-between" wrap="wrap" gap="sm">
        <Group gap={8}>
          <Text fw={600} id="audit-events-title">
            Events
          </Text>
          {result.data && (
            <Text size="sm" c="dimmed" data-testid="audit-event-count">
              {result.hasNextPage
                ? `${formatCount(events.length)} shown, older ones load as you scroll`
                : `${formatCount(events.length)} ${events.length === 1 ? 'event' : 'events'}`}
            </Text>
          )}
        </Group>
        <Group gap="sm">
          <LiveTailControl
            on={live}
            onChange={onLiveChange}
            status={tail.status}
            blockedReason={blockedReason}
            onRetry={tail.retry}
          />
          <Tooltip label="Search again" withArrow>
            <ActionIcon
              variant="subtle"
              color="gray"
              aria-label="Refresh the results"
              loading={result.isFetching && !result.isFetchingNextPage && !result.isLoading}
              onClick={() => {
                setFresh([]);
                void result.refetch();
              }}
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
