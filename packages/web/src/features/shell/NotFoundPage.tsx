import { Button, Paper } from '@mantine/core';
import { IconMapOff } from '@tabler/icons-react';
import { Link } from 'react-router';
import { EmptyState } from '../../ui/states';

export function NotFoundPage() {
  return (
    <Paper withBorder>
      <EmptyState
        icon={<IconMapOff size={24} />}
        title="Page not found"
        description="There is no page at this address in the Custos console."
        action={
          <Button component={Link} to="/" variant="light">
            Go to overview
          </Button>
        }
      />
    </Paper>
  );
}
