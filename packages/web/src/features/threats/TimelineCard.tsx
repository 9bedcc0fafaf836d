import type { SecurityEventDetail } from '@custos/shared';
import { Anchor, Card, Group, Stack, Text, Timeline, Title } from '@mantine/core';
import {
  IconAlertTriangle,
  IconArrowsExchange,
  IconBell,
  IconHandOff,
  IconHandStop,
  IconMessage,
  IconRepeat,
  IconUserCheck,
} from '@tabler/icons-react';
import type { ComponentType } from 'react';
import { Link } from 'react-router';
import { RelativeTime } from '../../ui/RelativeTime';
import { useDisplayTimeZone } from '../../ui/timeZone';
import { type Activity, activityActor, activityText } from './activity';

const ICONS: Record<Activity['kind'], { icon: ComponentType<{ size?: number }>; color: string }> = {
  raised: { icon: IconAlertTriangle, color: 'red' },
  repeated: { icon: IconRepeat, color: 'orange' },
  status_changed: { icon: IconArrowsExchange, color: 'indigo' },
  assigned: { icon: IconUserCheck, color: 'indigo' },
  note: { icon: IconMessage, color: 'gray' },
  response_applied: { icon: IconHandStop, color: 'grape' },
  response_lifted: { icon: IconHandOff, color: 'teal' },
  alert_sent: { icon: IconBell, color: 'yellow' },
};

/** Everything that happened to the event, oldest first. */
export function TimelineCard({
  eventId,
  type,
  timeline,
}: {
  eventId: string;
  type: SecurityEventDetail['type'];
  timeline: SecurityEventDetail['timeline'];
}) {
  useDisplayTimeZone();
  const entries = [...timeline].sort((a, b) => a.at.localeCompare(b.at));
  const alerted = entries.some((entry) => entry.kind === 'alert_sent');
  return (
    <Card withBorder radius="md" padding="lg" component="section" aria-labelledby="event-timeline-title">
      <Stack gap="md">
        <Group justify="space-between">
          <Title order={5} id="event-timeline-title">
            Timeline
          </Title>
          {alerted && (
            <Anchor
              component={Link}
              to={`/security/alerts/deliveries?event=${encodeURIComponent(eventId)}`}
              size="sm"
            >
              Alert deliveries
            </Anchor>
          )}
        </Group>
        {entries.length === 0 ? (
          <Text size="sm" c="dimmed">
            Nothing has happened to this event yet.
          </Text>
        ) : (
          <Timeline active={entries.length - 1} bulletSize={26} lineWidth={2} data-testid="event-timeline">
            {entries.map((entry) => {
              const { icon: Icon, color } = ICONS[entry.kind] ?? ICONS.note;
              const { title, detail } = activityText(entry, type);
              return (
                <Timeline.Item
                  key={entry.id}
                  title={
                    <Text size="sm" fw={600}>
                      {title}
                    </Text>
                  }
                  bullet={<Icon size={14} />}
                  color={color}
                  data-kind={entry.kind}
                >
                  {detail && (
                    <Text
                      size="sm"
                      c={entry.kind === 'note' ? undefined : 'dimmed'}
                      style={{ whiteSpace: 'pre-wrap', wordBreak: 'break-word' }}
                    >
                      {detail}
                    </Text>
                  )}
                  <Text size="xs" c="dimmed" mt={2}>
                    {activityActor(entry, type)} · <RelativeTime iso={entry.at} size="xs" />
                  </Text>
                </Timeline.Item>
              );
            })}
          </Timeline>
        )}
      </Stack>
    </Card>
  );
}
