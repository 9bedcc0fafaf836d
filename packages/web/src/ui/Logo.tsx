import { Group, Text, ThemeIcon } from '@mantine/core';
import { IconShieldCheck } from '@tabler/icons-react';

export function Logo({ size = 'md' }: { size?: 'md' | 'lg' }) {
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
      <Text fw={700} fz={large ? 26 : 20} lh={1}>
        Custos
      </Text>
    </Group>
  );
}
