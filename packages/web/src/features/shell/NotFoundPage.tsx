import { Button, Paper } from '@mantine/core';
import { IconMapOff } from '@tabler/icons-react';
import { Link } from 'react-router';
import { PageHeader } from '../../ui/PageHeader';
import { EmptyState } from '../../ui/states';

export function NotFoundPage() {
  return (
    <>
      <PageHeader title="Page not found" />
      <Paper withBorder>
        <EmptyState
          icon={<IconMapOff size={24} />}
          title="Nothing here"
          description="There is no page at this address in the Custos console."
          action={
            <Button component={Link} to="/" variant="light">
              Go to overview
            </Button>
          }
        />
      </Paper>
    </>
  );
}
