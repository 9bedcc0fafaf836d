import { Alert, Code, Stack, Text } from '@mantine/core';
import { IconMailOff } from '@tabler/icons-react';
import type { ReactNode } from 'react';

interface EmailOffBannerProps {
  /** What happens here instead of an e-mail, e.g. "You get each invitation link to pass on." */
  children: ReactNode;
  /** A link to where the messages wait (the outbox), for those who can open it. */
  action?: ReactNode;
  /** Inside a dialog or card: tighter, without the example URL. */
  compact?: boolean;
}

/**
 * Wherever Custos would send e-mail while no mail server is configured: says that nothing goes
 * out, what happens instead, and how to turn e-mail on. A status, not an alert: it is there on
 * load, so screen readers should not interrupt for it.
 */
export function EmailOffBanner({ children, action, compact = false }: EmailOffBannerProps) {
  return (
    <Alert
      role="status"
      color="yellow"
      variant="light"
      icon={<IconMailOff size={18} aria-hidden />}
      title="E-mail is off"
      data-testid="email-off-banner"
      {...(compact ? { py: 'xs' } : {})}
      // The title in the text colour: the palette's yellow on its own tint is below 4.5:1.
      styles={{ title: { color: 'var(--mantine-color-text)' } }}
    >
      <Stack gap={4}>
        <Text size="sm">
          <Code>CUSTOS_SMTP_URL</Code> is not set, so Custos sends no e-mail. {children}
        </Text>
        <Text size="sm">
          To send e-mail, set <Code>CUSTOS_SMTP_URL</Code> to your mail server
          {compact ? null : (
            <>
              {' '}
              (for example{' '}
              <Code style={{ wordBreak: 'break-all' }}>smtps://user:password@mail.example.com</Code>)
            </>
          )}{' '}
          and restart Custos.
          {action ? <> {action}</> : null}
        </Text>
      </Stack>
    </Alert>
  );
}
