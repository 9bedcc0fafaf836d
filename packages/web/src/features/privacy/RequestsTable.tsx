import type { PrivacyRequestOut } from '@custos/shared';
import { Stack, Table, Text, Tooltip } from '@mantine/core';
import type { KeyboardEvent } from 'react';
import { RelativeTime } from '../../ui/RelativeTime';
import { DataTable } from '../../ui/tables';
import { SOURCE_DESCRIPTIONS, SOURCE_LABELS, subjectLabel } from './labels';
import { DueDate, RequestStateBadge, RequestTypeCell } from './parts';

/** The short reference people quote: the id's last characters, as on the detail page. */
export function requestReference(id: string): string {
  return `#${id.slice(-8).toUpperCase()}`;
}

function RequestRow({ request, onOpen }: { request: PrivacyRequestOut; onOpen: () => void }) {
  function onKeyDown(e: KeyboardEvent) {
    if (e.target !== e.currentTarget) return;
    if (e.key === 'Enter' || e.key === ' ') {
      e.preventDefault();
      onOpen();
    }
  }
  const subject = subjectLabel(request);
  const reference = requestReference(request.id);
  return (
    <Table.Tr
      className="custos-clickable-row"
      tabIndex={0}
      onClick={onOpen}
      onKeyDown={onKeyDown}
      data-request-id={request.id}
    >
      <Table.Td data-label="Reference">
        <Text size="sm" className="custos-mono">
          {reference}
        </Text>
      </Table.Td>
      <Table.Td data-label="Type">
        <RequestTypeCell request={request} />
      </Table.Td>
      <Table.Td data-label="Subject" data-wide maw={280}>
        <Stack gap={0}>
          <Text size="sm" lineClamp={1} style={{ wordBreak: 'break-all' }}>
            {subject.primary}
          </Text>
          {subject.secondary && (
            <Text size="xs" c="dimmed" lineClamp={1} style={{ wordBreak: 'break-all' }}>
              {subject.secondary}
            </Text>
          )}
        </Stack>
      </Table.Td>
      <Table.Td data-label="State">
        <RequestStateBadge state={request.state} />
      </Table.Td>
      <Table.Td data-label="Received">
        <RelativeTime iso={request.receivedAt} focusable={false} />
      </Table.Td>
      <Table.Td data-label="Due">
        <DueDate request={request} focusable={false} />
      </Table.Td>
      <Table.Td data-label="Source">
        <Tooltip label={SOURCE_DESCRIPTIONS[request.source]} withArrow multiline w={260}>
          <Text size="sm">{SOURCE_LABELS[request.source]}</Text>
        </Tooltip>
      </Table.Td>
    </Table.Tr>
  );
}

export function RequestsTable({
  requests,
  onOpen,
}: {
  requests: PrivacyRequestOut[];
  onOpen: (id: string) => void;
}) {
  return (
    <DataTable
      label="Privacy requests"
      minWidth={960}
      cardsOnPhone
      head={
        <>
          <Table.Th>Reference</Table.Th>
          <Table.Th>Type</Table.Th>
          <Table.Th>Subject</Table.Th>
          <Table.Th>State</Table.Th>
          <Table.Th>Received</Table.Th>
          <Table.Th>Due</Table.Th>
          <Table.Th>Source</Table.Th>
        </>
      }
    >
      {requests.map((request) => (
        <RequestRow key={request.id} request={request} onOpen={() => onOpen(request.id)} />
      ))}
    </DataTable>
  );
}
