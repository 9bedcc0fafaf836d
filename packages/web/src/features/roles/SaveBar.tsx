import type { RoleOut } from '@custos/shared';
import { Alert, Button, Group, List, Paper, Stack, Text } from '@mantine/core';
import { IconAlertCircle } from '@tabler/icons-react';

interface SaveBarProps {
  /** The roles with unsaved changes. */
  roles: RoleOut[];
  changes: Record<string, number>;
  saveErrors: Record<string, string>;
  saving: boolean;
  onSave: () => void;
  onDiscard: () => void;
}

/** Stays at the foot of the window while any role has unsaved changes. */
export function SaveBar({ roles, changes, saveErrors, saving, onSave, onDiscard }: SaveBarProps) {
  if (roles.length === 0) return null;
  const cells = roles.reduce((sum, role) => sum + (changes[role.key] ?? 0), 0);
  const failed = roles.filter((role) => saveErrors[role.key]);
  return (
    <Paper
      className="custos-save-bar"
      withBorder
      shadow="md"
      radius="md"
      p="sm"
      role="region"
      aria-label="Unsaved changes"
    >
      <Stack gap="xs">
        {failed.length > 0 && (
          <Alert color="red" variant="light" icon={<IconAlertCircle size={18} />} role="alert" p="xs">
            <List size="sm">
              {failed.map((role) => (
                <List.Item key={role.key}>
                  <Text span fw={600} size="sm">
                    {role.name}:
                  </Text>{' '}
                  {saveErrors[role.key]}
                </List.Item>
              ))}
            </List>
          </Alert>
        )}
        <Group justify="space-between" gap="sm">
          <Text size="sm">
            {cells === 1 ? '1 unsaved change' : `${cells} unsaved changes`} to{' '}
            <Text span fw={600}>
              {roles.map((role) => role.name).join(', ')}
            </Text>
          </Text>
          <Group gap="sm">
            <Button variant="default" onClick={onDiscard} disabled={saving}>
              Discard
            </Button>
            <Button onClick={onSave} loading={saving}>
              {roles.length === 1 ? `Save ${roles[0]?.name ?? 'role'}` : `Save ${roles.length} roles`}
            </Button>
          </Group>
        </Group>
      </Stack>
    </Paper>
  );
}
