import type { ApiKeyOut } from '@custos/shared';
import { Badge, Code, Group, Table, Text, Tooltip } from '@mantine/core';
import { IconBan } from '@tabler/icons-react';
import { formatDate } from '../../app/format';
import { RelativeTime } from '../../ui/RelativeTime';
import { ActionsHeader, DangerRowAction, DataTable } from '../../ui/tables';
import { useDisplayTimeZone } from '../../ui/timeZone';

type KeyStatus = 'active' | 'revoked' | 'expired';

export function keyStatus(key: ApiKeyOut, now: Date = new Date()): KeyStatus {
  if (key.revokedAt) return 'revoked';
  if (key.expiresAt && new Date(key.expiresAt).getTime() <= now.getTime()) return 'expired';
  return 'active';
}

const STATUS_BADGE: Record<KeyStatus, { label: string; color: string }> = {
  active: { label: 'Active', color: 'teal' },
  revoked: { label: 'Revoked', color: 'red' },
  expired: { label: 'Expired', color: 'gray' },
};

const SHOWN_PERMISSIONS = 3;

function PermissionBadges({ permissions }: { permissions: string[] }) {
  const shown = permissions.slice(0, SHOWN_PERMISSIONS);
  const hidden = permissions.slice(SHOWN_PERMISSIONS);
  return (
    <Group gap={4}>
      {shown.map((permission) => (
        <Badge key={permission} variant="light" color="gray" tt="none" radius="sm" className="custos-mono">
          {permission}
        </Badge>
      ))}
      {hidden.length > 0 && (
        <Tooltip label={hidden.join(', ')} withArrow multiline maw={320}>
          <Badge variant="outline" color="gray" tt="none" radius="sm">
            +{hidden.length} more
          </Badge>
        </Tooltip>
      )}
    </Group>
  );
}

interface ApiKeysTableProps {
  apiKeys: ApiKeyOut[];
  canManage: boolean;
  onRevoke: (key: ApiKeyOut) => void;
}

export function ApiKeysTable({ apiKeys, canManage, onRevoke }: ApiKeysTableProps) {
  useDisplayTimeZone();
  return (
    <DataTable
      label="API keys"
      minWidth={820}
      head={
        <>
          <Table.Th>Name</Table.Th>
          <Table.Th>Key</Table.Th>
          <Table.Th>Permissions</Table.Th>
          <Table.Th>Created</Table.Th>
          <Table.Th>Last used</Table.Th>
          <Table.Th>Status</Table.Th>
          {canManage && <ActionsHeader />}
        </>
      }
    >
      {apiKeys.map((key) => {
        const status = keyStatus(key);
        const badge = STATUS_BADGE[status];
        return (
          <Table.Tr key={key.id} data-testid={`api-key-${key.name}`}>
            <Table.Td>
              <Text size="sm" fw={500}>
                {key.name}
              </Text>
              {key.createdBy && (
                <Text size="xs" c="dimmed">
                  by {key.createdBy.name}
                </Text>
              )}
            </Table.Td>
            <Table.Td>
              <Code>{key.prefix}…</Code>
            </Table.Td>
            <Table.Td>
              <PermissionBadges permissions={key.permissions} />
            </Table.Td>
            <Table.Td>
              <Text size="sm">{formatDate(key.createdAt)}</Text>
            </Table.Td>
            <Table.Td>
              {key.lastUsedAt ? (
                <RelativeTime iso={key.lastUsedAt} />
              ) : (
                <Text size="sm" c="dimmed">
                  Never
                </Text>
              )}
            </Table.Td>
            <Table.Td>
              <Badge color={badge.color} variant="light">
                {badge.label}
              </Badge>
              {status === 'active' && key.expiresAt && (
                <Text size="xs" c="dimmed">
                  expires <RelativeTime iso={key.expiresAt} size="xs" />
                </Text>
              )}
              {status === 'revoked' && key.revokedAt && (
                <Text size="xs" c="dimmed">
                  {formatDate(key.revokedAt)}
                </Text>
              )}
            </Table.Td>
            {canManage && (
              <Table.Td>
                {status !== 'revoked' && (
                  <DangerRowAction
                    tooltip="Revoke key"
                    label={`Revoke ${key.name}`}
                    icon={<IconBan size={16} />}
                    onClick={() => onRevoke(key)}
                  />
                )}
              </Table.Td>
            )}
          </Table.Tr>
        );
      })}
    </DataTable>
  );
}
