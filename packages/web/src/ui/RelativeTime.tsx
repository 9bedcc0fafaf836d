import { Text, type TextProps, Tooltip } from '@mantine/core';
import { formatDateTime, formatRelative, formatTimestamp } from '../app/format';
import { useDisplayTimeZone } from './timeZone';

interface RelativeTimeProps extends Pick<TextProps, 'size' | 'c' | 'fw'> {
  iso: string;
  /** The clock to count from (a ticking parent passes its own so the words stay current). */
  now?: Date;
  /** Show the exact time to the second (audit-grade), not to the minute. */
  seconds?: boolean;
  /**
   * False inside a row that itself takes focus and opens the details (where the exact time is shown):
   * a second tab stop per row would be noise there.
   */
  focusable?: boolean;
}

/**
 * "3 minutes ago", with the exact time and its zone on hover and on keyboard focus. It takes focus so
 * a keyboard can reach what a mouse gets on hover; the tooltip describes it to screen readers while
 * shown. No `title` as well: it would pop a second, native tooltip over this one.
 */
export function RelativeTime({ iso, now, seconds, focusable = true, size = 'sm', c, fw }: RelativeTimeProps) {
  useDisplayTimeZone();
  const absolute = seconds ? formatTimestamp(iso) : formatDateTime(iso);
  return (
    <Tooltip label={absolute} withArrow openDelay={300} events={{ hover: true, focus: true, touch: true }}>
      <Text
        component="time"
        dateTime={iso}
        size={size}
        c={c}
        fw={fw}
        tabIndex={focusable ? 0 : undefined}
        className={focusable ? 'mantine-focus-auto' : undefined}
        data-absolute={absolute}
        style={{ whiteSpace: 'nowrap' }}
      >
        {formatRelative(iso, now)}
      </Text>
    </Tooltip>
  );
}
