import type { PrivacyRequestOut, PrivacyRequestState } from '@custos/shared';
import { Badge, Group, Stack, Text, Tooltip } from '@mantine/core';
import { IconAlertTriangle, IconHourglass } from '@tabler/icons-react';
import { formatDateTime } from '../../app/format';
import { useDisplayTimeZone } from '../../ui/timeZone';
import { countdown, formatCalendarDate } from './countdown';
import { REGIME_ORDER, regimeName, STATE_COLORS, STATE_DESCRIPTIONS, STATE_LABELS, typeName } from './labels';

export function RequestStateBadge({
  state,
  size = 'sm',
}: {
  state: PrivacyRequestState;
  size?: 'sm' | 'md' | 'lg';
}) {
  return (
    <Tooltip label={STATE_DESCRIPTIONS[state]} withArrow multiline w={280}>
      <Badge color={STATE_COLORS[state]} variant="light" size={size} data-state={state} miw="max-content">
        {STATE_LABELS[state]}
      </Badge>
    </Tooltip>
  );
}

/** "Erasure" over "GDPR": the request type in plain words and the law it is made under. */
export function RequestTypeCell({ request }: { request: Pick<PrivacyRequestOut, 'type' | 'regime'> }) {
  return (
    <Stack gap={0}>
      <Text size="sm" fw={600}>
        {typeName(request.type)}
      </Text>
      <Text size="xs" c="dimmed">
        {regimeName(request.regime)}
      </Text>
    </Stack>
  );
}

/**
 * The due date with how long is left ("due in 12 days", "3 days overdue" in red); the exact end of
 * the due date, with its zone, on hover and on keyboard focus.
 */
export function DueDate({ request, focusable = true }: { request: PrivacyRequestOut; focusable?: boolean }) {
  useDisplayTimeZone();
  const left = countdown(request);
  const { clock } = request;
  const exact = `Due by the end of ${formatCalendarDate(clock.dueDate)} in ${clock.timeZone} (${formatDateTime(clock.dueAt)})`;
  const color = left?.tone === 'overdue' ? 'red.8' : left?.tone === 'soon' ? 'orange.9' : undefined;
  return (
    <Tooltip label={exact} withArrow multiline w={300} events={{ hover: true, focus: true, touch: true }}>
      <Stack
        gap={0}
        tabIndex={focusable ? 0 : undefined}
        className={focusable ? 'mantine-focus-auto' : undefined}
        data-due={clock.dueDate}
        data-tone={left?.tone ?? 'closed'}
        style={{ width: 'fit-content' }}
      >
        <Text size="sm" component="time" dateTime={clock.dueDate} style={{ whiteSpace: 'nowrap' }}>
          {formatCalendarDate(clock.dueDate)}
        </Text>
        {left && (
          <Group gap={4} wrap="nowrap">
            {left.tone === 'overdue' && (
              <IconAlertTriangle size={13} color="var(--mantine-color-red-8)" aria-hidden />
            )}
            <Text size="xs" c={color ?? 'dimmed'} fw={left.tone === 'later' ? undefined : 600}>
              {left.text}
            </Text>
          </Group>
        )}
        {left && clock.waitingForVerification && (
          <Group gap={4} wrap="nowrap">
            <IconHourglass size={13} aria-hidden />
            <Text size="xs" c="dimmed">
              clock waits for identity verification
            </Text>
          </Group>
        )}
      </Stack>
    </Tooltip>
  );
}

export const REGIME_OPTIONS = REGIME_ORDER.map((value) => ({ value, label: regimeName(value) }));
