import { Box, Center, Paper, Stack, Text, Title } from '@mantine/core';
import type { ReactNode } from 'react';
import { Logo } from './Logo';

interface AuthLayoutProps {
  title: string;
  subtitle?: ReactNode;
  children: ReactNode;
  width?: number;
}

/** The frame of the pages a signed-out person sees: setup, sign-in, accepting an invitation. */
export function AuthLayout({ title, subtitle, children, width = 440 }: AuthLayoutProps) {
  return (
    <Box
      mih="100vh"
      py={48}
      px="md"
      style={{
        background:
          'radial-gradient(circle at 20% 0%, var(--mantine-color-indigo-light), transparent 45%), var(--mantine-color-body)',
      }}
    >
      <Center>
        <Stack w="100%" maw={width} gap="lg" component="main">
          <Center>
            <Logo size="lg" />
          </Center>
          <Paper withBorder shadow="sm" p="xl" radius="lg">
            <Stack gap={4} mb="lg">
              <Title order={1} fz={22}>
                {title}
              </Title>
              {subtitle && (
                <Text c="dimmed" size="sm">
                  {subtitle}
                </Text>
              )}
            </Stack>
            {children}
          </Paper>
          <Text c="dimmed" size="xs" ta="center">
            Custos — security &amp; compliance control plane
          </Text>
        </Stack>
      </Center>
    </Box>
  );
}
