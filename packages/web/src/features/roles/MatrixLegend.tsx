import { Badge, Checkbox, Group, Text } from '@mantine/core';
import { IconLock } from '@tabler/icons-react';
import type { ReactNode } from 'react';

function Item({ children }: { children: ReactNode }) {
  return (
    <Group gap={6} wrap="nowrap">
      {children}
    </Group>
  );
}

/** Explains the cells: granted, own only (host-app permissions), fixed, and changed but not saved. */
export function MatrixLegend({ hasAppPermissions }: { hasAppPermissions: boolean }) {
  return (
    <Group gap="lg" wrap="wrap" aria-label="Legend" role="group">
      <Item>
        <Checkbox checked readOnly size="xs" tabIndex={-1} aria-hidden />
        <Text size="xs">Granted on everything</Text>
      </Item>
      {hasAppPermissions && (
        <Item>
          <Checkbox checked readOnly size="xs" color="teal" tabIndex={-1} aria-hidden />
          <Badge size="xs" radius="sm" tt="none" color="teal" variant="filled">
            own
          </Badge>
          <Text size="xs">Only on resources the member owns (App permissions)</Text>
        </Item>
      )}
      <Item>
        <Checkbox
          checked
          readOnly
          disabled
          size="xs"
          tabIndex={-1}
          aria-hidden
          styles={{
            input: {
              backgroundColor: 'var(--mantine-color-indigo-1)',
              borderColor: 'var(--mantine-color-indigo-2)',
            },
            icon: { color: 'var(--mantine-color-indigo-6)' },
          }}
        />
        <IconLock size={12} color="var(--mantine-color-dimmed)" />
        <Text size="xs">Fixed: the owner holds everything; built-in roles keep their Custos permissions</Text>
      </Item>
      <Item>
        <span className="custos-legend-swatch" />
        <Text size="xs">Changed, not saved</Text>
      </Item>
    </Group>
  );
}
