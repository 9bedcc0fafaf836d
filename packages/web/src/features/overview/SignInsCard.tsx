import type { SecurityOverview } from '@custos/shared';
import { AreaChart } from '@mantine/charts';
import { Group, Stack, Text } from '@mantine/core';
import { formatCount, formatZoneName } from '../../app/format';
import { useDisplayTimeZone } from '../../ui/timeZone';
import { useCan } from '../shell/session';
import { DashboardCard } from './DashboardCard';
import { percent, signInPoints, signInTotals } from './figures';

function Total({ label, value, color }: { label: string; value: string; color: string }) {
  return (
    <Stack gap={0}>
      <Text size="xs" c="dimmed">
        {label}
      </Text>
      <Text fw={700} fz="xl" c={color}>
        {value}
      </Text>
    </Stack>
  );
}

/** Failed against successful sign-ins, hour by hour, over the last day. */
export function SignInsCard({ signIns }: { signIns: SecurityOverview['signIns'] }) {
  useDisplayTimeZone();
  const canReadAudit = useCan('audit:read');
  const totals = signInTotals(signIns);
  const failureRate = percent(totals.failed, totals.failed + totals.succeeded);
  return (
    <DashboardCard
      title="Sign-ins"
      subtitle={`Failed and successful, per hour over the last 24 hours (times in ${formatZoneName()})`}
      more={canReadAudit ? { to: '/audit?action=user.sign_in_failed', label: 'Failed sign-ins' } : undefined}
      testId="sign-ins"
    >
      <Group gap="xl">
        <Total label="Failed" value={formatCount(totals.failed)} color="red.7" />
        <Total label="Succeeded" value={formatCount(totals.succeeded)} color="teal.7" />
        <Total
          label="Failure rate"
          value={`${failureRate}%`}
          color={failureRate >= 50 ? 'red.7' : failureRate >= 20 ? 'orange.9' : 'dimmed'}
        />
      </Group>
      {totals.failed + totals.succeeded === 0 ? (
        <Text size="sm" c="dimmed">
          Nobody signed in during the last 24 hours.
        </Text>
      ) : (
        <AreaChart
          h={200}
          data={signInPoints(signIns)}
          dataKey="hour"
          series={[
            { name: 'Failed', color: 'red.6' },
            { name: 'Succeeded', color: 'teal.6' },
          ]}
          curveType="monotone"
          withDots={false}
          withLegend
          legendProps={{ verticalAlign: 'top', height: 36 }}
          gridAxis="y"
          tickLine="none"
          fillOpacity={0.25}
          xAxisProps={{ interval: 'preserveStartEnd', minTickGap: 24 }}
          yAxisProps={{ allowDecimals: false, width: 36 }}
          valueFormatter={formatCount}
        />
      )}
    </DashboardCard>
  );
}
