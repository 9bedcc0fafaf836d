import type { AlertDeliveryOut } from '@custos/shared';
import { Badge, Group, Text, ThemeIcon } from '@mantine/core';
import { IconMail, IconWebhook } from '@tabler/icons-react';

const STATUS_BADGES: Record<AlertDeliveryOut['status'], { color: string; label: string }> = {
  pending: { color: 'gray', label: 'Pending' },
  retrying: { color: 'yellow', label: 'Retrying' },
  delivered: { color: 'teal', label: 'Delivered' },
  failed: { color: 'red', label: 'Failed' },
};

/** A delivery status; an unknown one (a newer server) shows as it is. */
export function DeliveryStatusBadge({ status }: { status: string }) {
  const badge = (STATUS_BADGES as Record<string, { color: string; label: string }>)[status] ?? {
    color: 'gray',
    label: status,
  };
  return (
    <Badge color={badge.color} variant="light" size="sm" data-status={status}>
      {badge.label}
    </Badge>
  );
}

export const KIND_LABELS: Record<AlertDeliveryOut['kind'], string> = {
  alert: 'Alert',
  digest: 'Digest',
  test: 'Test',
};

export function ChannelKindIcon({
  kind,
  size = 'md',
}: {
  kind: 'webhook' | 'email';
  size?: 'sm' | 'md' | 'lg';
}) {
  return (
    <ThemeIcon
      variant="light"
      color={kind === 'webhook' ? 'indigo' : 'cyan'}
      size={size}
      radius="md"
      aria-label={kind === 'webhook' ? 'Webhook' : 'E-mail'}
    >
      {kind === 'webhook' ? <IconWebhook size={16} /> : <IconMail size={16} />}
    </ThemeIcon>
  );
}

export function ChannelName({ kind, name }: { kind: 'webhook' | 'email'; name: string }) {
  return (
    <Group gap="xs" wrap="nowrap">
      <ChannelKindIcon kind={kind} size="sm" />
      <Text size="sm" lineClamp={1}>
        {name}
      </Text>
    </Group>
  );
}

/** "HTTP 200", or a dash when there was no answer. */
export function ResponseCode({ code }: { code: number | null }) {
  if (code === null) {
    return (
      <Text size="sm" c="dimmed">
        —
      </Text>
    );
  }
  return (
    <Text size="sm" className="custos-mono" c={code >= 200 && code < 300 ? 'teal.7' : 'red.7'}>
      {code}
    </Text>
  );
}
