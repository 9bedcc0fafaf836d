import { Stack, Text } from '@mantine/core';
import type { ReactNode } from 'react';

/** A labelled value in the event drawer. */
export function Field({ label, children }: { label: string; children: ReactNode }) {
  return (
    <Stack gap={2}>
      <Text size="xs" c="dimmed" fw={500}>
        {label}
      </Text>
      {children}
    </Stack>
  );
}
