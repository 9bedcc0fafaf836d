import { Group, Text, ThemeIcon } from '@mantine/core';
import { IconShieldCheck } from '@tabler/icons-react';

/** The product mark; `compact` hides the name on small screens. */
export function Logo({ size = 'md', compact = false }: { size?: 'md' | 'lg'; compact?: boolean }) {
  const large = size === 'lg';
  return (
    <Group gap={8} wrap="nowrap">
      <ThemeIcon
        size={large ? 40 : 30}
        radius="md"
        variant="gradient"
        gradient={{ from: 'indigo', to: 'cyan' }}
      >
        <IconShieldCheck size={large ? 24 : 18} />
      </ThemeIcon>
      <Text fw={700} fz={large ? 26 : 20} lh={1} visibleFrom={compact ? 'xs' : undefined}>
        Custos
      </Text>
    </Group>
  );
}
