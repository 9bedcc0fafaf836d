import type { SecurityOverview } from '@custos/shared';
import { Anchor, Badge, Button, Group, RingProgress, Stack, Text, ThemeIcon } from '@mantine/core';
import { IconCircleCheck } from '@tabler/icons-react';
import { useId, useState } from 'react';
import { Link } from 'react-router';
import { DashboardCard } from './DashboardCard';
import { itemsToImprove, type ScoreItem, scoreColor } from './figures';

/** Improvements listed before "Show more": the card stays as tall as the threat level beside it. */
const SHOWN_AT_FIRST = 4;

function ScoreRing({ value }: { value: number }) {
  const color = scoreColor(value);
  return (
    <RingProgress
      size={148}
      thickness={14}
      roundCaps
      sections={[{ value, color, tooltip: `${value} of 100 points` }]}
      aria-label={`Security score ${value} of 100`}
      label={
        <Stack gap={0} align="center">
          <Text fw={700} fz={34} lh={1} c={`${color}.7`} data-testid="security-score">
            {value}
          </Text>
          <Text size="xs" c="dimmed">
            of 100
          </Text>
        </Stack>
      }
    />
  );
}

function ImprovementRow({ item }: { item: ScoreItem }) {
  const titleId = useId();
  return (
    <Group justify="space-between" align="flex-start" wrap="nowrap" gap="sm" data-testid="score-item">
      <Stack gap={2} style={{ minWidth: 0 }}>
        <Group gap={6} wrap="nowrap">
          <Text size="sm" fw={600} id={titleId}>
            {item.title}
          </Text>
          <Badge size="xs" variant="light" color="gray" style={{ flexShrink: 0 }}>
            {item.points}/{item.maxPoints}
          </Badge>
        </Group>
        <Text size="xs" c="dimmed">
          {item.advice}
        </Text>
      </Stack>
      {item.link && (
        // The item's title describes the link, so its name stays short and distinct from the navigation.
        <Anchor component={Link} to={item.link} size="sm" fw={500} aria-describedby={titleId}>
          Fix
        </Anchor>
      )}
    </Group>
  );
}

/** The security score as a ring, and what would raise it, the most valuable first. */
export function ScoreCard({ score }: { score: SecurityOverview['score'] }) {
  const [showAll, setShowAll] = useState(false);
  const improvements = itemsToImprove(score.items);
  const shown = showAll ? improvements : improvements.slice(0, SHOWN_AT_FIRST);
  const hidden = improvements.length - shown.length;
  const passed = score.items.length - improvements.length;
  const missing = improvements.reduce((sum, item) => sum + item.maxPoints - item.points, 0);
  return (
    <DashboardCard
      title="Security score"
      subtitle="How well this organization is set up against account attacks"
    >
      <Group align="flex-start" gap="xl" wrap="wrap">
        <Stack align="center" gap={4}>
          <ScoreRing value={score.value} />
          <Text size="xs" c="dimmed">
            {passed} of {score.items.length} checks pass
          </Text>
        </Stack>
        <Stack gap="sm" style={{ flex: 1, minWidth: 240 }}>
          {improvements.length > 0 ? (
            <>
              <Text size="sm" c="dimmed">
                Up to {missing} more point{missing === 1 ? '' : 's'}:
              </Text>
              {shown.map((item) => (
                <ImprovementRow key={item.key} item={item} />
              ))}
              {(hidden > 0 || showAll) && improvements.length > SHOWN_AT_FIRST && (
                <Group>
                  <Button variant="subtle" size="compact-sm" onClick={() => setShowAll(!showAll)}>
                    {showAll ? 'Show fewer' : `Show ${hidden} more`}
                  </Button>
                </Group>
              )}
            </>
          ) : (
            <Group gap="xs" wrap="nowrap">
              <ThemeIcon color="teal" variant="light" radius="xl">
                <IconCircleCheck size={18} />
              </ThemeIcon>
              <Text size="sm">Every check passes. Keep it that way as the team grows.</Text>
            </Group>
          )}
        </Stack>
      </Group>
    </DashboardCard>
  );
}
