import type { AlertDeliveryOut } from '@custos/shared';
import { Anchor, Badge, Group, Text, ThemeIcon, Tooltip } from '@mantine/core';
import { IconMail, IconWebhook } from '@tabler/icons-react';
import { Link } from 'react-router';
import { formatCount } from '../../app/format';
import { deliveryStatusWording } from './deliveryStatus';

/**
 * A delivery status; with the last error, a message never sent (e.g. e-mail not configured) reads
 * "Not sent" rather than "Failed". An unknown status (a newer server) shows as it is.
 */
export function DeliveryStatusBadge({
  status,
  lastError = null,
}: {
  status: string;
  lastError?: string | null;
}) {
  const badge = deliveryStatusWording(status, lastError);
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
  'audit.checkpoint': 'Audit checkpoint',
};

/**
 * What a delivery is about: its security event, the audit checkpoint it carries, or nothing. In a
 * table row the checkpoint's origin is cut short (`full` shows all of it).
 */
export function DeliverySubject({ delivery, full = false }: { delivery: AlertDeliveryOut; full?: boolean }) {
  if (delivery.securityEventId) {
    return (
      <Anchor
        component={Link}
        to={`/security/events/${encodeURIComponent(delivery.securityEventId)}`}
        size="sm"
      >
        View event
      </Anchor>
    );
  }
  if (delivery.checkpoint) {
    return (
      <div data-testid="delivery-checkpoint">
        <Text size="sm" style={{ whiteSpace: 'nowrap' }}>
          {formatCount(delivery.checkpoint.treeSize)} events
        </Text>
        <Text
          size="xs"
          c="dimmed"
          className="custos-mono"
          title={delivery.checkpoint.origin}
          {...(full ? { style: { wordBreak: 'break-all' } } : { maw: 180, truncate: 'end' })}
        >
          {delivery.checkpoint.origin}
        </Text>
      </div>
    );
  }
  return (
    <Text size="sm" c="dimmed">
      —
    </Text>
  );
}

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
      role="img"
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
    <Tooltip label="The status code the receiver answered; 2xx means it accepted the message" withArrow>
      <Text size="sm" className="custos-mono" c={code >= 200 && code < 300 ? 'teal.9' : 'red.9'}>
        HTTP {code}
      </Text>
    </Tooltip>
  );
}
