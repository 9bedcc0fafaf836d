import type { SecurityOverview } from '@custos/shared';
import { Box, Card, Group, Stack, Text, ThemeIcon, Title } from '@mantine/core';
import { IconShieldCheck, IconShieldExclamation } from '@tabler/icons-react';
import { formatCount } from '../../app/format';
import { THREAT_LEVEL_STYLES, THREAT_LEVELS, type ThreatLevel } from './figures';

/** The five levels as a scale, lit up to the current one, so the level reads at a glance. */
function LevelScale({ level }: { level: ThreatLevel }) {
  const current = THREAT_LEVELS.indexOf(level);
  return (
    <Stack gap={4} aria-hidden>
      <Group gap={4} wrap="nowrap">
        {THREAT_LEVELS.map((step, index) => (
          <Box
            key={step}
            h={8}
            style={{
              flex: 1,
              borderRadius: 4,
              background:
                index <= current
                  ? `var(--mantine-color-${THREAT_LEVEL_STYLES[step].color}-filled)`
                  : 'var(--mantine-color-default-border)',
            }}
          />
        ))}
      </Group>
      <Group justify="space-between">
        <Text size="xs" c="dimmed">
          {THREAT_LEVEL_STYLES.low.label}
        </Text>
        <Text size="xs" c="dimmed">
          {THREAT_LEVEL_STYLES.severe.label}
        </Text>
      </Group>
    </Stack>
  );
}

function Fact({ label, value }: { label: string; value: string }) {
  return (
    <Stack gap={0}>
      <Text fw={700} fz="lg" lh={1.2}>
        {value}
      </Text>
      <Text size="xs" c="dimmed">
        {label}
      </Text>
    </Stack>
  );
}

interface ThreatLevelCardProps {
  threatLevel: SecurityOverview['threatLevel'];
  openEvents: number;
  failedSignIns: number;
}

/** The threat level, in its colour, with the reason behind it and the two figures that move it most. */
export function ThreatLevelCard({ threatLevel, openEvents, failedSignIns }: ThreatLevelCardProps) {
  const style = THREAT_LEVEL_STYLES[threatLevel.level];
  const calm = threatLevel.level === 'low' || threatLevel.level === 'guarded';
  return (
    <Card
      withBorder
      padding="lg"
      radius="md"
      h="100%"
      data-testid="threat-level"
      data-level={threatLevel.level}
      style={{
        background: `var(--mantine-color-${style.color}-light)`,
        borderColor: `var(--mantine-color-${style.color}-outline)`,
      }}
    >
      <Stack gap="md" h="100%" justify="space-between">
        <Stack gap="sm">
          <Group gap="sm" wrap="nowrap">
            <ThemeIcon color={style.color} size={48} radius="xl" variant="filled">
              {calm ? <IconShieldCheck size={28} /> : <IconShieldExclamation size={28} />}
            </ThemeIcon>
            <Stack gap={0}>
              <Text size="xs" tt="uppercase" fw={700} c="dimmed">
                Threat level
              </Text>
              <Title order={3} fz={28} c={`var(--mantine-color-${style.color}-light-color)`} lh={1.15}>
                {style.label}
              </Title>
            </Stack>
          </Group>
          <Text size="sm" data-testid="threat-level-reason">
            {threatLevel.reason}
          </Text>
          <Group gap="xl" mt={4}>
            <Fact label="open events" value={formatCount(openEvents)} />
            <Fact label="failed sign-ins in 24 h" value={formatCount(failedSignIns)} />
          </Group>
        </Stack>
        <LevelScale level={threatLevel.level} />
      </Stack>
    </Card>
  );
}
