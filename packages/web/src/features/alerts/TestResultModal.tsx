import type { AlertDeliveryOut } from '@custos/shared';
import { Alert, Button, Group, Modal, Stack, Text } from '@mantine/core';
import { IconCircleCheck, IconCircleX, IconClock } from '@tabler/icons-react';
import { Link } from 'react-router';
import { DeliveryStatusBadge } from './deliveryParts';
import { notSentReason } from './deliveryStatus';

/** What happened to a test message: delivered, failed (with the receiver's answer), not sent, or queued. */
export function TestResultModal({
  result,
  onClose,
}: {
  result: AlertDeliveryOut | undefined;
  onClose: () => void;
}) {
  const delivered = result?.status === 'delivered';
  const notSent = notSentReason(result?.lastError ?? null);
  const failed = !notSent && (result?.status === 'failed' || result?.status === 'retrying');
  return (
    <Modal opened={result !== undefined} onClose={onClose} title={<Text fw={600}>Test message</Text>}>
      {result && (
        <Stack>
          <Alert
            color={delivered ? 'teal' : failed ? 'red' : notSent ? 'orange' : 'gray'}
            variant="light"
            icon={
              delivered ? (
                <IconCircleCheck size={18} />
              ) : failed || notSent ? (
                <IconCircleX size={18} />
              ) : (
                <IconClock size={18} />
              )
            }
            title={
              delivered
                ? `Delivered to ${result.channelName}`
                : failed
                  ? `${result.channelName} did not accept the test`
                  : notSent
                    ? 'The test was not sent'
                    : 'The test is queued'
            }
            data-testid="test-result"
          >
            <Stack gap={4}>
              <Group gap="xs">
                <DeliveryStatusBadge status={result.status} lastError={result.lastError} />
                {result.lastResponseCode !== null && (
                  <Text size="sm" className="custos-mono">
                    HTTP {result.lastResponseCode}
                  </Text>
                )}
              </Group>
              {result.lastError && result.lastError !== `HTTP ${result.lastResponseCode}` && (
                <Text size="sm">{notSent ? `Not sent: ${notSent}.` : result.lastError}</Text>
              )}
              {result.status === 'retrying' && (
                <Text size="sm" c="dimmed">
                  Custos retries with backoff; the delivery log shows each attempt.
                </Text>
              )}
            </Stack>
          </Alert>
          <Group justify="space-between">
            <Button
              component={Link}
              to={`/security/alerts/deliveries?delivery=${encodeURIComponent(result.id)}`}
              variant="subtle"
            >
              Open in the delivery log
            </Button>
            <Button onClick={onClose}>Close</Button>
          </Group>
        </Stack>
      )}
    </Modal>
  );
}
