import { Button, Center, Loader, Paper, Stack, Text, ThemeIcon, Title } from '@mantine/core';
import { IconAlertTriangle, IconRefresh } from '@tabler/icons-react';
import type { ReactNode } from 'react';
import type { ApiError } from '../app/errors';

export function FullPageLoader({ label = 'Loading Custos' }: { label?: string }) {
  return (
    <Center h="100vh" aria-busy="true">
      <Stack align="center" gap="xs">
        <Loader />
        <Text c="dimmed" size="sm">
          {label}…
        </Text>
      </Stack>
    </Center>
  );
}

export function SectionLoader({ label }: { label: string }) {
  return (
    <Center py="xl" aria-busy="true">
      <Stack align="center" gap="xs">
        <Loader size="sm" />
        <Text c="dimmed" size="sm">
          {label}…
        </Text>
      </Stack>
    </Center>
  );
}

interface LoadErrorProps {
  error: ApiError | undefined;
  what: string;
  onRetry?: () => void;
}

/** A failed load: says what could not be loaded, the server's reason, and offers a retry. */
export function LoadError({ error, what, onRetry }: LoadErrorProps) {
  return (
    <Paper withBorder p="lg" role="alert">
      <Stack align="center" gap="xs">
        <ThemeIcon color="red" variant="light" size="xl" radius="xl">
          <IconAlertTriangle size={22} />
        </ThemeIcon>
        <Text fw={600}>Could not load {what}</Text>
        {error && (
          <Text c="dimmed" size="sm" ta="center">
            {error.message}
          </Text>
        )}
        {onRetry && (
          <Button variant="light" leftSection={<IconRefresh size={16} />} onClick={onRetry}>
            Try again
          </Button>
        )}
      </Stack>
    </Paper>
  );
}

interface EmptyStateProps {
  icon: ReactNode;
  title: string;
  description?: ReactNode;
  action?: ReactNode;
}

export function EmptyState({ icon, title, description, action }: EmptyStateProps) {
  return (
    <Stack align="center" gap="xs" py="xl" px="md">
      <ThemeIcon variant="light" size={48} radius="xl" color="gray">
        {icon}
      </ThemeIcon>
      <Title order={4} fw={600}>
        {title}
      </Title>
      {description && (
        <Text c="dimmed" size="sm" ta="center" maw={420}>
          {description}
        </Text>
      )}
      {action}
    </Stack>
  );
}
