import type { ResponseKind, ThreatResponseDelivery, ThreatResponseOut } from '@custos/shared';
import { Anchor, Badge, Group, Stack, Text, ThemeIcon, Tooltip } from '@mantine/core';
import { IconBan, IconLock, IconLogout, IconMail, IconShieldLock } from '@tabler/icons-react';
import type { ComponentType } from 'react';
import { Link } from 'react-router';
import { formatDateTime } from '../../app/format';
import { RelativeTime } from '../../ui/RelativeTime';
import { useDisplayTimeZone } from '../../ui/timeZone';
import { useMe } from '../shell/session';
import { OUTBOX_PATH } from '../system/EmailOffNotice';
import { deliveryWording } from './delivery';
import { LOCK_SCOPE_LABELS, RESPONSE_LABELS } from './labels';

const KIND_ICONS: Record<ResponseKind, ComponentType<{ size?: number; stroke?: number }>> = {
  lock_account: IconLock,
  block_ip: IconBan,
  end_sessions: IconLogout,
  require_step_up: IconShieldLock,
  notify_user: IconMail,
};

const KIND_COLORS: Record<ResponseKind, string> = {
  lock_account: 'red',
  block_ip: 'orange',
  end_sessions: 'grape',
  require_step_up: 'indigo',
  notify_user: 'gray',
};

/** The response's kind with its icon; a lock says where it applies. */
export function ResponseKindLabel({ response }: { response: Pick<ThreatResponseOut, 'kind' | 'scope'> }) {
  const Icon = KIND_ICONS[response.kind];
  return (
    <Group gap="xs" wrap="nowrap">
      <ThemeIcon variant="light" color={KIND_COLORS[response.kind]} size="md" radius="md">
        <Icon size={16} stroke={1.8} />
      </ThemeIcon>
      <Stack gap={0}>
        <Text size="sm" fw={500}>
          {RESPONSE_LABELS[response.kind]}
        </Text>
        {response.kind === 'lock_account' && response.scope && (
          <Text size="xs" c="dimmed">
            {LOCK_SCOPE_LABELS[response.scope]}
          </Text>
        )}
      </Stack>
    </Group>
  );
}

/** Whom the response is on: the user, or the IP. */
export function ResponseSubject({ response }: { response: ThreatResponseOut }) {
  if (response.user) return <Text size="sm">{response.user.name}</Text>;
  if (response.ip) {
    return (
      <Text size="sm" className="custos-mono">
        {response.ip}
      </Text>
    );
  }
  return (
    <Text size="sm" c="dimmed">
      —
    </Text>
  );
}

const STATE_BADGES: Record<ThreatResponseOut['state'], { color: string; label: string }> = {
  active: { color: 'red', label: 'Active' },
  expired: { color: 'gray', label: 'Expired' },
  lifted: { color: 'teal', label: 'Lifted' },
  done: { color: 'gray', label: 'Done' },
};

/**
 * What became of a notify_user response's e-mail: "Sent", "Queued — e-mail is not configured"
 * (with the outbox for those who can read it), "Failed — <reason>".
 */
export function DeliveryState({ delivery }: { delivery: ThreatResponseDelivery }) {
  useDisplayTimeZone();
  const me = useMe();
  const wording = deliveryWording(delivery);
  return (
    <Stack gap={2} align="flex-start" data-delivery={delivery.status}>
      <Badge
        color={wording.color}
        variant="light"
        size="sm"
        // Text in the text colour: the palette's light badges are below 4.5:1 (issue 17).
        c="var(--mantine-color-text)"
        title={delivery.at ? formatDateTime(delivery.at) : undefined}
      >
        {wording.badge}
      </Badge>
      {wording.reason && (
        <Text size="xs" lineClamp={3} maw={260} title={wording.reason}>
          {wording.reason.charAt(0).toUpperCase() + wording.reason.slice(1)}
        </Text>
      )}
      {wording.inOutbox && me.user.isSuperAdmin && (
        // Underlined in the text colour: the palette's link blue is below 4.5:1 at this size.
        <Anchor component={Link} to={OUTBOX_PATH} size="xs" c="var(--mantine-color-text)" underline="always">
          Read it in the outbox
        </Anchor>
      )}
    </Stack>
  );
}

/** The response's state; for a notify_user response, what became of its e-mail instead of "Done". */
export function ResponseStateBadge({ response }: { response: ThreatResponseOut }) {
  useDisplayTimeZone();
  if (response.delivery) return <DeliveryState delivery={response.delivery} />;
  const badge = STATE_BADGES[response.state];
  const lifted =
    response.state === 'lifted' && response.liftedAt
      ? `Lifted ${formatDateTime(response.liftedAt)}${response.liftedBy?.name ? ` by ${response.liftedBy.name}` : ''}`
      : undefined;
  const content = (
    <Badge color={badge.color} variant={response.state === 'active' ? 'light' : 'outline'} size="sm">
      {badge.label}
    </Badge>
  );
  return lifted ? (
    <Tooltip label={lifted} withArrow>
      {content}
    </Tooltip>
  ) : (
    content
  );
}

/** When a lasting response ends: "in 12 minutes", "until lifted"; one-shot responses have none. */
export function ExpiresLabel({ response, size = 'sm' }: { response: ThreatResponseOut; size?: 'xs' | 'sm' }) {
  if (response.state === 'done') {
    return (
      <Text size="sm" c="dimmed">
        —
      </Text>
    );
  }
  if (!response.expiresAt) {
    return (
      <Text size="sm" c={response.state === 'active' ? undefined : 'dimmed'}>
        Until lifted
      </Text>
    );
  }
  return (
    <RelativeTime
      iso={response.expiresAt}
      size={size}
      c={response.state === 'active' ? undefined : 'dimmed'}
    />
  );
}

/** Responses still in force, which an admin can end early. */
export function canLift(response: ThreatResponseOut): boolean {
  return response.state === 'active';
}

/** "the lock on Ada Lovelace", "the block of 203.0.113.7". */
export function responseTargetPhrase(response: ThreatResponseOut): string {
  const who = response.user?.name ?? response.ip ?? 'this subject';
  if (response.kind === 'block_ip') return `the block of ${who}`;
  if (response.kind === 'lock_account') return `the lock on ${who}`;
  return `“${RESPONSE_LABELS[response.kind]}” on ${who}`;
}
