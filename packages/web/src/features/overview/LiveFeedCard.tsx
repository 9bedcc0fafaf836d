import type { SecurityEventOut } from '@custos/shared';
import { Anchor, Badge, Button, Group, ScrollArea, Stack, Text } from '@mantine/core';
import { IconRadar2 } from '@tabler/icons-react';
import { useEffect, useState } from 'react';
import { Link } from 'react-router';
import { RelativeTime } from '../../ui/RelativeTime';
import { EmptyState } from '../../ui/states';
import {
  countLabel,
  DETECTOR_NAMES,
  SEVERITY_COLORS,
  SEVERITY_LABELS,
  SEVERITY_SHADES,
  STATUS_LABELS,
} from '../threats/labels';
import { DashboardCard } from './DashboardCard';
import { eventLink } from './links';
import type { LiveFeed } from './useLiveFeed';

/** Re-renders every `intervalMs` so relative times ("2 minutes ago") stay true. */
function useNow(intervalMs: number): Date {
  const [now, setNow] = useState(() => new Date());
  useEffect(() => {
    const timer = setInterval(() => setNow(new Date()), intervalMs);
    return () => clearInterval(timer);
  }, [intervalMs]);
  return now;
}

function FeedItem({ event, fresh, now }: { event: SecurityEventOut; fresh: boolean; now: Date }) {
  // Open is what a fresh event is: only the other statuses earn a badge.
  const status = event.status === 'open' ? undefined : STATUS_LABELS[event.status];
  const color = SEVERITY_SHADES[event.severity].replace('.', '-');
  return (
    <div
      className={fresh ? 'custos-overview-feed-item custos-overview-fresh' : 'custos-overview-feed-item'}
      style={{ borderLeftColor: `var(--mantine-color-${color})` }}
      data-testid="feed-event"
      data-severity={event.severity}
      data-fresh={fresh || undefined}
    >
      <Group justify="space-between" align="flex-start" wrap="nowrap" gap="sm">
        <Stack gap={2} style={{ minWidth: 0 }}>
          <Group gap={6} wrap="wrap">
            <Badge size="xs" color={SEVERITY_COLORS[event.severity]} variant="filled">
              {SEVERITY_LABELS[event.severity]}
            </Badge>
            <Anchor component={Link} to={eventLink(event.id)} size="sm" fw={600}>
              {DETECTOR_NAMES[event.type] ?? event.type}
            </Anchor>
            {event.count > 1 && (
              <Badge size="xs" variant="light" color="gray" tt="none">
                {countLabel(event.type, event.count)}
              </Badge>
            )}
            {status && (
              <Badge size="xs" variant="outline" color="gray" tt="none">
                {status}
              </Badge>
            )}
          </Group>
          <Text size="sm" c="dimmed" lineClamp={2}>
            {event.explanation}
          </Text>
        </Stack>
        <RelativeTime iso={event.lastSeenAt} now={now} seconds size="xs" c="dimmed" />
      </Group>
    </div>
  );
}

/** The most recently active security events, newest on top, with those raised live flashing in. */
export function LiveFeedCard({ feed }: { feed: LiveFeed }) {
  const now = useNow(30_000);
  return (
    <DashboardCard
      title="Live feed"
      subtitle="Security events as detectors raise them"
      more={{ to: '/security/events', label: 'All events' }}
      testId="live-feed"
    >
      {feed.events.length === 0 ? (
        <EmptyState
          icon={<IconRadar2 size={24} />}
          title="No security events yet"
          description="Detection is on: Custos watches sign-ins, sessions and permission changes and raises an event when something looks wrong. New events appear here the moment they are raised."
          action={
            <Button component={Link} to="/security/detection" variant="light" size="xs">
              Tune detectors
            </Button>
          }
        />
      ) : (
        <ScrollArea.Autosize mah={440} type="auto" offsetScrollbars>
          <Stack gap={6} aria-live="polite" aria-relevant="additions">
            {feed.events.map((event) => (
              <FeedItem key={event.id} event={event} fresh={feed.fresh.has(event.id)} now={now} />
            ))}
          </Stack>
        </ScrollArea.Autosize>
      )}
    </DashboardCard>
  );
}
