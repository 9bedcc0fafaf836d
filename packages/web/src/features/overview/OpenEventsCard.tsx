import type { SecurityOverview } from '@custos/shared';
import { DonutChart } from '@mantine/charts';
import { ColorSwatch, Group, Stack, Text, UnstyledButton } from '@mantine/core';
import { Link, useNavigate } from 'react-router';
import { formatCount } from '../../app/format';
import { DashboardCard } from './DashboardCard';
import { severitySlices, totalOpen } from './figures';
import { openEventsLink } from './links';

/** Open events by severity: a donut whose segments, like the legend beside it, open the filtered list. */
export function OpenEventsCard({ openEvents }: { openEvents: SecurityOverview['openEvents'] }) {
  const navigate = useNavigate();
  const slices = severitySlices(openEvents);
  const total = totalOpen(openEvents);
  const drawn = slices.filter((slice) => slice.value > 0);
  return (
    <DashboardCard
      title="Open events"
      subtitle="By severity, waiting for triage"
      more={{ to: '/security/events?status=open', label: 'Triage' }}
      testId="open-events"
    >
      <Group gap="lg" justify="center" wrap="wrap" style={{ flex: 1 }}>
        <DonutChart
          size={150}
          thickness={22}
          paddingAngle={drawn.length > 1 ? 2 : 0}
          strokeWidth={drawn.length > 1 ? 1 : 0}
          chartLabel={formatCount(total)}
          styles={{ label: { fontSize: 24, fontWeight: 700 } }}
          withTooltip={drawn.length > 0}
          tooltipDataSource="segment"
          data={drawn.length > 0 ? drawn : [{ name: 'None open', value: 1, color: 'gray.3' }]}
          pieChartProps={{ accessibilityLayer: false }}
          pieProps={{
            // The chart is a picture of the list beside it (aria-hidden): its slices must not take focus.
            rootTabIndex: -1,
            onClick: (_sector, index) => {
              const slice = drawn[index];
              if (slice) navigate(openEventsLink(slice.severity));
            },
          }}
          cellProps={{ style: { cursor: drawn.length > 0 ? 'pointer' : 'default' } }}
          aria-hidden
        />
        <Stack gap={6} style={{ minWidth: 150 }}>
          {slices.map((slice) => (
            <UnstyledButton
              key={slice.severity}
              component={Link}
              to={openEventsLink(slice.severity)}
              className="custos-overview-row"
              data-testid={`open-${slice.severity}`}
            >
              <Group gap="sm" justify="space-between" wrap="nowrap">
                <Group gap={8} wrap="nowrap">
                  <ColorSwatch color={`var(--mantine-color-${slice.color.replace('.', '-')})`} size={12} />
                  <Text size="sm">{slice.name}</Text>
                </Group>
                <Text size="sm" fw={600} c={slice.value > 0 ? undefined : 'dimmed'}>
                  {formatCount(slice.value)}
                </Text>
              </Group>
            </UnstyledButton>
          ))}
          {total === 0 && (
            <Text size="xs" c="dimmed">
              Nothing waiting. New events appear here as detectors raise them.
            </Text>
          )}
        </Stack>
      </Group>
    </DashboardCard>
  );
}
