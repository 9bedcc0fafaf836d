import type { AlertDeliveryDetail, AlertDeliveryOut } from '@custos/shared';
import {
  Button,
  Code,
  Drawer,
  Group,
  ScrollArea,
  SimpleGrid,
  Stack,
  Table,
  Text,
  Title,
} from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { IconRepeat } from '@tabler/icons-react';
import { hookError } from '../../app/errors';
import { formatTimestamp } from '../../app/format';
import { ConfirmModal } from '../../ui/ConfirmModal';
import { LoadError, SectionLoader } from '../../ui/states';
import { useDisplayTimeZone } from '../../ui/timeZone';
import { useConfirmAction } from '../../ui/useConfirmAction';
import { Field } from '../audit/Field';
import { useCan } from '../shell/session';
import { useGetAlertDeliveryQuery, useReplayAlertDeliveryMutation } from './api';
import {
  ChannelName,
  DeliveryStatusBadge,
  DeliverySubject,
  KIND_LABELS,
  ResponseCode,
} from './deliveryParts';
import { notSentReason } from './deliveryStatus';

/** The payload as sent, indented when it is JSON. */
export function prettyPayload(payload: string): string {
  try {
    return JSON.stringify(JSON.parse(payload), null, 2);
  } catch {
    return payload;
  }
}

function Attempts({ history }: { history: AlertDeliveryDetail['history'] }) {
  useDisplayTimeZone();
  if (history.length === 0) {
    return (
      <Text size="sm" c="dimmed">
        Not attempted yet.
      </Text>
    );
  }
  return (
    <Table aria-label="Attempts" verticalSpacing={6}>
      <Table.Thead>
        <Table.Tr>
          <Table.Th>#</Table.Th>
          <Table.Th>Time</Table.Th>
          <Table.Th>Code</Table.Th>
          <Table.Th ta="right">Duration</Table.Th>
          <Table.Th>Error</Table.Th>
        </Table.Tr>
      </Table.Thead>
      <Table.Tbody>
        {history.map((attempt) => (
          <Table.Tr key={attempt.attempt}>
            <Table.Td>{attempt.attempt}</Table.Td>
            <Table.Td>
              <Text size="sm" style={{ whiteSpace: 'nowrap' }}>
                {formatTimestamp(attempt.at)}
              </Text>
            </Table.Td>
            <Table.Td>
              <ResponseCode code={attempt.responseCode} />
            </Table.Td>
            <Table.Td ta="right">
              <Text size="sm">{attempt.durationMs.toLocaleString()} ms</Text>
            </Table.Td>
            <Table.Td>
              <Text size="sm" c={attempt.error ? 'red.7' : 'dimmed'} style={{ wordBreak: 'break-word' }}>
                {attempt.error ?? '—'}
              </Text>
            </Table.Td>
          </Table.Tr>
        ))}
      </Table.Tbody>
    </Table>
  );
}

/** What a replay did: the receiver took it, refused it, it waits for its turn, or it could not go. */
function replayNotice(delivery: AlertDeliveryOut): { color: string; message: string } {
  if (delivery.status === 'delivered') return { color: 'teal', message: 'Sent again: delivered' };
  if (delivery.status === 'pending') return { color: 'teal', message: 'Queued to be sent again' };
  const notSent = notSentReason(delivery.lastError);
  if (notSent) return { color: 'orange', message: `Not sent again: ${notSent}` };
  const code = delivery.lastResponseCode !== null ? ` (HTTP ${delivery.lastResponseCode})` : '';
  return { color: 'red', message: `Sent again, but the receiver did not accept it${code}` };
}

function DeliveryBody({ id }: { id: string }) {
  useDisplayTimeZone();
  const canManage = useCan('security:manage');
  const { data, error, isLoading, refetch } = useGetAlertDeliveryQuery(id);
  const [replay, replaying] = useReplayAlertDeliveryMutation();
  const replayAction = useConfirmAction(
    async (delivery: AlertDeliveryDetail) => {
      const result = await replay(delivery.id);
      if ('data' in result && result.data) notifications.show(replayNotice(result.data));
      return result;
    },
    replaying,
    () => void refetch(),
  );
  if (isLoading) return <SectionLoader label="Loading the delivery" />;
  if (!data) return <LoadError error={hookError(error)} what="the delivery" onRetry={() => void refetch()} />;
  return (
    <Stack gap="lg">
      <SimpleGrid cols={2} spacing="md">
        <Field label="Channel">
          <ChannelName kind={data.channelKind} name={data.channelName} />
        </Field>
        <Field label="Status">
          <Group gap="xs">
            <DeliveryStatusBadge status={data.status} lastError={data.lastError} />
            <Text size="sm" c="dimmed">
              {data.attempts} {data.attempts === 1 ? 'attempt' : 'attempts'}
            </Text>
          </Group>
        </Field>
        <Field label="Kind">
          <Text size="sm">{KIND_LABELS[data.kind] ?? data.kind}</Text>
        </Field>
        <Field label={data.checkpoint ? 'Checkpoint' : 'Security event'}>
          <DeliverySubject delivery={data} full />
        </Field>
        <Field label="Created">
          <Text size="sm">{formatTimestamp(data.createdAt)}</Text>
        </Field>
        <Field label={data.deliveredAt ? 'Delivered' : 'Next attempt'}>
          <Text size="sm">
            {data.deliveredAt
              ? formatTimestamp(data.deliveredAt)
              : data.nextAttemptAt
                ? formatTimestamp(data.nextAttemptAt)
                : '—'}
          </Text>
        </Field>
        <Field label="Message id (webhook-id)">
          <Text size="sm" className="custos-mono" style={{ wordBreak: 'break-all' }}>
            {data.messageId}
          </Text>
        </Field>
        {data.lastError &&
          (notSentReason(data.lastError) ? (
            <Field label="Why it was not sent">
              <Text size="sm" style={{ wordBreak: 'break-word' }}>
                {notSentReason(data.lastError)}
              </Text>
            </Field>
          ) : (
            <Field label="Last error">
              <Text size="sm" c="red.7" style={{ wordBreak: 'break-word' }}>
                {data.lastError}
              </Text>
            </Field>
          ))}
      </SimpleGrid>
      {canManage && (
        <Group>
          <Button
            variant="light"
            leftSection={<IconRepeat size={16} />}
            onClick={() => replayAction.ask(data)}
          >
            Replay
          </Button>
          <Text size="xs" c="dimmed">
            Sends the same message, with the same webhook-id, again now.
          </Text>
        </Group>
      )}
      <Stack gap="xs">
        <Title order={5}>Attempts</Title>
        <Attempts history={data.history} />
      </Stack>
      {data.checkpoint && (
        <Text size="sm" c="dimmed">
          The receiver keeps <Code>data.checkpoint.note</Code> from this payload;{' '}
          <Code>custos audit verify --checkpoint</Code> with that note fails if the audit log was rewritten
          since it was signed.
        </Text>
      )}
      <Stack gap="xs">
        <Title order={5}>Payload</Title>
        <ScrollArea.Autosize mah={420} type="auto">
          <Code block style={{ fontSize: 12, whiteSpace: 'pre' }} data-testid="delivery-payload">
            {prettyPayload(data.payload)}
          </Code>
        </ScrollArea.Autosize>
      </Stack>
      <ConfirmModal title="Replay this delivery?" confirmLabel="Replay" {...replayAction.modal}>
        {`The message is sent to “${data.channelName}” again now, with the same webhook-id; a receiver that remembers ids ignores it as a duplicate.`}
      </ConfirmModal>
    </Stack>
  );
}

export function DeliveryDrawer({ id, onClose }: { id: string | undefined; onClose: () => void }) {
  return (
    <Drawer
      opened={id !== undefined}
      onClose={onClose}
      position="right"
      size="xl"
      title={<Text fw={600}>Delivery</Text>}
    >
      {id && <DeliveryBody key={id} id={id} />}
    </Drawer>
  );
}
