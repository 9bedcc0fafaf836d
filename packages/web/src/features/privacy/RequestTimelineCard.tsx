import type { PrivacyRequestDetail } from '@custos/shared';
import { Card, Stack, Text, Timeline, Title } from '@mantine/core';
import { IconAlertTriangle, IconCircleCheck, IconInfoCircle, IconX } from '@tabler/icons-react';
import { RelativeTime } from '../../ui/RelativeTime';
import { useDisplayTimeZone } from '../../ui/timeZone';
import { type EntryText, timelineActor, timelineText } from './timelineText';

const TONES: Record<EntryText['tone'], { icon: typeof IconInfoCircle; color: string }> = {
  info: { icon: IconInfoCircle, color: 'indigo' },
  good: { icon: IconCircleCheck, color: 'teal' },
  warn: { icon: IconAlertTriangle, color: 'orange' },
  bad: { icon: IconX, color: 'red' },
};

/** Everything that happened to the request, oldest first. */
export function RequestTimelineCard({ request }: { request: PrivacyRequestDetail }) {
  useDisplayTimeZone();
  const systems = new Map(request.tasks.map((t) => [t.systemId, t.systemName]));
  const entries = [...request.timeline].sort((a, b) => a.at.localeCompare(b.at));
  return (
    <Card withBorder radius="md" padding="lg" component="section" aria-labelledby="request-timeline-title">
      <Stack gap="md">
        <Title order={2} size="h5" id="request-timeline-title">
          Timeline
        </Title>
        {entries.length === 0 ? (
          <Text size="sm" c="dimmed">
            Nothing has happened to this request yet.
          </Text>
        ) : (
          <Timeline active={entries.length - 1} bulletSize={26} lineWidth={2} data-testid="request-timeline">
            {entries.map((entry) => {
              const text = timelineText(entry, systems);
              const { icon: Icon, color } = TONES[text.tone];
              return (
                <Timeline.Item
                  key={entry.id}
                  title={
                    <Text size="sm" fw={600}>
                      {text.title}
                    </Text>
                  }
                  bullet={<Icon size={14} aria-hidden />}
                  color={color}
                  data-kind={entry.kind}
                >
                  {text.detail && (
                    <Text size="sm" c="dimmed" style={{ whiteSpace: 'pre-wrap', wordBreak: 'break-word' }}>
                      {text.detail}
                    </Text>
                  )}
                  <Text size="xs" c="dimmed" mt={2}>
                    {timelineActor(entry)} · <RelativeTime iso={entry.at} size="xs" />
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
