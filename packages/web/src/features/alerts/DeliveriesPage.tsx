import type { AlertDeliveryOut, ListDeliveriesQuery } from '@custos/shared';
import { Anchor, Button, Card, Center, Group, Select, Stack, Table, Text } from '@mantine/core';
import { IconArrowLeft, IconFilterOff, IconSend, IconX } from '@tabler/icons-react';
import { type KeyboardEvent, type ReactNode, useMemo } from 'react';
import { Link, useSearchParams } from 'react-router';
import { hookError } from '../../app/errors';
import { formatShortDate, formatTime, formatTimestamp } from '../../app/format';
import { PageHeader } from '../../ui/PageHeader';
import { RelativeTime } from '../../ui/RelativeTime';
import { EmptyState, LoadError, SectionLoader } from '../../ui/states';
import { DataTable } from '../../ui/tables';
import { useDisplayTimeZone } from '../../ui/timeZone';
import { Require } from '../shell/RequirePermission';
import { AlertEmailOffNotice } from './AlertEmailOffNotice';
import { useListAlertChannelsQuery, useListAlertDeliveriesInfiniteQuery } from './api';
import { DeliveryDrawer } from './DeliveryDrawer';
import {
  ChannelName,
  DeliveryStatusBadge,
  DeliverySubject,
  KIND_LABELS,
  ResponseCode,
} from './deliveryParts';

const KINDS = Object.entries(KIND_LABELS).map(([value, label]) => ({
  value: value as AlertDeliveryOut['kind'],
  label,
}));

const STATUSES: { value: AlertDeliveryOut['status']; label: string }[] = [
  { value: 'pending', label: 'Pending' },
  { value: 'retrying', label: 'Retrying' },
  { value: 'delivered', label: 'Delivered' },
  { value: 'failed', label: 'Failed or not sent' },
];

function DeliveryRow({ delivery, onOpen }: { delivery: AlertDeliveryOut; onOpen: () => void }) {
  useDisplayTimeZone();
  function onKeyDown(e: KeyboardEvent) {
    if (e.target !== e.currentTarget) return;
    if (e.key === 'Enter' || e.key === ' ') {
      e.preventDefault();
      onOpen();
    }
  }
  return (
    <Table.Tr
      className="custos-clickable-row"
      tabIndex={0}
      onClick={onOpen}
      onKeyDown={onKeyDown}
      data-delivery-id={delivery.id}
    >
      <Table.Td title={formatTimestamp(delivery.createdAt)}>
        <Text size="sm" style={{ whiteSpace: 'nowrap' }}>
          {formatTime(delivery.createdAt)}
        </Text>
        <Text size="xs" c="dimmed">
          {formatShortDate(delivery.createdAt)}
        </Text>
      </Table.Td>
      <Table.Td>
        <ChannelName kind={delivery.channelKind} name={delivery.channelName} />
      </Table.Td>
      <Table.Td>
        <Text size="sm">{KIND_LABELS[delivery.kind] ?? delivery.kind}</Text>
      </Table.Td>
      <Table.Td onClick={delivery.securityEventId ? (e) => e.stopPropagation() : undefined}>
        <DeliverySubject delivery={delivery} />
      </Table.Td>
      <Table.Td>
        <DeliveryStatusBadge status={delivery.status} lastError={delivery.lastError} />
      </Table.Td>
      <Table.Td ta="right">
        <Text size="sm">{delivery.attempts}</Text>
      </Table.Td>
      <Table.Td>
        <ResponseCode code={delivery.lastResponseCode} />
      </Table.Td>
      <Table.Td>
        {delivery.nextAttemptAt ? (
          <RelativeTime iso={delivery.nextAttemptAt} />
        ) : (
          <Text size="sm" c="dimmed">
            —
          </Text>
        )}
      </Table.Td>
    </Table.Tr>
  );
}

function useDeliveryFilters() {
  const [params, setParams] = useSearchParams();
  const channelId = params.get('channel') ?? undefined;
  const statusParam = params.get('status');
  const status = STATUSES.find((s) => s.value === statusParam)?.value;
  const kindParam = params.get('kind');
  const kind = KINDS.find((k) => k.value === kindParam)?.value;
  const securityEventId = params.get('event') ?? undefined;
  const deliveryId = params.get('delivery') ?? undefined;
  const query = useMemo<ListDeliveriesQuery>(
    () => ({
      ...(channelId ? { channelId } : {}),
      ...(status ? { status } : {}),
      ...(kind ? { kind } : {}),
      ...(securityEventId ? { securityEventId } : {}),
    }),
    [channelId, status, kind, securityEventId],
  );
  function set(key: string, value: string | undefined) {
    const next = new URLSearchParams(params);
    if (value) next.set(key, value);
    else next.delete(key);
    setParams(next, key === 'delivery' ? { replace: true } : {});
  }
  return {
    query,
    channelId,
    status,
    kind,
    securityEventId,
    deliveryId,
    set,
    clear: () => setParams(new URLSearchParams()),
    filtered: Boolean(channelId || status || kind || securityEventId),
  };
}

function Deliveries() {
  const filters = useDeliveryFilters();
  const channels = useListAlertChannelsQuery();
  const result = useListAlertDeliveriesInfiniteQuery(filters.query);
  const deliveries = (result.data?.pages ?? []).flatMap((page) => page.deliveries);
  const channelOptions = (channels.data ?? []).map((c) => ({ value: c.id, label: c.name }));

  let body: ReactNode;
  if (result.isLoading) body = <SectionLoader label="Loading deliveries" />;
  else if (!result.data) {
    body = (
      <Center p="lg">
        <LoadError
          error={hookError(result.error)}
          what="the deliveries"
          onRetry={() => void result.refetch()}
        />
      </Center>
    );
  } else if (deliveries.length === 0) {
    body = filters.filtered ? (
      <EmptyState
        icon={<IconFilterOff size={24} />}
        title="No deliveries match these filters"
        action={
          <Button variant="light" onClick={filters.clear}>
            Clear filters
          </Button>
        }
      />
    ) : (
      <EmptyState
        icon={<IconSend size={24} />}
        title="Nothing sent yet"
        description="Every alert, digest, audit checkpoint and test message sent to a channel is listed here with each attempt and the receiver's answer."
      />
    );
  } else {
    body = (
      <>
        <DataTable
          label="Deliveries"
          minWidth={900}
          head={
            <>
              <Table.Th>Time</Table.Th>
              <Table.Th>Channel</Table.Th>
              <Table.Th>Kind</Table.Th>
              <Table.Th>About</Table.Th>
              {/* Wide enough for the badge: the checkpoint's origin would squeeze it. */}
              <Table.Th miw={110}>Status</Table.Th>
              <Table.Th ta="right">Attempts</Table.Th>
              <Table.Th>Receiver’s answer</Table.Th>
              <Table.Th>Next attempt</Table.Th>
            </>
          }
        >
          {deliveries.map((delivery) => (
            <DeliveryRow
              key={delivery.id}
              delivery={delivery}
              onOpen={() => filters.set('delivery', delivery.id)}
            />
          ))}
        </DataTable>
        {result.hasNextPage && (
          <Center py="sm">
            <Button
              size="xs"
              variant="light"
              loading={result.isFetchingNextPage}
              onClick={() => void result.fetchNextPage()}
            >
              Load more
            </Button>
          </Center>
        )}
      </>
    );
  }

  return (
    <Stack gap="lg">
      {(channels.data ?? []).some((c) => c.kind === 'email') && <AlertEmailOffNotice />}
      <Card withBorder radius="md" padding={0} component="section" aria-labelledby="deliveries-title">
        <Group px="lg" py="sm" justify="space-between" wrap="wrap" gap="sm">
          <Text fw={600} id="deliveries-title">
            Deliveries
          </Text>
          <Group gap="sm" align="flex-end">
            {filters.securityEventId && (
              <Button
                size="xs"
                variant="light"
                color="gray"
                rightSection={<IconX size={12} />}
                onClick={() => filters.set('event', undefined)}
              >
                One security event
              </Button>
            )}
            <Select
              aria-label="Channel"
              placeholder="All channels"
              data={channelOptions}
              value={filters.channelId ?? null}
              onChange={(value) => filters.set('channel', value ?? undefined)}
              clearable
              w={200}
              size="xs"
              comboboxProps={{ withinPortal: true }}
            />
            <Select
              aria-label="Kind"
              placeholder="Any kind"
              data={KINDS}
              value={filters.kind ?? null}
              onChange={(value) => filters.set('kind', value ?? undefined)}
              clearable
              w={170}
              size="xs"
              comboboxProps={{ withinPortal: true }}
            />
            <Select
              aria-label="Status"
              placeholder="Any status"
              data={STATUSES}
              value={filters.status ?? null}
              onChange={(value) => filters.set('status', value ?? undefined)}
              clearable
              w={150}
              size="xs"
              comboboxProps={{ withinPortal: true }}
            />
          </Group>
        </Group>
        {body}
      </Card>
      <DeliveryDrawer id={filters.deliveryId} onClose={() => filters.set('delivery', undefined)} />
    </Stack>
  );
}

/** `/security/alerts/deliveries`: every message sent to a channel, its attempts, and replay. */
export function DeliveriesPage() {
  return (
    <>
      <Anchor component={Link} to="/security/alerts" size="sm" c="dimmed" display="block" mb="xs">
        <Group gap={4}>
          <IconArrowLeft size={14} />
          Alerts
        </Group>
      </Anchor>
      <PageHeader
        title="Delivery log"
        description="Each alert sent to a channel, with the receiver's answers. Failed webhook messages are tried again, waiting longer after each failure; replay sends a message again."
      />
      <Require organization permission="security:read">
        <Deliveries />
      </Require>
    </>
  );
}
