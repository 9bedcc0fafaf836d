import type { SecurityOverview } from '@custos/shared';
import { BarChart } from '@mantine/charts';
import { Text } from '@mantine/core';
import { IconWorld } from '@tabler/icons-react';
import { formatCount } from '../../app/format';
import { EmptyState } from '../../ui/states';
import { useCan } from '../shell/session';
import { DashboardCard } from './DashboardCard';
import { topCountries } from './figures';

const BAR_HEIGHT = 30;

/** Where members sign in from: the busiest countries of the last 30 days. */
export function CountriesCard({ countries }: { countries: SecurityOverview['countries'] }) {
  const canReadRules = useCan('access:read');
  const bars = topCountries(countries);
  const others = countries.length - bars.length;
  return (
    <DashboardCard
      title="Sign-ins by country"
      subtitle="Successful sign-ins over the last 30 days"
      more={canReadRules ? { to: '/access/rules', label: 'Country rules' } : undefined}
      testId="sign-ins-by-country"
    >
      {bars.length === 0 ? (
        <EmptyState
          icon={<IconWorld size={24} />}
          title="No sign-ins yet"
          description="Countries appear here once members sign in."
        />
      ) : (
        <>
          <BarChart
            h={bars.length * BAR_HEIGHT + 30}
            data={bars}
            dataKey="country"
            orientation="vertical"
            series={[{ name: 'Sign-ins', color: 'indigo.5' }]}
            gridAxis="none"
            tickLine="none"
            withXAxis={false}
            withBarValueLabel
            maxBarWidth={20}
            yAxisProps={{ width: 140 }}
            valueFormatter={formatCount}
          />
          {others > 0 && (
            <Text size="xs" c="dimmed">
              and {others} more countr{others === 1 ? 'y' : 'ies'}
            </Text>
          )}
        </>
      )}
    </DashboardCard>
  );
}
