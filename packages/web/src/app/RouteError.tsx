import { Button, Center, Code, Paper, Stack, Text, Title } from '@mantine/core';
import { isRouteErrorResponse, useRouteError } from 'react-router';

/** Last resort when a page throws while rendering. */
export function RouteError() {
  const error = useRouteError();
  const detail = isRouteErrorResponse(error)
    ? `${error.status} ${error.statusText}`
    : error instanceof Error
      ? error.message
      : String(error);
  return (
    <Center h="100vh" p="md">
      <Paper withBorder p="xl" maw={520} role="alert">
        <Stack>
          <Title order={1} size="h3">
            Something went wrong
          </Title>
          <Text size="sm" c="dimmed">
            The console hit an unexpected error. Reloading usually helps; if it keeps happening, report it
            with the detail below.
          </Text>
          <Code block>{detail}</Code>
          <Button onClick={() => window.location.assign('/')}>Reload the console</Button>
        </Stack>
      </Paper>
    </Center>
  );
}
