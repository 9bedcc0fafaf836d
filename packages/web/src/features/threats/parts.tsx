import type { DetectorType, SecurityEventOut, SecurityEventStatus, Severity } from '@custos/shared';
import { Badge, Button, Group, Stack, Text, Tooltip } from '@mantine/core';
import { IconFileText, IconKey, IconListCheck, IconUser, IconWorld } from '@tabler/icons-react';
import { Country } from '../../ui/Country';
import { DETECTOR_LABELS, SEVERITY_COLORS, SEVERITY_LABELS, STATUS_COLORS, STATUS_LABELS } from './labels';
import type { StreamStatus } from './useSecurityStream';

export function SeverityBadge({
  severity,
  size = 'sm',
}: {
  severity: Severity;
  size?: 'xs' | 'sm' | 'md' | 'lg';
}) {
  return (
    <Badge
      color={SEVERITY_COLORS[severity]}
      variant={severity === 'critical' ? 'filled' : 'light'}
      size={size}
      data-severity={severity}
    >
      {SEVERITY_LABELS[severity]}
    </Badge>
  );
}

export function StatusBadge({
  status,
  size = 'sm',
}: {
  status: SecurityEventStatus;
  size?: 'xs' | 'sm' | 'md' | 'lg';
}) {
  return (
    <Badge color={STATUS_COLORS[status]} variant="dot" size={size} data-status={status}>
      {STATUS_LABELS[status]}
    </Badge>
  );
}

export function detectorName(type: DetectorType | string): string {
  return (DETECTOR_LABELS as Record<string, string>)[type] ?? type;
}

const SUBJECT_ICONS = {
  user: IconUser,
  ip: IconWorld,
  api_key: IconKey,
  audit_log: IconListCheck,
  privacy_request: IconFileText,
} as const;

/** Who or what the event is about: a user's name, an IP, an API key. */
export function SubjectLabel({ subject }: { subject: SecurityEventOut['subject'] }) {
  const Icon = SUBJECT_ICONS[subject.type];
  const label = subject.label ?? subject.id;
  return (
    <Group gap={6} wrap="nowrap">
      <Text c="dimmed" lh={0}>
        <Icon size={15} stroke={1.6} />
      </Text>
      <Text size="sm" className={subject.type === 'ip' ? 'custos-mono' : undefined} lineClamp={1}>
        {label}
      </Text>
    </Group>
  );
}

/** A country as its flag and name; "Unknown" when GeoIP had none. */
export function CountryLabel({ country, compact }: { country: string | null; compact?: boolean }) {
  if (!country) {
    return (
      <Text size={compact ? 'xs' : 'sm'} c="dimmed">
        Unknown country
      </Text>
    );
  }
  return <Country code={country} size={compact ? 'xs' : 'sm'} c={compact ? 'dimmed' : undefined} />;
}

/** The source IP with its country under it, and how many other addresses the event has. */
export function SourceCell({
  ip,
  country,
  more = 0,
}: {
  ip: string | null;
  country: string | null;
  more?: number;
}) {
  if (!ip && !country) {
    return (
      <Text size="sm" c="dimmed">
        —
      </Text>
    );
  }
  return (
    <Stack gap={0}>
      {ip && (
        <Text size="sm" className="custos-mono">
          {ip}
        </Text>
      )}
      <CountryLabel country={country} compact />
      {more > 0 && (
        <Text size="xs" c="dimmed">
          +{more.toLocaleString()} more {more === 1 ? 'address' : 'addresses'}
        </Text>
      )}
    </Stack>
  );
}

const STREAM_BADGES: Record<StreamStatus, { color: string; label: string; hint: string }> = {
  connecting: { color: 'gray', label: 'Connecting…', hint: 'Connecting to the live stream.' },
  live: { color: 'teal', label: 'Live', hint: 'New and changed events appear without reloading.' },
  reconnecting: { color: 'yellow', label: 'Reconnecting…', hint: 'The live stream dropped; reconnecting.' },
  failed: {
    color: 'red',
    label: 'Not live',
    hint: 'The live stream stopped after several attempts. The list still works; refresh to see changes.',
  },
};

/** The small "Live" mark of a page that follows the security stream (the dashboard and the threats pages). */
export function LiveIndicator({ status, onRetry }: { status: StreamStatus; onRetry: () => void }) {
  const badge = STREAM_BADGES[status];
  return (
    <Group gap={6} wrap="nowrap">
      <Tooltip label={badge.hint} withArrow multiline w={240}>
        <Badge
          variant="light"
          color={badge.color}
          leftSection={status === 'live' ? <span className="custos-live-dot" /> : undefined}
          data-testid="live-status"
          data-status={status}
        >
          {badge.label}
        </Badge>
      </Tooltip>
      {status === 'failed' && (
        <Button size="compact-xs" variant="subtle" color="red" onClick={onRetry}>
          Reconnect
        </Button>
      )}
    </Group>
  );
}
