import type { PrivacyRequestDetail } from '@custos/shared';
import { Alert, Anchor, Button, Card, Grid, Group, Paper, Stack, Text, Title } from '@mantine/core';
import { IconArrowLeft, IconCopy, IconSearchOff } from '@tabler/icons-react';
import type { ReactNode } from 'react';
import { Link, useParams } from 'react-router';
import { hookError } from '../../app/errors';
import { CopyField } from '../../ui/CopyField';
import { RelativeTime } from '../../ui/RelativeTime';
import { EmptyState, LoadError, SectionLoader } from '../../ui/states';
import { useDisplayTimeZone } from '../../ui/timeZone';
import { Require } from '../shell/RequirePermission';
import { useCan } from '../shell/session';
import { privacyApi, useGetPrivacyRequestQuery } from './api';
import {
  regimeName,
  SOURCE_DESCRIPTIONS,
  SOURCE_LABELS,
  STATE_DESCRIPTIONS,
  subjectLabel,
  typeName,
} from './labels';
import { RequestPackageCard } from './PackageCard';
import { RequestStateBadge } from './parts';
import { RequestActionsCard } from './RequestActions';
import { RequestClockCard } from './RequestClockCard';
import { requestReference } from './RequestsTable';
import { RequestTasksCard } from './RequestTasksCard';
import { RequestTimelineCard } from './RequestTimelineCard';

function BackLink() {
  return (
    <Anchor component={Link} to="/privacy/requests" size="sm" c="dimmed">
      <Group gap={4}>
        <IconArrowLeft size={14} aria-hidden />
        Privacy requests
      </Group>
    </Anchor>
  );
}

function Fact({ label, children }: { label: string; children: ReactNode }) {
  return (
    <Stack gap={2}>
      <Text size="xs" c="dimmed">
        {label}
      </Text>
      {children}
    </Stack>
  );
}

function RequestFacts({ request }: { request: PrivacyRequestDetail }) {
  const subject = subjectLabel(request);
  return (
    <Card withBorder radius="md" padding="lg" component="section" aria-labelledby="request-facts-title">
      <Stack gap="md">
        <Title order={2} size="h5" id="request-facts-title">
          Request
        </Title>
        <Grid gutter="md">
          <Grid.Col span={{ base: 12, sm: 6 }}>
            <Fact label="Person">
              <Text size="sm" style={{ wordBreak: 'break-all' }}>
                {subject.primary}
              </Text>
              {subject.secondary && (
                <Text size="sm" c="dimmed" style={{ wordBreak: 'break-all' }}>
                  {subject.secondary}
                </Text>
              )}
              {request.subjectRef && request.subjectRef !== subject.primary && (
                <Text size="xs" c="dimmed" className="custos-mono">
                  Your app’s id: {request.subjectRef}
                </Text>
              )}
            </Fact>
          </Grid.Col>
          <Grid.Col span={{ base: 12, sm: 6 }}>
            <Fact label="Source">
              <Text size="sm">{SOURCE_LABELS[request.source]}</Text>
              <Text size="xs" c="dimmed">
                {SOURCE_DESCRIPTIONS[request.source]}
              </Text>
            </Fact>
          </Grid.Col>
          <Grid.Col span={{ base: 12, sm: 6 }}>
            <Fact label="Received">
              <RelativeTime iso={request.receivedAt} />
            </Fact>
          </Grid.Col>
          <Grid.Col span={{ base: 12, sm: 6 }}>
            <Fact label="Identity verified">
              {request.verifiedAt ? (
                <RelativeTime iso={request.verifiedAt} />
              ) : (
                <Text size="sm">Not yet</Text>
              )}
            </Fact>
          </Grid.Col>
        </Grid>
        <CopyField
          label="Full reference"
          value={request.id}
          description={`The public request page gives the person this reference; ${requestReference(request.id)} is its last eight characters.`}
        />
        <Fact label="What they asked, in their words">
          <Text size="sm" style={{ whiteSpace: 'pre-wrap', wordBreak: 'break-word' }}>
            {request.details ?? 'Nothing written.'}
          </Text>
        </Fact>
        {request.email === null && request.subjectName === null && request.subjectRef === null && (
          <Text size="sm" c="dimmed">
            The person’s details are no longer readable: their key was destroyed when their data was erased.
            Custos keeps only this record that the request was answered.
          </Text>
        )}
      </Stack>
    </Card>
  );
}

function RequestHeader({ request }: { request: PrivacyRequestDetail }) {
  return (
    <Stack gap="xs" mb="lg">
      <BackLink />
      <Group gap="sm" wrap="wrap">
        <Title order={1} size="h2">
          {typeName(request.type)} request {requestReference(request.id)}
        </Title>
        <RequestStateBadge state={request.state} size="lg" />
      </Group>
      <Text size="sm" c="dimmed">
        {regimeName(request.regime)} · {subjectLabel(request).primary}
      </Text>
      <Text size="sm" maw={720} data-testid="request-state-description">
        {STATE_DESCRIPTIONS[request.state]}
      </Text>
      {request.duplicateOf && (
        <Alert color="yellow" variant="light" icon={<IconCopy size={18} />} title="Possible duplicate">
          An earlier request of the same type from the same person was open when this one arrived.{' '}
          <Anchor
            component={Link}
            to={`/privacy/requests/${request.duplicateOf}`}
            size="sm"
            underline="always"
          >
            Open request {requestReference(request.duplicateOf)}
          </Anchor>
        </Alert>
      )}
      {request.state === 'denied' && request.denialReason && (
        <Alert color="red" variant="light" title="Denied">
          {request.denialReason}
          {request.denialGround && <Text size="sm">Legal ground: {request.denialGround}</Text>}
        </Alert>
      )}
    </Stack>
  );
}

function NotFound() {
  return (
    <Stack gap="md">
      <BackLink />
      <Title order={1} size="h2">
        Privacy request not found
      </Title>
      <Paper withBorder>
        <EmptyState
          icon={<IconSearchOff size={24} />}
          title="No such request"
          description="This request does not exist or belongs to another organization."
          action={
            <Button component={Link} to="/privacy/requests" variant="light">
              Back to privacy requests
            </Button>
          }
        />
      </Paper>
    </Stack>
  );
}

/** How often a request whose tasks are still running is asked again. */
const POLL_MS = 5_000;

function RequestDetail({ id }: { id: string }) {
  useDisplayTimeZone();
  const canManage = useCan('privacy:manage');
  // While systems are still working, ask again every few seconds so their tasks' states move on screen.
  const cached = privacyApi.endpoints.getPrivacyRequest.useQueryState(id);
  const working =
    cached.data?.state === 'in_progress' &&
    cached.data.tasks.some((t) => t.state === 'queued' || t.state === 'delivered' || t.state === 'claimed');
  const {
    data: request,
    error,
    isLoading,
    refetch,
  } = useGetPrivacyRequestQuery(id, {
    pollingInterval: working ? POLL_MS : 0,
    skipPollingIfUnfocused: true,
  });
  const apiError = hookError(error);
  if (isLoading) return <SectionLoader label="Loading the privacy request" />;
  if (!request) {
    if (apiError?.status === 404 || apiError?.code === 'VALIDATION_FAILED') return <NotFound />;
    return (
      <Stack gap="md">
        <BackLink />
        <Title order={1} size="h2">
          Privacy request
        </Title>
        <LoadError error={apiError} what="the privacy request" onRetry={() => void refetch()} />
      </Stack>
    );
  }
  return (
    <>
      <RequestHeader request={request} />
      <Grid gutter="lg">
        <Grid.Col span={{ base: 12, lg: 8 }}>
          <Stack gap="lg">
            <RequestFacts request={request} />
            <RequestPackageCard request={request} canManage={canManage} />
            <RequestTasksCard request={request} canManage={canManage} />
            <RequestTimelineCard request={request} />
          </Stack>
        </Grid.Col>
        <Grid.Col span={{ base: 12, lg: 4 }}>
          <Stack gap="lg">
            <RequestClockCard request={request} />
            <RequestActionsCard request={request} canManage={canManage} />
          </Stack>
        </Grid.Col>
      </Grid>
    </>
  );
}

/** `/privacy/requests/:id`: one request with its clock, actions, tasks per system and timeline. */
export function PrivacyRequestPage() {
  const { id = '' } = useParams();
  return (
    <Require organization permission="privacy:read">
      <RequestDetail key={id} id={id} />
    </Require>
  );
}
