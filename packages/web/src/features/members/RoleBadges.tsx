import { Badge, Group } from '@mantine/core';
import { useRoleName } from './roleNames';

const ROLE_COLORS: Record<string, string> = {
  owner: 'grape',
  admin: 'indigo',
  security_analyst: 'red',
  auditor: 'teal',
  privacy_officer: 'cyan',
  member: 'gray',
};

export function RoleBadges({ roles }: { roles: readonly string[] }) {
  const roleName = useRoleName();
  return (
    <Group gap={4}>
      {roles.map((role) => (
        <Badge key={role} variant="light" color={ROLE_COLORS[role] ?? 'blue'} radius="sm" tt="none">
          {roleName(role)}
        </Badge>
      ))}
    </Group>
  );
}
