import { Button, Group } from '@mantine/core';

interface FormActionsProps {
  submitLabel: string;
  loading: boolean;
  disabled: boolean;
  onCancel: () => void;
}

/** The Cancel and submit buttons at the foot of a form in a modal. */
export function FormActions({ submitLabel, loading, disabled, onCancel }: FormActionsProps) {
  return (
    <Group justify="flex-end">
      <Button variant="default" onClick={onCancel}>
        Cancel
      </Button>
      <Button type="submit" loading={loading} disabled={disabled}>
        {submitLabel}
      </Button>
    </Group>
  );
}
