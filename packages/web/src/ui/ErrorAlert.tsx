import { Alert, List } from '@mantine/core';
import { IconAlertCircle } from '@tabler/icons-react';
import type { ApiError } from '../app/errors';

interface ErrorAlertProps {
  error: ApiError | undefined;
  title?: string;
  /** Validation messages the form could not place beside a field. */
  extra?: string[];
}

/** The API's own message, shown where the user acted. */
export function ErrorAlert({ error, title, extra = [] }: ErrorAlertProps) {
  if (!error) return null;
  return (
    <Alert color="red" variant="light" icon={<IconAlertCircle size={18} />} title={title} role="alert">
      {error.message}
      {extra.length > 0 && (
        <List size="sm" mt={4}>
          {extra.map((line) => (
            <List.Item key={line}>{line}</List.Item>
          ))}
        </List>
      )}
    </Alert>
  );
}
