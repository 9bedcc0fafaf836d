import type { SecurityOverview } from '@custos/shared';
import { BarChart } from '@mantine/charts';
import { Text } from '@mantine/core';
import { IconWorld } from '@tabler/icons-react';
import { formatCount } from '../../app/format';
import { flagUrl } from '../../ui/flags';
import { EmptyState } from '../../ui/states';
import { useCan } from '../shell/session';
import { DashboardCard } from './DashboardCard';
import { topCountries } from './figures';

const BAR_HEIGHT = 30;
const AXIS_WIDTH = 170;
const FLAG_WIDTH = 16;

interface TickProps {
  x?: number | string;
  y?: number | string;
  payload?: { value?: unknown };
}

/** A y-axis label: the country's flag (decorative) and its name, left-aligned in the axis column. */
function countryTick(codes: ReadonlyMap<string, string>) {
  return function renderTick({ x = 0, y = 0, payload }: TickProps) {
    const name = String(payload?.value ?? '');
    const code = codes.get(name);
    const url = code ? flagUrl(code) : undefined;
    const left = Number(x) - AXIS_WIDTH + 4;
    return (
      <g transform={`translate(${left},${Number(y)})`}>
        {url && <image href={url} x={0} y={-6} width={FLAG_WIDTH} height={12} aria-hidden />}
        <text x={FLAG_WIDTH + 6} y={0} dy={4} fontSize={12} fill="currentColor">
          {name}
        </text>
      </g>
    );
  };
}

/** Where members sign in from: the busiest countries of the last 30 days. */
export function CountriesCard({ countries }: { countries: SecurityOverview['countries'] }) {
  const canReadRules = useCan('access:read');
  const bars = topCountries(countries);
  const codes = new Map(bars.flatMap((bar) => (bar.code ? [[bar.country, bar.code] as const] : [])));
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
            yAxisProps={{ width: AXIS_WIDTH, tick: countryTick(codes) }}
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
