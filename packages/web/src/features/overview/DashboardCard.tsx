import { Anchor, Card, Group, Stack, Text } from '@mantine/core';
import { IconArrowRight } from '@tabler/icons-react';
import type { ReactNode } from 'react';
import { Link } from 'react-router';

interface DashboardCardProps {
  title: string;
  /** A short line under the title: the period or what the figure counts. */
  subtitle?: string;
  /** A link to the page with the detail, shown at the top right. */
  more?: { to: string; label: string };
  /** Where the link goes: beside the title, or at the foot where a narrow card has no room beside it. */
  morePlacement?: 'top' | 'bottom';
  children: ReactNode;
  testId?: string;
}

/** One tile of the dashboard: a titled card, with the same spacing everywhere. */
export function DashboardCard({
  title,
  subtitle,
  more,
  morePlacement = 'top',
  children,
  testId,
}: DashboardCardProps) {
  return (
    <Card withBorder padding="lg" radius="md" h="100%" data-testid={testId}>
      <Stack gap="md" h="100%">
        <Group justify="space-between" align="flex-start" wrap="nowrap" gap="sm">
          <Stack gap={2}>
            <Text fw={600}>{title}</Text>
            {subtitle && (
              <Text size="xs" c="dimmed">
                {subtitle}
              </Text>
            )}
          </Stack>
          {more && morePlacement === 'top' && <MoreLink to={more.to} label={more.label} />}
        </Group>
        {children}
        {more && morePlacement === 'bottom' && (
          <Group mt="auto">
            <MoreLink to={more.to} label={more.label} />
          </Group>
        )}
      </Stack>
    </Card>
  );
}

/**
 * A card's link to its detail page. Its label never contains a navigation label ("Sessions",
 * "Settings", ...), so a link found by name, as the e2e run finds the navigation's, stays unique.
 */
export function MoreLink({ to, label }: { to: string; label: string }) {
  return (
    <Anchor component={Link} to={to} size="sm" fw={500} style={{ whiteSpace: 'nowrap' }}>
      <Group gap={4} wrap="nowrap">
        {label} <IconArrowRight size={14} />
      </Group>
    </Anchor>
  );
}
