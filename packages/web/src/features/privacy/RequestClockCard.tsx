import { type PrivacyRequestOut, REGIME_RULES } from '@custos/shared';
import { Alert, Card, Group, Stack, Text, Title } from '@mantine/core';
import { IconHourglass } from '@tabler/icons-react';
import type { ReactNode } from 'react';
import { formatCount } from '../../app/format';
import { formatCalendarDate } from './countdown';
import { DueDate } from './parts';

function Row({ label, children }: { label: string; children: ReactNode }) {
  return (
    <Group justify="space-between" align="flex-start" gap="md" wrap="nowrap">
      <Text size="sm" c="dimmed">
        {label}
      </Text>
      <div style={{ textAlign: 'right' }}>{children}</div>
    </Group>
  );
}

/**
 * The statutory clock: when the answer is due and why, the acknowledgement date under the CCPA,
 * extensions used and left, and whether the clock waits for identity verification.
 */
export function RequestClockCard({ request }: { request: PrivacyRequestOut }) {
  const { clock } = request;
  const rules = REGIME_RULES[request.regime];
  const extensionsLeft = rules.maxExtensions - request.extensions;
  return (
    <Card withBorder radius="md" padding="lg" component="section" aria-labelledby="request-clock-title">
      <Stack gap="sm">
        <Title order={2} size="h5" id="request-clock-title">
          Deadline
        </Title>
        <Row label="Due">
          <DueDate request={request} />
        </Row>
        <Row label="Clock started">
          <Text size="sm">{formatCalendarDate(clock.startDate)}</Text>
        </Row>
        {clock.acknowledgeBy && (
          <Row label="Confirm receipt by">
            <Text size="sm">{formatCalendarDate(clock.acknowledgeBy)}</Text>
            <Text size="xs" c="dimmed">
              {rules.acknowledgeWithinBusinessDays} business days from receipt
            </Text>
          </Row>
        )}
        <Row label="Extensions">
          <Text size="sm">
            {formatCount(request.extensions)} of {formatCount(rules.maxExtensions)} used
          </Text>
          {extensionsLeft > 0 && (
            <Text size="xs" c="dimmed">
              To extend, tell the person by {formatCalendarDate(clock.extensionNoticeBy)}
            </Text>
          )}
        </Row>
        {request.extensionReason && (
          <Text size="sm" c="dimmed">
            Extended because: {request.extensionReason}
          </Text>
        )}
        <Text size="xs" c="dimmed">
          {rules.source}. Dates are days in {clock.timeZone}, the organization’s time zone.
        </Text>
        {clock.waitingForVerification && (
          <Alert
            color="yellow"
            variant="light"
            icon={<IconHourglass size={18} />}
            title="The clock waits for identity verification"
          >
            Your privacy settings start {rules.name}’s clock only once the person’s identity is verified, so
            this due date moves when they are. {rules.clockWaitsForVerificationSource}
          </Alert>
        )}
      </Stack>
    </Card>
  );
}
