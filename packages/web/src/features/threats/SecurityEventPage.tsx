import type { SecurityEventDetail } from '@custos/shared';
import { Anchor, Button, Grid, Group, Paper, Stack, Text, Title } from '@mantine/core';
import { IconArrowLeft, IconSearchOff } from '@tabler/icons-react';
import { Link, useParams } from 'react-router';
import { hookError } from '../../app/errors';
import { EmptyState, LoadError, SectionLoader } from '../../ui/states';
import { Require } from '../shell/RequirePermission';
import { AuditTamperingCard } from './AuditTamperingCard';
import { useGetSecurityEventQuery } from './api';
import { EventFacts } from './EventFacts';
import { EventResponsesCard } from './EventResponsesCard';
import { EvidenceCard } from './EvidenceCard';
import { detectorName, LiveIndicator, SeverityBadge, StatusBadge } from './parts';
import { SourcesCard } from './SourcesCard';
import { TimelineCard } from './TimelineCard';
import { TriageCard } from './TriageCard';
import { useSecurityStream } from './useSecurityStream';

function BackLink() {
  return (
    <Anchor component={Link} to="/security/events" size="sm" c="dimmed">
      <Group gap={4}>
        <IconArrowLeft size={14} />
        Security events
      </Group>
    </Anchor>
  );
}

function EventHeader({
  event,
  live,
}: {
  event: SecurityEventDetail;
  live: ReturnType<typeof useSecurityStream>;
}) {
  return (
    <Stack gap="xs" mb="lg">
      <BackLink />
      <Group justify="space-between" align="flex-start" wrap="wrap" gap="sm">
        <Stack gap={6}>
          <Group gap="sm">
            <SeverityBadge severity={event.severity} size="lg" />
            <Title order={1} size="h2">
              {detectorName(event.type)}
            </Title>
            <StatusBadge status={event.status} size="lg" />
          </Group>
          <Text size="sm" maw={720} data-testid="event-explanation">
            {event.explanation}
          </Text>
        </Stack>
        <LiveIndicator status={live.status} onRetry={live.retry} />
      </Group>
    </Stack>
  );
}

function NotFound() {
  return (
    <Stack gap="md">
      <BackLink />
      <Paper withBorder>
        <EmptyState
          icon={<IconSearchOff size={24} />}
          title="Security event not found"
          description="This security event does not exist or belongs to another organization."
          action={
            <Button component={Link} to="/security/events" variant="light">
              Back to security events
            </Button>
          }
        />
      </Paper>
    </Stack>
  );
}

function EventDetail({ id }: { id: string }) {
  const live = useSecurityStream();
  const { data: event, error, isLoading, refetch } = useGetSecurityEventQuery(id);
  const apiError = hookError(error);
  if (isLoading) return <SectionLoader label="Loading the security event" />;
  if (!event) {
    if (apiError?.status === 404 || apiError?.code === 'VALIDATION_FAILED') return <NotFound />;
    return (
      <Stack gap="md">
        <BackLink />
        <LoadError error={apiError} what="the security event" onRetry={() => void refetch()} />
      </Stack>
    );
  }
  return (
    <>
      <EventHeader event={event} live={live} />
      <Grid gutter="lg">
        <Grid.Col span={{ base: 12, lg: 8 }}>
          <Stack gap="lg">
            <EventFacts event={event} />
            <TimelineCard eventId={event.id} type={event.type} timeline={event.timeline} />
          </Stack>
        </Grid.Col>
        <Grid.Col span={{ base: 12, lg: 4 }}>
          <Stack gap="lg">
            <TriageCard event={event} />
            <EventResponsesCard responses={event.responses} event={event} />
          </Stack>
        </Grid.Col>
        {/* The wide tables take the page's whole width, so no column is cut at 1440. */}
        <Grid.Col span={12}>
          <Stack gap="lg">
            <SourcesCard event={event} />
            {event.type === 'audit_tampering' && event.evidence.length === 0 ? (
              <AuditTamperingCard event={event} />
            ) : (
              <EvidenceCard evidence={event.evidence} type={event.type} count={event.count} />
            )}
          </Stack>
        </Grid.Col>
      </Grid>
    </>
  );
}

/** `/security/events/:id`: one event with its facts, evidence, timeline, triage and responses. */
export function SecurityEventPage() {
  const { id = '' } = useParams();
  return (
    <Require organization permission="security:read">
      <EventDetail key={id} id={id} />
    </Require>
  );
}
