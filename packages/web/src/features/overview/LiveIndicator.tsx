import { Badge, Tooltip } from '@mantine/core';
import type { StreamStatus } from './useSecurityStream';

const LABELS: Record<StreamStatus, { label: string; hint: string }> = {
  live: { label: 'Live', hint: 'New security events appear as they are raised.' },
  connecting: { label: 'Connecting…', hint: 'Opening the live stream of security events.' },
  offline: {
    label: 'Offline',
    hint: 'The live stream is interrupted; it reconnects by itself. Figures may be behind until then.',
  },
};

/** Whether the dashboard follows the stream: teal and pulsing when live, grey otherwise. */
export function LiveIndicator({ status }: { status: StreamStatus }) {
  const { label, hint } = LABELS[status];
  return (
    <Tooltip label={hint} withArrow multiline w={240}>
      <Badge
        variant="light"
        color={status === 'live' ? 'teal' : 'gray'}
        leftSection={<span className="custos-overview-live-dot" data-live={status === 'live' || undefined} />}
        data-testid="live-status"
        data-status={status}
      >
        {label}
      </Badge>
    </Tooltip>
  );
}
