import '@mantine/charts/styles.css';
import './overview.css';
import { Alert, Grid, Group, Stack, Text } from '@mantine/core';
import { IconAlertTriangle } from '@tabler/icons-react';
import { type ApiError, hookError } from '../../app/errors';
import { formatTime } from '../../app/format';
import { LoadError } from '../../ui/states';
import { useDisplayTimeZone } from '../../ui/timeZone';
import { LiveIndicator } from '../threats/parts';
import { useSecurityOverviewQuery } from './api';
import { CountriesCard } from './CountriesCard';
import { DashboardSkeleton } from './DashboardSkeleton';
import { signInTotals, totalOpen } from './figures';
import { LiveFeedCard } from './LiveFeedCard';
import { OpenEventsCard } from './OpenEventsCard';
import { OverviewHeader } from './OverviewHeader';
import { PostureCards } from './PostureCards';
import { ScoreCard } from './ScoreCard';
import { SignInsCard } from './SignInsCard';
import { ThreatLevelCard } from './ThreatLevelCard';
import { useLiveFeed } from './useLiveFeed';

/** Sign-in counts move without a stream message, so the figures are also fetched again this often. */
const POLL_INTERVAL_MS = 60_000;

/** The load error with what to do about it, beyond the server's own words. */
function withAdvice(error: ApiError | undefined): ApiError | undefined {
  if (!error || error.status === 0) return error;
  if (error.status === 403) {
    return { ...error, message: `${error.message} Ask an owner or admin for the security:read permission.` };
  }
  if (error.status === 401) return error;
  return {
    ...error,
    message: `${error.message} Try again in a moment; if it keeps failing, check the server log.`,
  };
}

/** `/` for callers with security:read: posture, attack trends and the live feed of security events. */
export function SecurityDashboard() {
  useDisplayTimeZone();
  const query = useSecurityOverviewQuery(undefined, {
    pollingInterval: POLL_INTERVAL_MS,
    skipPollingIfUnfocused: true,
  });
  const overview = query.data;
  const feed = useLiveFeed(overview?.recentEvents);
  const error = hookError(query.error);

  const actions = (
    <Group gap="sm">
      {overview && (
        <Text size="xs" c="dimmed">
          Updated {formatTime(overview.generatedAt)}
        </Text>
      )}
      <LiveIndicator status={feed.stream.status} onRetry={feed.stream.retry} />
    </Group>
  );

  if (!overview) {
    return (
      <>
        <OverviewHeader actions={actions} />
        {query.isError ? (
          <LoadError error={withAdvice(error)} what="the security overview" onRetry={() => query.refetch()} />
        ) : (
          <DashboardSkeleton />
        )}
      </>
    );
  }

  return (
    <>
      <OverviewHeader actions={actions} />
      <Stack gap="md" data-testid="security-overview">
        {query.isError && (
          <Alert color="yellow" variant="light" icon={<IconAlertTriangle size={18} />} role="alert">
            Could not refresh the figures ({error?.message}); these are from{' '}
            {formatTime(overview.generatedAt)}. They refresh again by themselves.
          </Alert>
        )}
        <Grid gutter="md">
          <Grid.Col span={{ base: 12, md: 4 }}>
            <ThreatLevelCard
              threatLevel={overview.threatLevel}
              openEvents={totalOpen(overview.openEvents)}
              failedSignIns={signInTotals(overview.signIns).failed}
            />
          </Grid.Col>
          <Grid.Col span={{ base: 12, md: 8 }}>
            <ScoreCard score={overview.score} />
          </Grid.Col>
        </Grid>
        <PostureCards overview={overview} />
        <Grid gutter="md">
          <Grid.Col span={{ base: 12, md: 7, lg: 8 }}>
            <SignInsCard signIns={overview.signIns} />
          </Grid.Col>
          <Grid.Col span={{ base: 12, md: 5, lg: 4 }}>
            <OpenEventsCard openEvents={overview.openEvents} />
          </Grid.Col>
          <Grid.Col span={{ base: 12, lg: 7 }}>
            <LiveFeedCard feed={feed} />
          </Grid.Col>
          <Grid.Col span={{ base: 12, lg: 5 }}>
            <CountriesCard countries={overview.countries} />
          </Grid.Col>
        </Grid>
      </Stack>
    </>
  );
}
